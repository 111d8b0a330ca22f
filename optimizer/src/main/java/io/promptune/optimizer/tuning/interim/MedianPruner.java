package io.promptune.optimizer.tuning.interim;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;

import java.util.ArrayList;
import java.util.List;

/**
 * Interim racing rule until the optimizer ships its pruners: stop a trial whose running mean at a
 * checkpoint is worse than the median of complete trials at the same checkpoint (same examples, as
 * the order is fixed), once {@code minTrials} complete trials reached it.
 */
public record MedianPruner(int minTrials) implements Pruner {
    @Override
    public boolean shouldPrune(Trial running, List<Trial> history, Direction direction) {
        Integer step = running.lastStep();
        if (step == null) return false;
        double mine = running.intermediate().get(step);
        List<Double> others = new ArrayList<>();
        for (Trial t : history) {
            if (t.number() == running.number() || t.state() != TrialState.COMPLETE) continue;
            Double v = t.intermediate().get(step);
            if (v != null) others.add(v);
        }
        if (others.size() < minTrials) return false;
        others.sort(null);
        double median = others.size() % 2 == 1 ? others.get(others.size() / 2)
                : (others.get(others.size() / 2 - 1) + others.get(others.size() / 2)) / 2;
        return direction.better(median, mine);
    }
}
