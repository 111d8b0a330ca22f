package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a batch's requests at the same time, one virtual thread each, for backends that cannot
 * batch themselves (remote APIs). How many really go at once is the job of a
 * {@link ConcurrencyLimitedModel} below this one. Results stay in request order.
 */
public final class ConcurrentBatchModel extends ForwardingModel {
    public ConcurrentBatchModel(LanguageModel delegate) {
        super(delegate);
    }

    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        if (requests.size() <= 1) return super.completeBatch(requests);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Completion>> futures = new ArrayList<>(requests.size());
            for (CompletionRequest r : requests) futures.add(pool.submit(() -> complete(r)));
            List<Completion> out = new ArrayList<>(requests.size());
            for (Future<Completion> f : futures) out.add(resultOf(f));
            return out;
        }
    }

    private static Completion resultOf(Future<Completion> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Completion.failed("interrupted", Duration.ZERO);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return Completion.failed(c.getClass().getSimpleName() + ": " + c.getMessage(), Duration.ZERO);
        }
    }
}
