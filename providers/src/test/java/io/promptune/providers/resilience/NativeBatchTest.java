package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.ParameterDroppingModel;
import io.promptune.providers.cache.CachingModel;
import io.promptune.providers.cache.InMemoryResponseCache;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A backend that batches by itself (the local engine: lockstep decoding, shared prompt prefixes)
 * must get a trial's batch as ONE completeBatch call through every decorator it is wrapped in.
 */
class NativeBatchTest {
    static List<CompletionRequest> requests(int n) {
        List<CompletionRequest> reqs = new ArrayList<>();
        for (int i = 0; i < n; i++) reqs.add(CompletionRequest.raw("q" + i, DecodingParams.builder().temperature(0.0).build()));
        return reqs;
    }

    static void assertOneBatch(LanguageModel stack, FakeModel backend) {
        List<CompletionRequest> reqs = requests(8);
        List<Completion> out = stack.completeBatch(reqs);
        assertEquals(1, backend.batchCalls.get(), "the batch must reach the backend as one call");
        assertEquals(8, backend.calls.get());
        for (int i = 0; i < reqs.size(); i++) assertEquals(FakeModel.answerFor(reqs.get(i)), out.get(i).text(), "request " + i);
    }

    @Test
    void resilientStackWithoutFanOutKeepsTheBatchWhole() {
        FakeModel backend = new FakeModel();
        LanguageModel stack = ResilientModel.around(backend).concurrentBatches(false).maxConcurrency(2)
                .requestsPerMinute(10_000).tokensPerMinute(1_000_000).timeSource(new FakeTime())
                .cache(new InMemoryResponseCache()).build();
        assertOneBatch(stack, backend);
        assertEquals(1L, stack.counters().get("peak_concurrency"), "one batch holds one slot");
    }

    @Test
    void everyDecoratorForwardsBatchesWhole() {
        FakeModel backend = new FakeModel();
        FakeTime time = new FakeTime();
        LanguageModel stack = new ConcurrencyLimitedModel(backend, 4);
        stack = new RateLimitedModel(stack, new RateLimiter(10_000, 1_000_000, time));
        stack = new PauseGateModel(stack, new ServerPause(time), time);
        stack = new RetryingModel(stack, RetryPolicy.defaults(), time, java.util.random.RandomGenerator.of("L64X128MixRandom"));
        stack = new CachingModel(stack, new InMemoryResponseCache());
        stack = ParameterDroppingModel.dropUnsupported(stack, Set.of(), w -> { });
        stack = new io.promptune.providers.ForwardingModel(stack) { }; // a decorator that overrides nothing
        assertOneBatch(stack, backend);
    }
}
