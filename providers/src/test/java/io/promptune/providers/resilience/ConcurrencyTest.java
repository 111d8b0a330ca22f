package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class ConcurrencyTest {
    @Test
    void batchRunsConcurrentlyUpToTheLimitAndKeepsOrder() {
        int limit = 3;
        CountDownLatch allowedInFlight = new CountDownLatch(limit);
        FakeModel slow = new FakeModel() {
            @Override
            public Completion complete(CompletionRequest r) {
                // The first `limit` calls wait until `limit` are in flight together: proof of concurrency
                // without timing. Later calls pass straight through.
                allowedInFlight.countDown();
                try {
                    if (!allowedInFlight.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("never reached " + limit);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return super.complete(r);
            }
        };
        ConcurrencyLimitedModel limited = new ConcurrencyLimitedModel(slow, limit);
        ConcurrentBatchModel batch = new ConcurrentBatchModel(limited);
        List<CompletionRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 20; i++) reqs.add(CompletionRequest.raw("q" + i, DecodingParams.defaults()));
        List<Completion> out = batch.completeBatch(reqs);
        for (int i = 0; i < 20; i++) assertEquals(FakeModel.answerFor(reqs.get(i)), out.get(i).text());
        assertEquals(limit, limited.peakConcurrency());
    }

    @Test
    void resilientStackSumsCountersOfEveryLayer() {
        FakeModel fake = new FakeModel();
        var m = ResilientModel.around(fake).maxConcurrency(2).requestsPerMinute(1000).timeSource(new FakeTime())
                .cache(new io.promptune.providers.cache.InMemoryResponseCache()).build();
        CompletionRequest r = CompletionRequest.raw("x", DecodingParams.builder().temperature(0.0).build());
        m.completeBatch(List.of(r, r.withSampleIndex(1), CompletionRequest.raw("y", DecodingParams.defaults())));
        m.complete(r);
        var c = m.counters();
        // r and its sample 1 are the same request at temperature 0: sent once, even within one batch
        assertEquals(2L, c.get("cache_misses"));
        assertEquals(2L, c.get("cache_hits"));
        assertEquals(0L, c.get("retries"));
        assertEquals(2L, c.get("fake_calls"));
        assertTrue(c.containsKey("rate_limit_waits") && c.containsKey("peak_concurrency"), c.toString());
    }
}
