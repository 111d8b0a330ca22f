package io.promptune.localmodel.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool of worker threads for the engine's data-parallel loops (matmul rows,
 * attention heads). The calling thread works too, so {@code threads == 1} runs everything inline.
 * Tasks are handed out one index at a time from a shared counter and the caller waits only for the
 * tasks, not for every worker: on a busy machine a worker that is not scheduled in time simply
 * misses the section instead of stalling it. Workers spin briefly before parking, because a decode
 * step issues hundreds of short sections.
 */
public final class Parallel implements AutoCloseable {
    /** A body over one task index. */
    @FunctionalInterface
    public interface Task {
        void run(int index);
    }

    /** A body over a range [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    private static final long SPIN_NANOS = 20_000;

    /** One parallel section: its tasks are claimed through {@code next} and counted in {@code done}. */
    private static final class Job {
        final Task body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(Task body, int count) {
            this.body = body;
            this.count = count;
        }

        void drain() {
            int i;
            while ((i = next.getAndIncrement()) < count) {
                try {
                    body.run(i);
                } catch (Throwable t) {
                    failure = t;
                }
                done.incrementAndGet();
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    private final boolean[] parked;
    private volatile Job current;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new boolean[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            final int id = i;
            Thread t = new Thread(() -> workLoop(id), "promptune-engine-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Threads used by default: every available processor. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int threads() { return threads; }

    /**
     * Runs {@code body} for every index in [0, count), spread over the pool; returns when all are done.
     * One section at a time (callers are serialised).
     */
    public synchronized void forEach(int count, Task body) {
        if (count <= 0) return;
        if (workers.length == 0 || count == 1) {
            for (int i = 0; i < count; i++) body.run(i);
            return;
        }
        if (closed) throw new IllegalStateException("thread pool is closed");
        Job job = new Job(body, count);
        current = job;
        for (int i = 0; i < workers.length; i++) {
            if (parked[i]) LockSupport.unpark(workers[i]);
        }
        job.drain();
        long spinStart = System.nanoTime();
        while (job.done.get() < count) {
            if (System.nanoTime() - spinStart < SPIN_NANOS) Thread.onSpinWait();
            else Thread.yield();
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error e) throw e;
    }

    /** Splits [0, n) into contiguous ranges (a few per thread) and runs them in parallel. */
    public void forRange(int n, RangeTask body) {
        int chunks = Math.min(n, workers.length == 0 ? 1 : threads * 4);
        if (chunks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        forEach(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    private void workLoop(int id) {
        Job seen = null;
        while (!closed) {
            Job job = current;
            if (job != seen && job != null) {
                seen = job;
                job.drain();
                continue;
            }
            long spinStart = System.nanoTime();
            while (current == seen && !closed) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked[id] = true;
                    if (current == seen && !closed) LockSupport.parkNanos(this, 2_000_000);
                    parked[id] = false;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
