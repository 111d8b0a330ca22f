package io.promptune.optimizer;

import java.util.List;
import java.util.Optional;

/** Picks the incumbent of a single-objective study, constraint-aware and noise-aware. */
public final class Incumbents {
    private Incumbents() {
    }

    public static Optional<Trial> best(List<Trial> trials, List<Direction> directions, IncumbentRule rule) {
        if (directions.size() != 1)
            throw new IllegalStateException("bestTrial() is for single-objective studies; use bestTrials() for the Pareto front");
        Direction d = directions.getFirst();
        Trial best = null;
        double bestKey = Double.POSITIVE_INFINITY;
        boolean bestFeasible = false;
        for (Trial t : trials) {
            if (!t.isComplete() || t.values().isEmpty()) continue;
            boolean feasible = t.isFeasible();
            double key = feasible ? loss(t, d, rule) : t.violation();
            // Any feasible trial beats every infeasible one; among infeasible, the least violation wins.
            if (best == null || (feasible && !bestFeasible) || (feasible == bestFeasible && key < bestKey)) {
                best = t;
                bestKey = key;
                bestFeasible = feasible;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Pessimistic loss of a trial (smaller is better). */
    static double loss(Trial t, Direction d, IncumbentRule rule) {
        double l = d.toLoss(t.value());
        if (rule == IncumbentRule.LOWER_CONFIDENCE_BOUND && t.standardError() != null && Double.isFinite(t.standardError()))
            l += t.standardError();
        return l;
    }
}
