package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class CoalescingBatchModelTest {
    @Test
    void requestsArrivingWhileTheBackendIsBusyGoDownAsOneBatch() throws Exception {
        CountDownLatch firstCallStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        FakeModel backend = new FakeModel() {
            @Override
            public Completion complete(CompletionRequest r) {
                if (firstCallStarted.getCount() > 0) {
                    batchSizes.add(1);
                    firstCallStarted.countDown();
                    await(release);
                }
                return super.complete(r);
            }

            @Override
            public List<Completion> completeBatch(List<CompletionRequest> requests) {
                batchSizes.add(requests.size());
                return super.completeBatch(requests);
            }
        };
        CoalescingBatchModel m = new CoalescingBatchModel(backend, 8);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletionRequest first = CompletionRequest.raw("first", DecodingParams.defaults());
            Future<Completion> f0 = pool.submit(() -> m.complete(first));
            assertTrue(firstCallStarted.await(10, TimeUnit.SECONDS));
            List<CompletionRequest> later = new ArrayList<>();
            List<Future<Completion>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                CompletionRequest r = CompletionRequest.raw("later " + i, DecodingParams.defaults());
                later.add(r);
                fs.add(pool.submit(() -> m.complete(r)));
            }
            while (m.queued() < 5) Thread.onSpinWait(); // all five are waiting behind the busy backend
            release.countDown();
            assertEquals(FakeModel.answerFor(first), f0.get().text());
            for (int i = 0; i < 5; i++) assertEquals(FakeModel.answerFor(later.get(i)), fs.get(i).get().text());
        }
        assertEquals(List.of(1, 5), batchSizes);
        assertEquals(2L, m.counters().get("coalesced_batches"));
        assertEquals(5L, m.counters().get("coalesced_requests"));
    }

    @Test
    void manyConcurrentCallersAllGetTheirOwnAnswer() throws Exception {
        FakeModel backend = new FakeModel();
        CoalescingBatchModel m = new CoalescingBatchModel(backend, 4);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Completion>> fs = new ArrayList<>();
            List<CompletionRequest> rs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                CompletionRequest r = CompletionRequest.raw("q" + i, DecodingParams.defaults());
                rs.add(r);
                fs.add(pool.submit(() -> m.complete(r)));
            }
            for (int i = 0; i < 200; i++) assertEquals(FakeModel.answerFor(rs.get(i)), fs.get(i).get(10, TimeUnit.SECONDS).text());
        }
        assertEquals(200, backend.calls.get());
        assertEquals(0, m.queued());
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("not released");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
