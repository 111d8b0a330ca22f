package io.promptune.providers.resilience;

import java.time.Duration;

/** Clock and sleep in one place, so backoff and rate limits can be tested without waiting. */
public interface TimeSource {
    long nanoTime();

    void sleep(Duration d) throws InterruptedException;

    TimeSource SYSTEM = new TimeSource() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            if (d.isPositive()) Thread.sleep(d);
        }
    };
}
