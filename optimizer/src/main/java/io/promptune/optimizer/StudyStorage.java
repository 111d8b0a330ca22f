package io.promptune.optimizer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a study's trials live. Every change is persisted before the call returns. Implementations
 * must be safe for several threads, and the shared ones (journal file, PostgreSQL) for several
 * processes: trial numbers are unique and a WAITING trial is claimed by one worker only.
 */
public interface StudyStorage extends AutoCloseable {
    /** Creates the study, or checks that the existing one has the same directions. */
    void createOrLoadStudy(String study, List<Direction> directions);

    /** Directions of an existing study, or empty when there is no such study. */
    Optional<List<Direction>> directions(String study);

    /** Adds a trial with the next free number, WAITING (enqueued) or RUNNING (claimed by {@code worker}). */
    Trial createTrial(String study, Trial template);

    /** Atomically moves the oldest WAITING trial to RUNNING for this worker. */
    Optional<Trial> claimWaiting(String study, String worker, Instant now);

    /** Replaces the stored state of a trial (same number). A finished trial cannot be changed again. */
    void updateTrial(String study, Trial trial);

    /**
     * Marks the trial FAILED if it is still RUNNING with a heartbeat older than {@code staleBefore};
     * returns true only to the one caller that did it (so its configuration is re-queued once).
     */
    boolean failIfStale(String study, int number, Instant staleBefore, String reason, Instant now);

    /** Records that the worker running these trials is alive. */
    void heartbeat(String study, List<Integer> numbers, Instant now);

    /** All trials of the study in number order. */
    List<Trial> trials(String study);

    @Override
    default void close() {
    }
}
