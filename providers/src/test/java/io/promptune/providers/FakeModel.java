package io.promptune.providers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A deterministic stand-in model: answers "echo: <last message>" plus a tag naming the seed and
 * sample, so tests can tell apart answers that must differ. Records every request it sees.
 */
public class FakeModel implements LanguageModel {
    public final List<CompletionRequest> seen = new CopyOnWriteArrayList<>();
    public final AtomicInteger calls = new AtomicInteger();
    public final AtomicInteger batchCalls = new AtomicInteger();
    private final String id;
    private final Set<String> supported;

    public FakeModel() {
        this("fake:echo", Set.copyOf(DecodingParams.NAMES));
    }

    public FakeModel(String id, Set<String> supported) {
        this.id = id;
        this.supported = supported;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Set<String> supportedParameters() {
        return supported;
    }

    public static String answerFor(CompletionRequest r) {
        String last = r.isChat() ? r.messages().getLast().content() : r.rawPrompt();
        return "echo: " + last + " [seed=" + r.params().seed() + " sample=" + r.sampleIndex() + "]";
    }

    @Override
    public Completion complete(CompletionRequest r) {
        calls.incrementAndGet();
        seen.add(r);
        String text = answerFor(r);
        FinishReason reason = FinishReason.EOS;
        Integer max = r.params().maxTokens();
        String[] words = text.split(" ");
        if (max != null && max < words.length) {
            text = String.join(" ", List.of(words).subList(0, max));
            reason = FinishReason.LENGTH;
        }
        long in = r.isChat() ? r.messages().stream().mapToLong(m -> m.content().split(" ").length).sum()
                : r.rawPrompt().split(" ").length;
        return new Completion(text, reason, new TokenUsage(in, text.split(" ").length), Duration.ofMillis(1), 0, false, null);
    }

    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        batchCalls.incrementAndGet();
        return LanguageModel.super.completeBatch(requests);
    }

    @Override
    public Completion completeStreaming(CompletionRequest r, Consumer<String> onText) {
        Completion c = complete(r);
        String[] words = c.text().split(" ");
        for (int i = 0; i < words.length; i++) onText.accept(i == 0 ? words[i] : " " + words[i]);
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("fake_calls", (long) calls.get());
    }
}
