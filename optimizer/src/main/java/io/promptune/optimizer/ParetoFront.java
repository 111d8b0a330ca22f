package io.promptune.optimizer;

import java.util.ArrayList;
import java.util.List;

/** Non-dominated sorting of complete trials (constraint-aware). */
public final class ParetoFront {
    private ParetoFront() {
    }

    /** The first front: feasible complete trials no other feasible one dominates (or least-violating if none is feasible). */
    public static List<Trial> of(List<Trial> trials, List<Direction> directions) {
        List<Trial> pool = new ArrayList<>();
        for (Trial t : trials) if (t.isComplete() && t.values().size() == directions.size() && t.isFeasible()) pool.add(t);
        if (pool.isEmpty()) {
            double least = Double.POSITIVE_INFINITY;
            for (Trial t : trials) if (t.isComplete() && t.values().size() == directions.size()) least = Math.min(least, t.violation());
            for (Trial t : trials) if (t.isComplete() && t.values().size() == directions.size() && t.violation() == least) pool.add(t);
        }
        return ranks(pool, directions).isEmpty() ? List.of() : ranks(pool, directions).getFirst();
    }

    /** Fronts in order: front 0 is non-dominated, front 1 is non-dominated once front 0 is removed, ... */
    public static List<List<Trial>> ranks(List<Trial> trials, List<Direction> directions) {
        List<List<Trial>> fronts = new ArrayList<>();
        List<Trial> rest = new ArrayList<>(trials);
        while (!rest.isEmpty()) {
            List<Trial> front = new ArrayList<>(), next = new ArrayList<>();
            for (Trial a : rest) {
                boolean dominated = false;
                for (Trial b : rest) if (b != a && dominates(b, a, directions)) { dominated = true; break; }
                (dominated ? next : front).add(a);
            }
            fronts.add(front);
            rest = next;
        }
        return fronts;
    }

    /** a dominates b: no worse in every objective and better in at least one. */
    public static boolean dominates(Trial a, Trial b, List<Direction> directions) {
        boolean strictly = false;
        for (int i = 0; i < directions.size(); i++) {
            double la = directions.get(i).toLoss(a.values().get(i)), lb = directions.get(i).toLoss(b.values().get(i));
            if (la > lb) return false;
            if (la < lb) strictly = true;
        }
        return strictly;
    }
}
