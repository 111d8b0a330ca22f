package io.promptune.providers;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one interface every model sits behind, local or remote. A tuning run only talks to this.
 */
public interface LanguageModel extends AutoCloseable {
    /** A stable id such as "local:SmolLM2-135M-Instruct.Q4_1" or "openai:gpt-4o-mini", used in caches and reports. */
    String id();

    /** Completes one request. Failures after retries come back as {@link Completion#failed}, not exceptions. */
    Completion complete(CompletionRequest request);

    /**
     * Completes many requests; backends that can batch (the local engine) or run them concurrently
     * (remote APIs) override this. Results are in request order.
     */
    default List<Completion> completeBatch(List<CompletionRequest> requests) {
        List<Completion> out = new ArrayList<>(requests.size());
        for (CompletionRequest r : requests) out.add(complete(r));
        return out;
    }

    /**
     * True when {@link #completeBatch(List, int)} keeps {@code width} requests in flight and gives a finished
     * request's slot to the next one (the local engine): callers then hand it several batches at once.
     * Decorators answer false (their batch-by-batch behaviour, pauses and limits, stays as it was).
     */
    default boolean refillsBatches() {
        return false;
    }

    /**
     * Completes many requests with at most {@code width} in flight at once. The default sends them as
     * consecutive {@link #completeBatch(List)} calls of {@code width}; a backend that refills a finished
     * request's slot from the remaining ones (the local engine's continuous batching) overrides it, so
     * its batch stays full instead of waiting for each group's longest answer. Results are in request order.
     */
    default List<Completion> completeBatch(List<CompletionRequest> requests, int width) {
        if (width < 1) throw new IllegalArgumentException("batch width must be >= 1, got " + width);
        List<Completion> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i += width) {
            out.addAll(completeBatch(requests.subList(i, Math.min(requests.size(), i + width))));
        }
        return out;
    }

    /**
     * Completes one request, handing text to {@code onText} as it is produced. Backends that cannot
     * stream deliver the whole text in one piece when it is done.
     */
    default Completion completeStreaming(CompletionRequest request, Consumer<String> onText) {
        Completion c = complete(request);
        if (!c.isError() && !c.text().isEmpty()) onText.accept(c.text());
        return c;
    }

    /** Names of the decoding parameters this backend honours (see DecodingParams constants). */
    Set<String> supportedParameters();

    /**
     * Refuses, before any request is sent, a set of parameter names (e.g. a search space's) that
     * names a decoding parameter this backend cannot honour. Names that are not decoding parameters
     * (template choices, few-shot counts) are ignored.
     */
    default void checkSupported(Set<String> parameterNames) {
        Set<String> unsupported = new LinkedHashSet<>();
        for (String n : parameterNames) {
            if (DecodingParams.NAMES.contains(n) && !supportedParameters().contains(n)) unsupported.add(n);
        }
        if (!unsupported.isEmpty()) throw new UnsupportedParameterException(id(), unsupported, supportedParameters());
    }

    /**
     * Counters for reports (retries, cache hits, ...). Decorators add theirs to their delegate's;
     * a bare backend has none.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    default void close() { }
}
