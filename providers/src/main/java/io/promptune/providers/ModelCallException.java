package io.promptune.providers;

import java.time.Duration;
import java.util.Optional;

/**
 * A backend call failed. Thrown by adapters inside a decorator stack so that {@code RetryingModel}
 * can decide whether to try again; the outermost layer turns it into {@link Completion#failed}.
 * The message never contains an API key (adapters redact it before building one).
 */
public class ModelCallException extends RuntimeException {
    private final boolean retryable;
    private final int statusCode;
    private final Duration retryAfter;

    public ModelCallException(String message, boolean retryable, int statusCode, Duration retryAfter) {
        super(message, null, false, false);
        this.retryable = retryable;
        this.statusCode = statusCode;
        this.retryAfter = retryAfter;
    }

    public static ModelCallException permanent(String message) {
        return new ModelCallException(message, false, 0, null);
    }

    public static ModelCallException transientFailure(String message, int statusCode, Duration retryAfter) {
        return new ModelCallException(message, true, statusCode, retryAfter);
    }

    /** True for faults that may pass: 429, 5xx, timeouts, dropped connections. */
    public boolean retryable() {
        return retryable;
    }

    /** HTTP status, or 0 when there was none (timeout, connection dropped). */
    public int statusCode() {
        return statusCode;
    }

    /** The server's requested wait (Retry-After), if it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
