package io.promptune.optimizer.samplers;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SamplingContext;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What model-based samplers learn from: each complete trial as an encoded point with one scalar
 * loss (smaller is better). Directions, several objectives (a random Chebyshev scalarisation per
 * proposal, as in ParEGO) and constraints (infeasible points rank after every feasible one) are
 * folded into that loss here, in one place. Pruned and still-running trials are listed apart.
 */
public final class Observations {
    public final List<double[]> x = new ArrayList<>();
    public final List<Double> loss = new ArrayList<>();
    /** Standard error of each loss (0 when the trial reported none). */
    public final List<Double> standardErrors = new ArrayList<>();
    /** Points of pruned trials (known to be poor) and running trials (pending). */
    public final List<double[]> poor = new ArrayList<>(), pending = new ArrayList<>();

    public int size() {
        return x.size();
    }

    public static Observations of(List<Trial> history, SamplingContext ctx, UnitCodec codec, long seed) {
        Observations o = new Observations();
        List<Direction> dirs = ctx.directions();
        List<Trial> complete = new ArrayList<>();
        for (Trial t : history) {
            switch (t.state()) {
                case COMPLETE -> {
                    if (t.values().size() == dirs.size() && t.values().stream().allMatch(Double::isFinite)) complete.add(t);
                }
                case PRUNED -> o.poor.add(codec.encode(t.params()));
                case RUNNING -> o.pending.add(codec.encode(t.params()));
                default -> { }
            }
        }
        if (complete.isEmpty()) return o;
        double[] raw = new double[complete.size()];
        if (dirs.size() == 1) {
            for (int i = 0; i < raw.length; i++) raw[i] = dirs.getFirst().toLoss(complete.get(i).value());
        } else {
            scalarize(complete, dirs, raw, RandomSampler.rng(seed, ctx.trialNumber(), 77));
        }
        // Constraints: every infeasible point ranks after the worst feasible one, by violation.
        double maxFeasible = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY, maxViolation = 0;
        for (int i = 0; i < raw.length; i++) {
            Trial t = complete.get(i);
            min = Math.min(min, raw[i]);
            if (t.isFeasible()) maxFeasible = Math.max(maxFeasible, raw[i]);
            else maxViolation = Math.max(maxViolation, t.violation());
        }
        if (maxFeasible == Double.NEGATIVE_INFINITY) maxFeasible = min;
        double spread = Math.max(1e-9, maxFeasible - min);
        for (int i = 0; i < raw.length; i++) {
            Trial t = complete.get(i);
            double l = t.isFeasible() ? raw[i] : maxFeasible + spread * (0.1 + t.violation() / Math.max(maxViolation, 1e-12));
            o.x.add(codec.encode(t.params()));
            o.loss.add(l);
            Double se = t.standardError();
            o.standardErrors.add(dirs.size() == 1 && t.isFeasible() && se != null && Double.isFinite(se) ? se : 0.0);
        }
        return o;
    }

    /** Random-weight augmented Chebyshev scalarisation of normalised losses. */
    private static void scalarize(List<Trial> trials, List<Direction> dirs, double[] out, SplittableRandom r) {
        int m = dirs.size();
        double[] lo = new double[m], hi = new double[m], w = new double[m];
        java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        for (Trial t : trials)
            for (int j = 0; j < m; j++) {
                double l = dirs.get(j).toLoss(t.values().get(j));
                lo[j] = Math.min(lo[j], l);
                hi[j] = Math.max(hi[j], l);
            }
        double sum = 0;
        for (int j = 0; j < m; j++) sum += w[j] = -Math.log(1 - r.nextDouble());
        for (int j = 0; j < m; j++) w[j] /= sum;
        for (int i = 0; i < trials.size(); i++) {
            double max = Double.NEGATIVE_INFINITY, lin = 0;
            for (int j = 0; j < m; j++) {
                double f = (dirs.get(j).toLoss(trials.get(i).values().get(j)) - lo[j]) / Math.max(1e-12, hi[j] - lo[j]);
                max = Math.max(max, w[j] * f);
                lin += w[j] * f;
            }
            out[i] = max + 0.05 * lin;
        }
    }

    static boolean isUsable(Trial t) {
        return t.state() == TrialState.COMPLETE;
    }
}
