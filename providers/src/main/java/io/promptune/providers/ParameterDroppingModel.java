package io.promptune.providers;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The explicit alternative to refusing a search space: parameters the backend lacks are removed from
 * every request, after one visible warning. Trials that differ only in a dropped parameter then get
 * the same answers, which the warning says.
 */
public final class ParameterDroppingModel extends ForwardingModel {
    private final Set<String> dropped;

    private ParameterDroppingModel(LanguageModel delegate, Set<String> dropped) {
        super(delegate);
        this.dropped = Set.copyOf(dropped);
    }

    /**
     * Wraps {@code model} so that the names in {@code wanted} it does not support are dropped; warns
     * through {@code warn} once. Returns {@code model} itself when nothing needs dropping.
     */
    public static LanguageModel dropUnsupported(LanguageModel model, Set<String> wanted, Consumer<String> warn) {
        Set<String> drop = new LinkedHashSet<>();
        for (String n : wanted) {
            if (DecodingParams.NAMES.contains(n) && !model.supportedParameters().contains(n)) drop.add(n);
        }
        if (drop.isEmpty()) return model;
        warn.accept("warning: " + model.id() + " does not support " + String.join(", ", new TreeSet<>(drop))
                + "; " + (drop.size() == 1 ? "it is" : "they are") + " NOT sent, so trials that differ only in "
                + (drop.size() == 1 ? "it" : "them") + " get the same answers");
        return new ParameterDroppingModel(model, drop);
    }

    public Set<String> dropped() {
        return dropped;
    }

    @Override
    public Set<String> supportedParameters() {
        Set<String> s = new LinkedHashSet<>(delegate.supportedParameters());
        s.addAll(dropped);
        return s;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return delegate.complete(strip(request));
    }

    @Override
    public Completion completeStreaming(CompletionRequest request, java.util.function.Consumer<String> onText) {
        return delegate.completeStreaming(strip(request), onText);
    }

    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        return delegate.completeBatch(requests.stream().map(this::strip).toList());
    }

    private CompletionRequest strip(CompletionRequest r) {
        return new CompletionRequest(r.isChat() ? r.messages() : null, r.rawPrompt(), r.params().without(dropped), r.sampleIndex());
    }
}
