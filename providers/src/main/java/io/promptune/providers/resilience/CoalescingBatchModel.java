package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns concurrent single requests into batches, for a backend that batches well but serves one
 * call at a time (the local engine behind {@code promptune serve}). While the backend is busy, new
 * requests queue; when it frees up, everything queued goes down as one {@code completeBatch}. No
 * request waits for a timer: a lone request is sent at once.
 */
public final class CoalescingBatchModel extends ForwardingModel {
    private record Pending(CompletionRequest request, CompletableFuture<Completion> result) { }

    private final int maxBatch;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock draining = new ReentrantLock();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();

    public CoalescingBatchModel(LanguageModel delegate, int maxBatch) {
        super(delegate);
        if (maxBatch < 1) throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        this.maxBatch = maxBatch;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        Pending p = new Pending(request, new CompletableFuture<>());
        queue.add(p);
        drain();
        return p.result().join();
    }

    /** How many requests are waiting for the backend. */
    public int queued() {
        return queue.size();
    }

    /**
     * Whoever gets the lock sends batches until the queue is empty; the others leave their request
     * queued. Re-checking after unlocking closes the gap where a request arrives just as the drainer
     * finishes.
     */
    private void drain() {
        do {
            if (!draining.tryLock()) return;
            try {
                List<Pending> batch;
                while (!(batch = take()).isEmpty()) send(batch);
            } finally {
                draining.unlock();
            }
        } while (!queue.isEmpty());
    }

    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while (batch.size() < maxBatch && (p = queue.poll()) != null) batch.add(p);
        return batch;
    }

    private void send(List<Pending> batch) {
        batches.incrementAndGet();
        if (batch.size() > 1) coalesced.addAndGet(batch.size());
        try {
            List<Completion> out = batch.size() == 1 ? List.of(delegate.complete(batch.getFirst().request()))
                    : delegate.completeBatch(batch.stream().map(Pending::request).toList());
            for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(out.get(i));
        } catch (RuntimeException e) {
            Completion failed = Completion.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), Duration.ZERO);
            for (Pending p : batch) p.result().complete(failed);
        }
    }

    @Override
    public Map<String, Long> counters() {
        return withCounters(Map.of("coalesced_batches", batches.get(), "coalesced_requests", coalesced.get()));
    }
}
