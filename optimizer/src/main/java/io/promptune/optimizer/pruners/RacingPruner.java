package io.promptune.optimizer.pruners;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import org.apache.commons.statistics.distribution.TDistribution;

import java.util.List;

/**
 * Racing by a paired test: every trial is scored on the examples in the same fixed order, so after
 * {@code step} examples the running trial and the incumbent can be compared example by example.
 * The trial is stopped when even the optimistic end of a one-sided confidence interval of the mean
 * paired difference says it is worse than the incumbent. Paired differences cancel the
 * example-to-example difficulty, which is most of the variance in LLM evaluations, so hopeless
 * configurations are stopped after a fraction of the examples.
 *
 * <p>Without per-example scores it compares the running value with the incumbent's value at the
 * same step, pruning only beyond {@code margin}.
 */
public final class RacingPruner implements Pruner {
    private final int minSteps;
    private final double alpha;
    private final double margin;

    /** Defaults: check from 8 examples on, 1% one-sided level (strict, because the check repeats). */
    public RacingPruner() {
        this(8, 0.01, 0.0);
    }

    public RacingPruner(int minSteps, double alpha, double margin) {
        if (minSteps < 2) throw new IllegalArgumentException("minSteps must be >= 2");
        if (!(alpha > 0 && alpha < 0.5)) throw new IllegalArgumentException("alpha must be in (0, 0.5)");
        this.minSteps = minSteps;
        this.alpha = alpha;
        this.margin = margin;
    }

    @Override
    public boolean shouldPrune(Trial running, List<Trial> history, Direction direction) {
        Integer step = running.lastStep();
        if (step == null || step < minSteps) return false;
        Trial incumbent = incumbent(history, direction, running.number());
        if (incumbent == null) return false;
        List<Double> mine = running.perExampleScores(), theirs = incumbent.perExampleScores();
        int n = Math.min(step, Math.min(mine.size(), theirs.size()));
        if (n >= minSteps) return pairedWorse(mine, theirs, n, direction);
        // No per-example scores: compare running values at the same step.
        Double theirsAtStep = valueAt(incumbent, step);
        Double mineNow = running.intermediate().get(step);
        if (theirsAtStep == null || mineNow == null) return false;
        return direction.toLoss(mineNow) > direction.toLoss(theirsAtStep) + margin;
    }

    private boolean pairedWorse(List<Double> mine, List<Double> theirs, int n, Direction direction) {
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++) {
            double d = direction == Direction.MAXIMIZE ? mine.get(i) - theirs.get(i) : theirs.get(i) - mine.get(i);
            sum += d;
            sumSq += d * d;
        }
        double mean = sum / n;
        double var = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
        if (var == 0) return mean < -margin; // identical differences on every example
        double se = Math.sqrt(var / n);
        double t = TDistribution.of(n - 1).inverseSurvivalProbability(alpha);
        return mean + t * se < -margin;
    }

    /** Best complete trial with the most per-example scores among equals (by mean of the first objective). */
    static Trial incumbent(List<Trial> history, Direction direction, int exclude) {
        Trial best = null;
        for (Trial t : history) {
            if (t.state() != TrialState.COMPLETE || t.number() == exclude || t.values().isEmpty() || !t.isFeasible()) continue;
            if (best == null || direction.better(t.value(), best.value())) best = t;
        }
        return best;
    }

    static Double valueAt(Trial t, int step) {
        Double v = t.intermediate().get(step);
        if (v != null) return v;
        List<Double> s = t.perExampleScores();
        if (s.size() >= step && step > 0) {
            double sum = 0;
            for (int i = 0; i < step; i++) sum += s.get(i);
            return sum / step;
        }
        return null;
    }
}
