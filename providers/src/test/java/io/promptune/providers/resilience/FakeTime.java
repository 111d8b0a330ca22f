package io.promptune.providers.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when someone sleeps; records every sleep. */
public final class FakeTime implements TimeSource {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    public final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        now.addAndGet(d.toNanos());
    }

    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
