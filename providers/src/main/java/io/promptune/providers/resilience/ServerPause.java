package io.promptune.providers.resilience;

import java.time.Duration;

/**
 * A Retry-After is about the server, not one request: after a 429 that names a wait, every request
 * of the run holds back until then instead of hammering the server and collecting more 429s.
 * {@link RetryingModel} starts a pause; {@link PauseGateModel} makes each call wait it out.
 */
public final class ServerPause {
    private final TimeSource time;
    private long resumeAtNanos;
    private boolean paused;

    public ServerPause(TimeSource time) {
        this.time = time;
    }

    /** Holds every request back for {@code d} from now (a later resume time wins). */
    public synchronized void pauseFor(Duration d) {
        long at = time.nanoTime() + d.toNanos();
        if (!paused || at - resumeAtNanos > 0) resumeAtNanos = at;
        paused = true;
    }

    /** How long a request must still wait; zero when there is no pause. */
    public synchronized Duration remaining() {
        if (!paused) return Duration.ZERO;
        long left = resumeAtNanos - time.nanoTime();
        if (left <= 0) {
            paused = false;
            return Duration.ZERO;
        }
        return Duration.ofNanos(left);
    }
}
