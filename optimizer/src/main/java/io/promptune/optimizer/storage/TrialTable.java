package io.promptune.optimizer.storage;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory state of studies and trials, changed only through deterministic operations so
 * that a journal can replay them. Not thread-safe: callers hold a lock.
 */
final class TrialTable {
    private final Map<String, List<Direction>> studies = new HashMap<>();
    private final Map<String, List<Trial>> trials = new HashMap<>();

    boolean hasStudy(String study) {
        return studies.containsKey(study);
    }

    Optional<List<Direction>> directions(String study) {
        return Optional.ofNullable(studies.get(study));
    }

    void checkCanCreate(String study, List<Direction> directions) {
        List<Direction> existing = studies.get(study);
        if (existing != null && !existing.equals(directions))
            throw new IllegalStateException("study '" + study + "' already exists with directions " + existing + ", not " + directions);
    }

    void createStudy(String study, List<Direction> directions) {
        studies.putIfAbsent(study, List.copyOf(directions));
        trials.putIfAbsent(study, new ArrayList<>());
    }

    private List<Trial> list(String study) {
        List<Trial> l = trials.get(study);
        if (l == null) throw new IllegalStateException("no study named '" + study + "'");
        return l;
    }

    int nextNumber(String study) {
        return list(study).size();
    }

    Trial addTrial(String study, Trial t) {
        List<Trial> l = list(study);
        if (t.number() != l.size()) throw new IllegalStateException("trial number " + t.number() + " is not the next one (" + l.size() + ")");
        l.add(t);
        return t;
    }

    Optional<Trial> oldestWaiting(String study) {
        for (Trial t : list(study)) if (t.state() == TrialState.WAITING) return Optional.of(t);
        return Optional.empty();
    }

    Trial get(String study, int number) {
        List<Trial> l = list(study);
        if (number < 0 || number >= l.size()) throw new IllegalArgumentException("study '" + study + "' has no trial " + number);
        return l.get(number);
    }

    Trial claim(String study, int number, String worker, Instant now) {
        Trial t = get(study, number).toBuilder().state(TrialState.RUNNING).worker(worker).startedAt(now).heartbeat(now).build();
        list(study).set(number, t);
        return t;
    }

    void checkUpdate(String study, Trial t) {
        Trial old = get(study, t.number());
        if (old.state().isFinished())
            throw new IllegalStateException("trial " + t.number() + " of study '" + study + "' is already " + old.state() + " and cannot change");
    }

    void update(String study, Trial t) {
        list(study).set(t.number(), t);
    }

    boolean isStale(String study, int number, Instant staleBefore) {
        Trial t = get(study, number);
        if (t.state() != TrialState.RUNNING) return false;
        Instant hb = t.heartbeat() != null ? t.heartbeat() : t.startedAt();
        return hb == null || hb.isBefore(staleBefore) || hb.equals(staleBefore);
    }

    void failStale(String study, int number, String reason, Instant now) {
        Trial t = get(study, number).toBuilder().state(TrialState.FAILED).error(reason).finishedAt(now).build();
        list(study).set(number, t);
    }

    void heartbeat(String study, List<Integer> numbers, Instant now) {
        for (int n : numbers) {
            Trial t = get(study, n);
            if (t.state() == TrialState.RUNNING) list(study).set(n, t.toBuilder().heartbeat(now).build());
        }
    }

    List<Trial> trials(String study) {
        List<Trial> l = trials.get(study);
        return l == null ? List.of() : List.copyOf(l);
    }
}
