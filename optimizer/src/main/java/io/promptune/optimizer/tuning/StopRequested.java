package io.promptune.optimizer.tuning;

/** Thrown between model calls when the user asked the run to stop (Ctrl-C); in-flight calls finish first. */
public final class StopRequested extends RuntimeException {
    public StopRequested() {
        super("stopped on request", null, false, false);
    }
}
