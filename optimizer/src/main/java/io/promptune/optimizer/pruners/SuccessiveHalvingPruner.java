package io.promptune.optimizer.pruners;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;

import java.util.ArrayList;
import java.util.List;

/**
 * Asynchronous successive halving (like Optuna's SuccessiveHalvingPruner): rungs at
 * minSteps * eta^k examples; at each rung a trial goes on only if its running value is among the
 * best 1/eta of all trials that reached that rung (running or finished).
 */
public final class SuccessiveHalvingPruner implements Pruner {
    private final int minSteps;
    private final int eta;

    public SuccessiveHalvingPruner() {
        this(8, 3);
    }

    public SuccessiveHalvingPruner(int minSteps, int eta) {
        if (minSteps < 1 || eta < 2) throw new IllegalArgumentException("need minSteps >= 1 and eta >= 2");
        this.minSteps = minSteps;
        this.eta = eta;
    }

    /** Highest rung not above the step, or -1. */
    int rung(int step) {
        int r = -1;
        for (long s = minSteps; s <= step; s *= eta) r++;
        return r;
    }

    long rungSteps(int rung) {
        long s = minSteps;
        for (int i = 0; i < rung; i++) s *= eta;
        return s;
    }

    @Override
    public boolean shouldPrune(Trial running, List<Trial> history, Direction direction) {
        Integer step = running.lastStep();
        if (step == null) return false;
        int r = rung(step);
        if (r < 0) return false;
        int at = (int) rungSteps(r);
        Double mine = RacingPruner.valueAt(running, at);
        if (mine == null) mine = running.intermediate().get(step);
        List<Double> competitors = new ArrayList<>();
        for (Trial t : history) {
            if (t.number() == running.number() || t.state() == TrialState.FAILED || t.state() == TrialState.WAITING) continue;
            Double v = RacingPruner.valueAt(t, at);
            if (v == null && t.state() == TrialState.COMPLETE && t.perExampleScores().isEmpty() && t.plannedSteps() != null && t.plannedSteps() <= at)
                v = t.value();
            if (v != null) competitors.add(direction.toLoss(v));
        }
        competitors.add(direction.toLoss(mine));
        if (competitors.size() < eta) return false;
        competitors.sort(Double::compare);
        int keep = Math.max(1, competitors.size() / eta);
        return direction.toLoss(mine) > competitors.get(keep - 1);
    }
}
