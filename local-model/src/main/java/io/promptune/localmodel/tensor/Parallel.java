package io.promptune.localmodel.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool of worker threads for the engine's data-parallel loops (matmul rows,
 * attention heads). The calling thread works too, so {@code threads == 1} runs everything inline.
 * Workers spin briefly before parking: a decode step issues hundreds of short parallel sections,
 * and waking parked threads each time would cost more than the work.
 */
public final class Parallel implements AutoCloseable {
    /** A body over one task index. */
    @FunctionalInterface
    public interface Task {
        void run(int index);
    }

    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Task task;
    private volatile int taskCount;
    private volatile Throwable failure;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workLoop, "promptune-engine-" + (i + 1));
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
     * Not reentrant: one section at a time (the engine calls it from one thread).
     */
    public synchronized void forEach(int count, Task body) {
        if (count <= 0) return;
        if (workers.length == 0 || count == 1) {
            for (int i = 0; i < count; i++) body.run(i);
            return;
        }
        if (closed) throw new IllegalStateException("thread pool is closed");
        failure = null;
        task = body;
        taskCount = count;
        next.set(0);
        pending.set(workers.length + 1);
        generation++;
        for (Thread w : workers) LockSupport.unpark(w);
        drain(body, count);
        pending.decrementAndGet();
        while (pending.get() > 0) Thread.onSpinWait();
        task = null;
        Throwable f = failure;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error e) throw e;
    }

    /** Splits [0, n) into about {@code threads * 2} contiguous ranges and runs them in parallel. */
    public void forRange(int n, RangeTask body) {
        int chunks = Math.min(n, workers.length == 0 ? 1 : threads * 2);
        if (chunks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        forEach(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /** A body over a range [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    private void drain(Task body, int count) {
        int i;
        while ((i = next.getAndIncrement()) < count) {
            try {
                body.run(i);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private void workLoop() {
        int seen = 0;
        while (!closed) {
            long spinStart = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 1_000_000);
            }
            if (closed) return;
            seen = generation;
            Task body = task;
            if (body != null) drain(body, taskCount);
            pending.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
