package io.promptune.optimizer.storage;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.StudyStorage;
import io.promptune.optimizer.Trial;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keeps trials in memory only (tests, throw-away runs). */
public final class InMemoryStorage implements StudyStorage {
    private final TrialTable table = new TrialTable();

    @Override
    public synchronized void createOrLoadStudy(String study, List<Direction> directions) {
        table.checkCanCreate(study, directions);
        table.createStudy(study, directions);
    }

    @Override
    public synchronized Optional<List<Direction>> directions(String study) {
        return table.directions(study);
    }

    @Override
    public synchronized Trial createTrial(String study, Trial template) {
        return table.addTrial(study, template.toBuilder().number(table.nextNumber(study)).build());
    }

    @Override
    public synchronized Optional<Trial> claimWaiting(String study, String worker, Instant now) {
        return table.oldestWaiting(study).map(t -> table.claim(study, t.number(), worker, now));
    }

    @Override
    public synchronized void updateTrial(String study, Trial trial) {
        table.checkUpdate(study, trial);
        table.update(study, trial);
    }

    @Override
    public synchronized boolean failIfStale(String study, int number, Instant staleBefore, String reason, Instant now) {
        if (!table.isStale(study, number, staleBefore)) return false;
        table.failStale(study, number, reason, now);
        return true;
    }

    @Override
    public synchronized void heartbeat(String study, List<Integer> numbers, Instant now) {
        table.heartbeat(study, numbers, now);
    }

    @Override
    public synchronized List<Trial> trials(String study) {
        return table.trials(study);
    }
}
