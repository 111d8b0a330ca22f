package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import io.promptune.providers.ModelCallException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

class ServerPauseTest {
    @Test
    void aRetryAfterHoldsBackOtherRequestsToo() {
        FakeTime time = new FakeTime();
        ServerPause pause = new ServerPause(time);
        FakeModel backend = new FakeModel();
        PauseGateModel gate = new PauseGateModel(backend, pause, time);
        pause.pauseFor(Duration.ofSeconds(5));
        time.advance(Duration.ofSeconds(2));
        Completion c = gate.complete(CompletionRequest.raw("other request", DecodingParams.defaults()));
        assertFalse(c.isError());
        assertEquals(java.util.List.of(Duration.ofSeconds(3)), time.sleeps, "waited out the rest of the pause");
        assertEquals(1L, gate.counters().get("server_pause_waits"));
        gate.complete(CompletionRequest.raw("later", DecodingParams.defaults()));
        assertEquals(1, time.sleeps.size(), "no pause, no wait");
    }

    @Test
    void retryingModelStartsThePauseOnRetryAfter() {
        FakeTime time = new FakeTime();
        ServerPause pause = new ServerPause(time);
        AtomicBoolean failed = new AtomicBoolean();
        FakeModel once429 = new FakeModel() {
            @Override
            public Completion complete(CompletionRequest r) {
                if (failed.compareAndSet(false, true)) throw ModelCallException.transientFailure("429", 429, Duration.ofSeconds(4));
                // the retry itself sees the pause already served by the retry wait
                assertEquals(Duration.ZERO, pause.remaining());
                return super.complete(r);
            }
        };
        RetryingModel m = new RetryingModel(new PauseGateModel(once429, pause, time), RetryPolicy.defaults(), time,
                new java.util.SplittableRandom(1)).pausingAllRequestsOn(pause);
        assertFalse(m.complete(CompletionRequest.raw("x", DecodingParams.defaults())).isError());
        assertEquals(Duration.ofSeconds(4), time.sleeps.getFirst());
        assertEquals(1, time.sleeps.size());
    }

    @Test
    void theLaterResumeTimeWins() {
        FakeTime time = new FakeTime();
        ServerPause pause = new ServerPause(time);
        pause.pauseFor(Duration.ofSeconds(10));
        pause.pauseFor(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(10), pause.remaining());
    }
}
