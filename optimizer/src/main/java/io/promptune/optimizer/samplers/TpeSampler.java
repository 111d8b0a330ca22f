package io.promptune.optimizer.samplers;

import io.promptune.optimizer.SamplingContext;
import io.promptune.optimizer.Sampler;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Trial;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tree-structured Parzen Estimator. Splits the observations into the best gamma(n) ("below") and
 * the rest ("above"), fits a Parzen estimator to each, and picks among candidates drawn from the
 * "below" one the point with the largest l(x)/g(x). Defaults follow Optuna's TPESampler (10
 * startup trials, 24 candidates, gamma = min(ceil(0.1 n), 25), prior weight 1, magic clip, ramped
 * weights of old "above" trials); differences: startup points are scrambled Sobol instead of random,
 * and the multivariate variant (the default here) models the joint density. Pruned and running
 * trials count as "above" (a constant liar, so parallel workers spread out).
 */
public final class TpeSampler implements Sampler {
    private final long seed;
    private final boolean multivariate;
    private final int startupTrials;
    private final int candidates;
    private final double priorWeight;
    private final double gammaFraction;
    private final int gammaMax;

    private TpeSampler(Builder b) {
        this.seed = b.seed;
        this.multivariate = b.multivariate;
        this.startupTrials = b.startupTrials;
        this.candidates = b.candidates;
        this.priorWeight = b.priorWeight;
        this.gammaFraction = b.gammaFraction;
        this.gammaMax = b.gammaMax;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext ctx) {
        UnitCodec codec = new UnitCodec(space);
        Observations obs = Observations.of(history, ctx, codec, seed);
        if (obs.size() < startupTrials)
            return codec.decode(SobolSampler.encodePoint(codec, SobolSampler.point(codec.size(), ctx.trialNumber(), seed)));
        SplittableRandom r = RandomSampler.rng(seed, ctx.trialNumber(), 3);
        int n = obs.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(obs.loss::get));
        int nBelow = Math.min((int) Math.ceil(gammaFraction * n), gammaMax);
        boolean[] isBelow = new boolean[n];
        for (int i = 0; i < nBelow; i++) isBelow[order[i]] = true;
        List<double[]> below = new ArrayList<>(), above = new ArrayList<>();
        for (int i = 0; i < n; i++) (isBelow[i] ? below : above).add(obs.x.get(i)); // number order kept
        above.addAll(obs.poor);
        above.addAll(obs.pending);
        double[] wBelow = rampWeights(below.size()), wAbove = rampWeights(above.size());

        double[] best = null;
        if (multivariate) {
            int[] all = new int[codec.size()];
            for (int d = 0; d < all.length; d++) all[d] = d;
            ParzenEstimator l = new ParzenEstimator(codec, below, wBelow, all, priorWeight, true);
            ParzenEstimator g = new ParzenEstimator(codec, above, wAbove, all, priorWeight, true);
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < candidates; c++) {
                double[] x = codec.snap(l.sample(r, new double[codec.size()]));
                double s = l.logPdf(x) - g.logPdf(x);
                if (s > bestScore) { bestScore = s; best = x; }
            }
        } else {
            best = new double[codec.size()];
            for (int d = 0; d < codec.size(); d++) {
                int[] one = {d};
                List<double[]> b = active(below, d), a = active(above, d);
                ParzenEstimator l = new ParzenEstimator(codec, b, rampWeights(b.size()), one, priorWeight, false);
                ParzenEstimator g = new ParzenEstimator(codec, a, rampWeights(a.size()), one, priorWeight, false);
                double bestScore = Double.NEGATIVE_INFINITY;
                double[] x = new double[codec.size()];
                for (int c = 0; c < candidates; c++) {
                    x = codec.snap(l.sample(r, x));
                    double s = l.logPdf(x) - g.logPdf(x);
                    if (s > bestScore) { bestScore = s; best[d] = x[d]; }
                }
            }
        }
        return codec.decode(best);
    }

    private static List<double[]> active(List<double[]> pts, int d) {
        List<double[]> out = new ArrayList<>();
        for (double[] p : pts) if (!Double.isNaN(p[d])) out.add(p);
        return out;
    }

    /** Optuna's default weights: equal for up to 25 points, older ones ramp down beyond that. */
    static double[] rampWeights(int n) {
        double[] w = new double[n];
        if (n < 25) {
            Arrays.fill(w, 1.0);
            return w;
        }
        int ramp = n - 25;
        for (int i = 0; i < ramp; i++) w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
        for (int i = ramp; i < n; i++) w[i] = 1.0;
        return w;
    }

    @Override
    public String name() {
        return multivariate ? "tpe" : "tpe-univariate";
    }

    public static final class Builder {
        private long seed;
        private boolean multivariate = true;
        private int startupTrials = 10;
        private int candidates = 24;
        private double priorWeight = 1.0;
        private double gammaFraction = 0.1;
        private int gammaMax = 25;

        public Builder seed(long v) { seed = v; return this; }
        public Builder multivariate(boolean v) { multivariate = v; return this; }
        public Builder startupTrials(int v) { startupTrials = v; return this; }
        public Builder candidates(int v) { candidates = v; return this; }
        public Builder priorWeight(double v) { priorWeight = v; return this; }
        public Builder gamma(double fraction, int max) { gammaFraction = fraction; gammaMax = max; return this; }

        public TpeSampler build() {
            return new TpeSampler(this);
        }
    }
}
