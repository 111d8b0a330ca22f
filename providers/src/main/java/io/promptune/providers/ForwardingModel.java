package io.promptune.providers;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Base for decorators: forwards everything to the wrapped model; subclasses override what they change. */
public abstract class ForwardingModel implements LanguageModel {
    protected final LanguageModel delegate;

    protected ForwardingModel(LanguageModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    public LanguageModel delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return delegate.complete(request);
    }

    /**
     * A batch goes down as one batch: a layer that does not care about batches must not split them
     * (the local engine runs a batch in lockstep and shares prompt prefixes; one-at-a-time calls lose both).
     */
    @Override
    public java.util.List<Completion> completeBatch(java.util.List<CompletionRequest> requests) {
        return delegate.completeBatch(requests);
    }

    /** Streaming goes straight to the delegate; layers that must see every call (cache, retries) override it. */
    @Override
    public Completion completeStreaming(CompletionRequest request, java.util.function.Consumer<String> onText) {
        return delegate.completeStreaming(request, onText);
    }

    @Override
    public Set<String> supportedParameters() {
        return delegate.supportedParameters();
    }

    @Override
    public Map<String, Long> counters() {
        return delegate.counters();
    }

    /** The delegate's counters plus this layer's own. */
    protected Map<String, Long> withCounters(Map<String, Long> own) {
        Map<String, Long> all = new java.util.TreeMap<>(delegate.counters());
        own.forEach((k, v) -> all.merge(k, v, Long::sum));
        return all;
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
