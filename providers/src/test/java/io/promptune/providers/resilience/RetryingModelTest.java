package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import io.promptune.providers.ModelCallException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.*;

class RetryingModelTest {
    /** Throws the queued failures first, then answers. */
    static final class Flaky extends FakeModel {
        final Deque<RuntimeException> failures = new ArrayDeque<>();

        Flaky(RuntimeException... f) {
            failures.addAll(List.of(f));
        }

        @Override
        public Completion complete(CompletionRequest r) {
            RuntimeException e;
            synchronized (failures) {
                e = failures.poll();
            }
            if (e != null) {
                calls.incrementAndGet();
                throw e;
            }
            return super.complete(r);
        }
    }

    static final CompletionRequest REQ = CompletionRequest.raw("hello", DecodingParams.defaults());
    final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30));

    @Test
    void retriesTransientFaultsHonouringRetryAfterAndCountsEveryRetry() {
        Flaky flaky = new Flaky(
                ModelCallException.transientFailure("429", 429, Duration.ofSeconds(7)),
                ModelCallException.transientFailure("503", 503, null),
                ModelCallException.transientFailure("timeout", 0, null));
        FakeTime time = new FakeTime();
        RetryingModel m = new RetryingModel(flaky, policy, time, new SplittableRandom(1));
        Completion c = m.complete(REQ);
        assertFalse(c.isError(), c.error());
        assertEquals(FakeModel.answerFor(REQ), c.text());
        assertEquals(3, m.retries());
        assertEquals(4, flaky.calls.get());
        assertEquals(Duration.ofSeconds(7), time.sleeps.get(0), "Retry-After is honoured exactly");
        // backoff after attempt 2 is 200ms, jittered into [100ms, 200ms]; after attempt 3: [200ms, 400ms]
        assertTrue(between(time.sleeps.get(1), 100, 200), time.sleeps.toString());
        assertTrue(between(time.sleeps.get(2), 200, 400), time.sleeps.toString());
        var counters = m.counters();
        assertEquals(3L, counters.get("retries"));
        assertEquals(1L, counters.get("retries_429"));
        assertEquals(1L, counters.get("retries_5xx"));
        assertEquals(1L, counters.get("retries_timeout_or_connection"));
        assertEquals(0L, counters.get("failed_requests"));
        assertEquals(4L, counters.get("fake_calls"), "delegate counters are kept");
    }

    @Test
    void permanentFailuresAreNotRetriedAndComeBackAsFailedCompletions() {
        Flaky flaky = new Flaky(ModelCallException.permanent("HTTP 400 bad request"));
        RetryingModel m = new RetryingModel(flaky, policy, new FakeTime(), new SplittableRandom(1));
        Completion c = m.complete(REQ);
        assertTrue(c.isError());
        assertTrue(c.error().contains("HTTP 400"), c.error());
        assertEquals(0, m.retries());
        assertEquals(1, flaky.calls.get());
    }

    @Test
    void givesUpAfterMaxAttemptsWithAClearMessage() {
        RuntimeException[] many = new RuntimeException[10];
        for (int i = 0; i < many.length; i++) many[i] = ModelCallException.transientFailure("HTTP 500", 500, null);
        Flaky flaky = new Flaky(many);
        RetryingModel m = new RetryingModel(flaky, policy, new FakeTime(), new SplittableRandom(1));
        Completion c = m.complete(REQ);
        assertTrue(c.isError());
        assertTrue(c.error().contains("gave up after 5 attempts"), c.error());
        assertEquals(5, flaky.calls.get());
        assertEquals(4, m.retries());
        assertEquals(1L, m.counters().get("failed_requests"));
    }

    @Test
    void backoffGrowsExponentiallyAndIsCapped() {
        RetryPolicy p = new RetryPolicy(20, Duration.ofMillis(100), Duration.ofMillis(1000), 2.0, Duration.ofSeconds(30));
        RandomGenerator max = new SplittableRandom(1);
        for (int attempt = 1; attempt <= 8; attempt++) {
            long expectedCap = Math.min(100L << (attempt - 1), 1000);
            Duration d = p.delayAfter(attempt, Optional.empty(), max);
            assertTrue(between(d, expectedCap / 2, expectedCap), "attempt " + attempt + ": " + d);
        }
        assertEquals(Duration.ofSeconds(30), p.delayAfter(1, Optional.of(Duration.ofHours(1)), max), "Retry-After is capped");
    }

    private static boolean between(Duration d, long loMs, long hiMs) {
        return d.toNanos() >= loMs * 1_000_000 && d.toNanos() <= hiMs * 1_000_000;
    }
}
