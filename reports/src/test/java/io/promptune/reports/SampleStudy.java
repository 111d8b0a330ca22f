package io.promptune.reports;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.Score;
import io.promptune.optimizer.tuning.Budget;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.pruners.RacingPruner;
import io.promptune.datasets.PromptTemplate;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small finished study for report tests, made by the real Tuner with a deterministic fake model.
 * One dataset row and some outputs hold hostile markup, to prove it stays text.
 */
final class SampleStudy {
    static final String HOSTILE = "<script>alert(1)</script>";

    static StudyDirectory create(Path dir, int trials) {
        StudyDirectory study = new StudyDirectory(dir);
        tuner(study, trials, new Fake()).run();
        return study;
    }

    static Tuner tuner(StudyDirectory study, int trials, LanguageModel model) {
        SearchSpace space = SearchSpace.builder().floatParam("temperature", 0.0, 1.5).floatParam("top_p", 0.5, 1.0)
                .intParam("max_tokens", 4, 64).categorical("template", List.of("plain", "careful")).build();
        Study s = Study.builder().name("sample").space(space).directions(Direction.MAXIMIZE)
                .sampler(Samplers.create("random", 5)).pruner(new RacingPruner())
                .storage(new JournalStorage(study.journal())).build();
        return Tuner.builder()
                .model(model)
                .dataset("sample sentiment")
                .tuneExamples(examples("tune", 32))
                .testExamples(examples("test", 24))
                .template("plain", PromptTemplate.chat(null, "{{text}}"))
                .template("careful", PromptTemplate.chat("Answer with one word: positive or negative.", "Review: {{text}}\nSentiment:"))
                .baseline("plain", Map.of("temperature", 1.0, "top_p", 1.0, "max_tokens", 32))
                .metric(metric("accuracy"))
                .metric(metric("strict"))
                .objective("accuracy", Direction.MAXIMIZE)
                .budget(Budget.trials(trials))
                .study(s)
                .directory(study)
                .build();
    }

    static List<Example> examples(String prefix, int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = i == 1 ? HOSTILE + " was bad" : prefix + " review " + i + (i % 2 == 0 ? " was good" : " was bad");
            out.add(new Example(prefix + "-" + i, Map.of("text", text), List.of(i % 2 == 0 ? "positive" : "negative"), Map.of()));
        }
        return out;
    }

    static Metric metric(String name) {
        return new Metric() {
            @Override public Score score(String output, Example ex) {
                boolean ok = name.equals("strict") ? output.equals(ex.reference()) : output.toLowerCase().contains(ex.reference());
                return new Score(ok ? 1 : 0, Map.of("expected", ex.reference(), "got", output));
            }
            @Override public String name() { return name; }
        };
    }

    static class Fake implements LanguageModel {
        @Override public String id() { return "fake:sample"; }
        @Override public Set<String> supportedParameters() { return Set.of("temperature", "top_p", "max_tokens"); }

        @Override
        public Completion complete(CompletionRequest r) {
            String user = r.messages().getLast().content();
            boolean careful = r.messages().getFirst().role().equals("system");
            double t = r.params().temperature() == null ? 1 : r.params().temperature();
            double p = (careful ? 0.92 : 0.62) - 0.25 * Math.max(0, t - 0.4);
            long h = (user + t + careful).hashCode() * 0x9E3779B97F4A7C15L;
            double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
            String truth = user.contains("good") ? "positive" : "negative";
            String answer = u < p ? truth : (truth.equals("positive") ? "negative" : "positive");
            String text = careful ? answer : "I think the sentiment is " + answer + (user.contains("<script>") ? " " + HOSTILE : ".");
            int maxTokens = r.params().maxTokens() == null ? 32 : r.params().maxTokens();
            return new Completion(text, FinishReason.EOS, new TokenUsage(user.length() / 4 + 10, Math.min(maxTokens, text.length() / 4 + 1)),
                    Duration.ofMillis(3), 0.00002, false, null);
        }
    }
}
