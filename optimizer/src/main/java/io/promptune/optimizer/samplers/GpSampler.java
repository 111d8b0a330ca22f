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
 * Gaussian-process Bayesian optimisation over mixed spaces. After a few scrambled-Sobol startup
 * points it fits a {@link GaussianProcess} (Matérn 5/2, ARD, Hamming distance for categoricals) to
 * the standardised losses and proposes the maximiser of log expected improvement (or UCB). The
 * acquisition is maximised from Sobol candidates plus perturbations of the best points so far, the
 * best few are polished by projected L-BFGS on the numeric coordinates (exact gradient) and by
 * sweeping each categorical's choices. Running trials enter as their posterior mean ("kriging
 * believer"), so parallel workers get different proposals.
 */
public final class GpSampler implements Sampler {
    public enum Acquisition { LOG_EI, UCB }

    private final long seed;
    private final int startupTrials;
    private final Acquisition acquisition;
    private final int candidates;
    private double[] warmTheta;
    private int warmDims = -1;

    public GpSampler(long seed) {
        this(seed, -1, Acquisition.LOG_EI, 512);
    }

    /** @param startupTrials Sobol points before the GP takes over; -1 picks max(5, dims + 1) capped at 10 */
    public GpSampler(long seed, int startupTrials, Acquisition acquisition, int candidates) {
        this.seed = seed;
        this.startupTrials = startupTrials;
        this.acquisition = acquisition;
        this.candidates = candidates;
    }

    static boolean available() {
        return true;
    }

    int startup(UnitCodec codec) {
        return startupTrials >= 0 ? startupTrials : Math.min(10, Math.max(5, codec.size() + 1));
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext ctx) {
        UnitCodec codec = new UnitCodec(space);
        Observations obs = Observations.of(history, ctx, codec, seed);
        if (obs.size() < startup(codec) || obs.size() < 2)
            return codec.decode(SobolSampler.encodePoint(codec, SobolSampler.point(codec.size(), ctx.trialNumber(), seed)));
        int d = codec.size();
        boolean[] cat = new boolean[d];
        for (int j = 0; j < d; j++) cat[j] = codec.isCategorical(j);
        int n = obs.size();
        double[][] xs = new double[n][];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = impute(obs.x.get(i), cat);
            ys[i] = -obs.loss.get(i); // the GP maximises
        }
        boolean noisy = obs.standardErrors.stream().anyMatch(v -> v > 0);
        if (!noisy) warp(ys); // a warp would distort known noise levels, so only for exact objectives
        double mean = Arrays.stream(ys).average().orElse(0);
        double sd = Math.sqrt(Arrays.stream(ys).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, n - 1));
        if (!(sd > 1e-12)) sd = 1;
        for (int i = 0; i < n; i++) ys[i] = (ys[i] - mean) / sd;
        double[] known = new double[n];
        for (int i = 0; i < n; i++) known[i] = Math.pow(obs.standardErrors.get(i) / sd, 2);
        GaussianProcess gp = new GaussianProcess(xs, ys, cat, known, noisy);
        long tFit = System.nanoTime();
        if (warmDims == d && n >= 20 && n % 3 != 0) {
            gp.theta = warmTheta.clone(); // refit the hyperparameters every third trial once they have settled
            gp.prepare();
        } else {
            gp.fit(warmDims == d ? warmTheta : null, n % 5 == 0);
        }
        FIT_NANOS.addAndGet(System.nanoTime() - tFit);
        warmTheta = gp.theta.clone();
        warmDims = d;
        double best = Arrays.stream(ys).max().orElse(0);
        if (noisy) { // noisy scores: improve on the best posterior mean, not on a lucky observation
            best = Double.NEGATIVE_INFINITY;
            for (double[] p : xs) best = Math.max(best, gp.posterior(p, null)[0]);
        }
        if (!obs.pending.isEmpty()) gp = withPending(gp, obs.pending, cat);

        SplittableRandom r = RandomSampler.rng(seed, ctx.trialNumber(), 11);
        GaussianProcess model = gp;
        double beta = Math.sqrt(0.2 * d * Math.log(2 * (n + 1)));
        double incumbent = best;
        Acq acq = (p, grad) -> acquisition(model, p, incumbent, beta, grad);

        // Candidates: a shifted Sobol net plus local perturbations of the best observed points.
        List<double[]> pool = new ArrayList<>();
        long shift = r.nextLong();
        for (double[] u : SobolSampler.points(d, 0, candidates, shift)) pool.add(SobolSampler.encodePoint(codec, u));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> -ys[i]));
        for (int t = 0; t < Math.min(5, n); t++) {
            double[] base = xs[order[t]];
            for (int q = 0; q < 32; q++) {
                double[] p = base.clone();
                double scale = q < 16 ? 0.02 : 0.1;
                for (int j = 0; j < d; j++) {
                    if (cat[j]) {
                        if (p[j] < 0 || r.nextDouble() < 1.0 / d) p[j] = r.nextInt(codec.choices(j));
                    } else {
                        p[j] = Math.clamp(p[j] + scale * gaussian(r), 0, 1);
                    }
                }
                pool.add(p);
            }
        }
        double[] scores = new double[pool.size()];
        for (int i = 0; i < pool.size(); i++) scores[i] = acq.value(pool.get(i), null);
        Integer[] rank = new Integer[pool.size()];
        for (int i = 0; i < rank.length; i++) rank[i] = i;
        Arrays.sort(rank, Comparator.comparingDouble(i -> -scores[i]));

        double[] bestX = null;
        double bestVal = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < Math.min(3, rank.length); t++) {
            double[] p = polish(acq, pool.get(rank[t]), codec, cat);
            double v = acq.value(codec.snap(p), null);
            if (v > bestVal && !isDuplicate(codec.snap(p), xs)) {
                bestVal = v;
                bestX = codec.snap(p);
            }
        }
        if (bestX == null) { // all polished points duplicate observations: take the best fresh candidate
            for (Integer i : rank) {
                double[] p = codec.snap(pool.get(i));
                if (!isDuplicate(p, xs)) { bestX = p; break; }
            }
        }
        if (bestX == null) bestX = RandomSampler.uniform(codec, r);
        ACQ_NANOS.addAndGet(System.nanoTime() - tFit);
        return codec.decode(bestX);
    }

    static final java.util.concurrent.atomic.AtomicLong FIT_NANOS = new java.util.concurrent.atomic.AtomicLong(), ACQ_NANOS = new java.util.concurrent.atomic.AtomicLong();

    @FunctionalInterface
    private interface Acq {
        double value(double[] p, double[] grad);
    }

    private double acquisition(GaussianProcess gp, double[] p, double best, double beta, double[] grad) {
        double[][] g = grad == null ? null : new double[2][p.length];
        double[] mv = gp.posterior(p, g);
        double sigma = Math.sqrt(mv[1]);
        if (acquisition == Acquisition.UCB) {
            if (grad != null) for (int j = 0; j < p.length; j++) grad[j] = g[0][j] + beta * g[1][j] / (2 * sigma);
            return mv[0] + beta * sigma;
        }
        double z = (mv[0] - best) / sigma;
        double value = Math.log(sigma) + LogExpectedImprovement.logH(z);
        if (grad != null) {
            double dl = LogExpectedImprovement.dLogH(z);
            for (int j = 0; j < p.length; j++) {
                double dSigma = g[1][j] / (2 * sigma);
                double dz = (g[0][j] - z * dSigma) / sigma;
                grad[j] = dSigma / sigma + dl * dz;
            }
        }
        return value;
    }

    /** Local ascent: L-BFGS on numeric coordinates, then a sweep over each categorical's choices. */
    private static double[] polish(Acq acq, double[] start, UnitCodec codec, boolean[] cat) {
        int d = start.length;
        double[] p = start.clone();
        int[] cont = java.util.stream.IntStream.range(0, d).filter(j -> !cat[j]).toArray();
        for (int round = 0; round < 2; round++) {
            if (cont.length > 0) {
                double[] x0 = new double[cont.length], lo = new double[cont.length], hi = new double[cont.length];
                for (int k = 0; k < cont.length; k++) { x0[k] = p[cont[k]]; hi[k] = 1; }
                double[] full = p.clone();
                Lbfgs.Result res = Lbfgs.minimize((z, g) -> {
                    for (int k = 0; k < cont.length; k++) full[cont[k]] = z[k];
                    double[] gf = new double[d];
                    double v = acq.value(full, gf);
                    for (int k = 0; k < cont.length; k++) g[k] = -gf[k];
                    return -v;
                }, x0, lo, hi, 30, 1e-5);
                for (int k = 0; k < cont.length; k++) p[cont[k]] = res.x()[k];
            }
            boolean changed = false;
            for (int j = 0; j < d; j++) {
                if (!cat[j]) continue;
                double bestV = acq.value(p, null);
                double keep = p[j];
                for (int c = 0; c < codec.choices(j); c++) {
                    p[j] = c;
                    double v = acq.value(p, null);
                    if (v > bestV + 1e-12) { bestV = v; keep = c; changed = true; }
                }
                p[j] = keep;
            }
            if (!changed) break;
        }
        return p;
    }

    private static GaussianProcess withPending(GaussianProcess gp, List<double[]> pending, boolean[] cat) {
        int n = gp.n, m = pending.size();
        double[][] xs = Arrays.copyOf(gp.x, n + m);
        double[] ys = Arrays.copyOf(gp.y, n + m);
        for (int i = 0; i < m; i++) {
            xs[n + i] = impute(pending.get(i), cat);
            ys[n + i] = gp.posterior(xs[n + i], null)[0];
        }
        double[] known = Arrays.copyOf(gp.knownNoise, n + m);
        GaussianProcess g2 = new GaussianProcess(xs, ys, cat, known, gp.learnNoise);
        g2.theta = gp.theta.clone();
        g2.prepare();
        return g2;
    }

    /**
     * Heavy upper tails of the loss (a few terrible points, as on Rosenbrock) flatten everything
     * near the optimum after standardisation; a log transform of the distance to the best point
     * keeps the ordering and restores resolution where it matters.
     */
    static void warp(double[] ys) {
        double max = Arrays.stream(ys).max().orElse(0);
        double[] gap = Arrays.stream(ys).map(v -> max - v).sorted().toArray();
        double med = gap[gap.length / 2];
        if (!(med > 0)) return;
        double mean = Arrays.stream(gap).average().orElse(0);
        if (mean < 2 * med) return; // not heavy-tailed: leave as is
        double scale = 0.1 * med;
        for (int i = 0; i < ys.length; i++) ys[i] = -Math.log1p((max - ys[i]) / scale);
    }

    private static double[] impute(double[] p, boolean[] cat) {
        double[] q = p.clone();
        for (int j = 0; j < q.length; j++) if (Double.isNaN(q[j])) q[j] = cat[j] ? -1 : 0.5;
        return q;
    }

    private static boolean isDuplicate(double[] p, double[][] xs) {
        outer:
        for (double[] q : xs) {
            for (int j = 0; j < p.length; j++) if (Math.abs(p[j] - q[j]) > 1e-9) continue outer;
            return true;
        }
        return false;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Override
    public String name() {
        return "gp";
    }
}
