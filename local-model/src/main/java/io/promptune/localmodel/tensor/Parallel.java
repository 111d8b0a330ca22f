package io.promptune.localmodel.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool of worker threads for the engine's data-parallel loops (matmul rows,
 * attention heads). The calling thread works too, so {@code threads == 1} runs everything inline.
 * Tasks are handed out one index at a time from a shared counter and the caller waits only for the
 * tasks, not for every worker: on a busy machine a worker that is not scheduled in time simply
 * misses the section instead of stalling it. Workers spin briefly before parking, because a decode
 * step issues hundreds of short sections; while a caller {@link #hold holds} the pool (a forward pass) they
 * keep spinning through the serial work between its sections, as ggml's threads spin on their barrier
 * between the ops of a graph: a parked worker took tens of microseconds (hundreds on a busy machine) to
 * join each section.
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
    /**
     * How long a worker spins for the next section while the pool is held: longer than any serial stretch
     * of a forward pass (tens of microseconds), short enough that a held pool whose caller stopped
     * issuing sections (e.g. descheduled on a busy machine) stops burning a core soon.
     */
    private static final long HELD_SPIN_NANOS = 1_000_000;
    /** A spinning worker that finds this much time passed between two turns of its loop was descheduled. */
    private static final long PREEMPTED_NANOS = 50_000;
    /**
     * After a worker was descheduled while spinning it spins only briefly for this long: on a machine with more
     * runnable threads than cores a spinning worker loses its scheduling priority and holds up the sections it
     * joins late (measured: a held pool at load 7-10 on 2 cores ran a decode at half the speed).
     */
    private static final long CALM_NANOS = 200_000_000L;

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
    /**
     * Per worker, 1 while it is (about to be) parked. Volatile accesses, so a parking worker and a publishing caller
     * cannot both miss each other (with a plain boolean[] the worker's store could pass its read of {@link #current}
     * and it slept its full 2 ms park with a section waiting).
     */
    private final AtomicIntegerArray parked;
    private volatile Job current;
    private volatile boolean closed;
    /** Callers currently holding the pool hot (see {@link #hold}). */
    private final AtomicInteger holds = new AtomicInteger();

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new AtomicIntegerArray(Math.max(0, threads - 1));
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
            if (parked.get(i) != 0) LockSupport.unpark(workers[i]);
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

    /**
     * Keeps the workers spinning between sections until {@link #release}: for a caller about to issue many
     * sections with short serial stretches between them (a forward pass). Calls nest; every hold needs its release.
     */
    public void hold() {
        holds.incrementAndGet();
    }

    /** Ends a {@link #hold}: workers go back to parking after a short spin. */
    public void release() {
        holds.decrementAndGet();
    }

    private void workLoop(int id) {
        Job seen = null;
        long preemptedAt = System.nanoTime() - CALM_NANOS;
        while (!closed) {
            Job job = current;
            if (job != seen && job != null) {
                seen = job;
                job.drain();
                continue;
            }
            long spinStart = System.nanoTime(), last = spinStart;
            while (current == seen && !closed) {
                long now = System.nanoTime(), spun = now - spinStart;
                // A long gap between two turns of this loop means the thread was descheduled: more runnable threads
                // than cores, where spinning through a held pass only costs (see CALM_NANOS).
                if (now - last > PREEMPTED_NANOS) preemptedAt = now;
                last = now;
                boolean held = holds.get() > 0 && now - preemptedAt > CALM_NANOS;
                if (spun < SPIN_NANOS || held && spun < HELD_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked.set(id, 1);
                    if (current == seen && !closed) LockSupport.parkNanos(this, 2_000_000);
                    parked.set(id, 0);
                    last = System.nanoTime(); // the park is no preemption
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
