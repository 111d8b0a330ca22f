package io.promptune.providers;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

    /** Names of the decoding parameters this backend honours (see DecodingParams constants). */
    Set<String> supportedParameters();

    @Override
    default void close() { }
}
