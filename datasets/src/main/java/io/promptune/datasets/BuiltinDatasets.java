package io.promptune.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The eval sets shipped inside the jar (resources io/promptune/datasets/builtin/NAME.jsonl, made by
 * bench/evals/make_builtin_datasets.py; see the README beside them). Each comes with the metric that
 * scores it (a MetricRegistry spec) and a plain starting template.
 */
public final class BuiltinDatasets {
    /** What a built-in set is, how to score it and a first prompt to start tuning from. */
    public record Info(String name, String description, FieldMapping mapping, String metric, PromptTemplate template) { }

    private static final Map<String, Info> SETS = Map.of(
            "sentiment", new Info("sentiment",
                    "240 short product reviews labelled positive, negative or neutral (80 each), with obvious wording",
                    FieldMapping.of("id", List.of("text"), List.of("expected")),
                    "choice labels=positive,negative,neutral",
                    PromptTemplate.chat("You classify the sentiment of reviews.",
                            "Is the sentiment of this review positive, negative or neutral?\nReview: {{text}}\nAnswer with one word.")),
            "extraction", new Info("extraction",
                    "150 sentences naming a person, their age and city; the answer is a JSON object {name, city, age}",
                    FieldMapping.of("id", List.of("text"), List.of("expected")),
                    "json_field_match",
                    PromptTemplate.chat("You extract facts as JSON.",
                            "Extract the person's name, city and age from the sentence as JSON with keys \"name\", \"city\" and \"age\".\nSentence: {{text}}")),
            "arithmetic", new Info("arithmetic",
                    "200 one-step word problems (add, subtract, multiply, divide; 50 each) with one-digit operands (minuends up to 18) and answers 1-25",
                    FieldMapping.of("id", List.of("question"), List.of("expected")),
                    "numeric",
                    PromptTemplate.chat("You solve arithmetic word problems.",
                            "{{question}}\nGive the final answer as a number.")),
            "summary", new Info("summary",
                    "120 three-sentence news items (council votes, sports results, product launches, animal rescues) with a one-sentence reference summary",
                    FieldMapping.of("id", List.of("text"), List.of("expected")),
                    "rouge_l",
                    PromptTemplate.chat("You write one-sentence summaries.",
                            "Summarize this news item in one sentence.\n{{text}}")));

    private BuiltinDatasets() { }

    /** The names, sorted. */
    public static List<String> names() {
        return SETS.keySet().stream().sorted().toList();
    }

    public static Info info(String name) {
        Info info = SETS.get(name);
        if (info == null) throw new DatasetException("builtin:" + name, "no built-in dataset named '" + name + "'; known: " + String.join(", ", names()));
        return info;
    }

    public static boolean exists(String name) {
        return SETS.containsKey(name);
    }

    public static Dataset load(String name) {
        Info info = info(name);
        String resource = "builtin/" + name + ".jsonl";
        try (InputStream in = BuiltinDatasets.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("built-in dataset resource missing from the jar: " + resource);
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                Dataset d = DatasetLoader.read(r, name, DatasetFormat.JSONL, info.mapping(), false).dataset();
                return d;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
