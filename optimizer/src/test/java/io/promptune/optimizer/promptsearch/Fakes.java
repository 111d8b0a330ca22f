package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.Score;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Deterministic stand-ins for models, datasets and a metric. */
final class Fakes {
    private Fakes() { }

    /** Reviews "item i was good/bad/so-so" labelled positive/negative/neutral. */
    static List<Example> reviews(String prefix, int n) {
        String[] words = {"good", "bad", "so-so"}, labels = {"positive", "negative", "neutral"};
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Example(prefix + i, Map.of("text", prefix + " item " + i + " was " + words[i % 3]), List.of(labels[i % 3]), Map.of()));
        }
        return out;
    }

    static String truth(String text) {
        return text.contains("was good") ? "positive" : text.contains("was bad") ? "negative" : "neutral";
    }

    static final Metric ACCURACY = new Metric() {
        @Override public Score score(String output, Example example) { return Score.of(output.strip().equals(example.reference())); }
        @Override public String name() { return "accuracy"; }
    };

    /** The question of a request: the last user message, or the raw prompt's last paragraph. */
    static String question(CompletionRequest r) {
        if (!r.isChat()) {
            String[] parts = r.rawPrompt().strip().split("\n\n");
            return parts[parts.length - 1];
        }
        return r.messages().getLast().content();
    }

    static String whole(CompletionRequest r) {
        if (!r.isChat()) return r.rawPrompt();
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : r.messages()) sb.append(m.role()).append(": ").append(m.content()).append('\n');
        return sb.toString();
    }

    /** A model whose answer is a function of the request; it records every request it sees. */
    static final class ScriptedModel implements LanguageModel {
        final List<CompletionRequest> seen = Collections.synchronizedList(new ArrayList<>());
        private final String id;
        private final Function<CompletionRequest, String> answer;

        ScriptedModel(String id, Function<CompletionRequest, String> answer) {
            this.id = id;
            this.answer = answer;
        }

        @Override public String id() { return id; }
        @Override public java.util.Set<String> supportedParameters() { return java.util.Set.of("temperature", "max_tokens", "stop", "seed", "top_p"); }

        @Override
        public Completion complete(CompletionRequest r) {
            seen.add(r);
            return new Completion(answer.apply(r), FinishReason.EOS, new TokenUsage(10, 1), Duration.ofMillis(1), 0, false, null);
        }
    }

    /** Right only when the prompt holds the phrase "think about the tone" (any case); otherwise always "neutral". */
    static ScriptedModel needsPhrase() {
        return new ScriptedModel("fake:needs-phrase", r -> whole(r).toLowerCase().contains("think about the tone")
                ? truth(question(r)) : "neutral");
    }

    /** Right only when a demonstration shows the correct label; otherwise always "neutral". */
    static ScriptedModel needsDemoOfLabel() {
        return new ScriptedModel("fake:needs-demo", r -> {
            String t = truth(question(r));
            boolean shown = r.isChat()
                    ? r.messages().stream().limit(r.messages().size() - 1).anyMatch(m -> m.role().equals("assistant") && m.content().strip().equals(t))
                    : r.rawPrompt().substring(0, r.rawPrompt().length() - question(r).length()).contains(t);
            return shown ? t : "neutral";
        });
    }
}
