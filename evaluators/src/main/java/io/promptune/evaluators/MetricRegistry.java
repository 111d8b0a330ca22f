package io.promptune.evaluators;

import io.promptune.providers.LanguageModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics by name with key=value options, for configs and the command line:
 * {@code registry.create("numeric", Map.of("abs_tol", "0.01"))} or {@code registry.parse("choice labels=a,b")}.
 * Unknown names and unknown options are errors that list what exists. Custom metrics can be registered.
 */
public final class MetricRegistry {
    /** Makes a metric from its options; reads every option it understands from {@code o}. */
    @FunctionalInterface
    public interface Factory {
        Metric create(MetricOptions o);
    }

    private record Entry(Factory factory, String description) { }

    private final Map<String, Entry> entries = new TreeMap<>();
    private LanguageModel judge;

    private MetricRegistry() { }

    /** Every built-in metric. llm_judge needs a judge model: see {@link #withJudge}. */
    public static MetricRegistry standard() {
        MetricRegistry r = new MetricRegistry();
        r.register("exact_match", o -> new ExactMatch(TextNormalizer.from(o, TextNormalizer.TRIM)),
                "output equals a reference after normalization (ignore_case, ignore_punctuation, ignore_articles, normalize_whitespace=true)");
        r.register("contains", o -> new Contains(values(o), false, o.bool("all", false)),
                "output contains value= (or values=a,b; default: the references); all=true needs every one");
        r.register("icontains", o -> new Contains(values(o), true, o.bool("all", false)), "contains, ignoring case");
        r.register("regex", o -> new RegexMatch(o.required("pattern"), o.bool("ignore_case", false), o.bool("full_match", false)),
                "pattern= is found in the output (full_match=true: the whole output)");
        r.register("f1", o -> new TokenF1(TextNormalizer.from(o, TextNormalizer.SQUAD)), "SQuAD token F1 against the best reference");
        r.register("rouge_l", o -> new RougeL(), "ROUGE-L F-measure as rouge-score computes it");
        r.register("bleu", o -> new Bleu(o.bool("lowercase", false), smoothing(o.string("smooth", "exp")),
                        o.number("smooth_value", Double.NaN), !o.string("tokenize", "13a").equals("none")),
                "sentence BLEU / 100 as sacreBLEU computes it (13a tokenizer, smooth=exp)");
        r.register("levenshtein", o -> new LevenshteinSimilarity(TextNormalizer.from(o, TextNormalizer.NONE)), "1 - edit distance / longer length");
        r.register("json_valid", o -> new JsonValid(o.bool("extract", true)), "output is (or contains, with extract=true) JSON");
        r.register("json_schema", o -> new JsonSchemaValid(schema(o)), "output JSON satisfies schema= (inline JSON) or schema_file=");
        r.register("json_field_match", o -> new JsonFieldMatch(o.list("fields"), o.bool("strict", false)),
                "share of the expected JSON object's fields (or fields=a,b) the output's JSON gets right");
        r.register("numeric", o -> new NumericMatch(o.number("abs_tol", 1e-6), o.number("rel_tol", 0), o.string("position", "last").equals("first")),
                "the last (position=first: first) number in the output is within abs_tol + rel_tol*|ref| of the reference");
        r.register("choice", o -> ChoiceAccuracy.fromOptions(o.list("labels"), o.string("aliases", null)),
                "the first label (labels=a,b,c; aliases=a:x|y;b:z) named in the output is the expected one");
        r.register("length", o -> new LengthLimit(o.integer("min_chars", 0), o.integer("max_chars", Integer.MAX_VALUE),
                o.integer("min_words", 0), o.integer("max_words", Integer.MAX_VALUE)), "output length within min/max chars and words");
        r.register("cost", o -> new CostLimit(o.number("max_cost_usd", Double.POSITIVE_INFINITY), (long) o.number("max_output_tokens", Long.MAX_VALUE),
                (long) o.number("max_total_tokens", Long.MAX_VALUE), (long) o.number("max_latency_ms", Long.MAX_VALUE)),
                "completion within max_cost_usd, max_output_tokens, max_total_tokens, max_latency_ms");
        r.register("embedding", o -> new EmbeddingSimilarity(MiniLmEmbedder.INSTANCE, o.number("threshold", Double.NaN)),
                "cosine similarity of all-MiniLM-L6-v2 embeddings (threshold= for pass/fail)");
        r.register("llm_judge", o -> {
            if (r.judge == null) throw new IllegalArgumentException("metric 'llm_judge' needs a judge model (none was configured)");
            return new LlmJudge(r.judge, o.required("rubric"), o.number("min", 1), o.number("max", 10));
        }, "a judge model grades the output by rubric= on min..max (default 1..10)");
        r.register("weighted", o -> {
            WeightedMetric.Builder b = WeightedMetric.builder("weighted");
            for (String part : o.list("parts")) {
                int colon = part.lastIndexOf(':');
                String name = colon < 0 ? part : part.substring(0, colon);
                double w;
                try {
                    w = colon < 0 ? 1 : Double.parseDouble(part.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("weighted: bad weight in '" + part + "' (parts=name:weight,name:weight)");
                }
                if (name.equals("weighted")) throw new IllegalArgumentException("weighted metrics cannot nest");
                b.add(r.create(name, Map.of()), w);
            }
            if (o.list("parts").isEmpty()) throw new IllegalArgumentException("metric 'weighted' needs parts=name:weight,name:weight");
            return b.build();
        }, "weighted mean of metrics with default options: parts=exact_match:1,rouge_l:2");
        return r;
    }

    /** Sets the model the llm_judge metric asks. */
    public MetricRegistry withJudge(LanguageModel judgeModel) {
        this.judge = judgeModel;
        return this;
    }

    public MetricRegistry register(String name, Factory factory, String description) {
        entries.put(name, new Entry(factory, description));
        return this;
    }

    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    public String description(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.description();
    }

    public Metric create(String name, Map<String, String> options) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("unknown metric '" + name + "'; known: " + String.join(", ", entries.keySet()));
        MetricOptions o = new MetricOptions(name, options);
        Metric m = e.factory().create(o);
        o.checkAllUsed();
        return m;
    }

    /** Parses "name key=value key=value" (values without spaces), as used by built-in dataset defaults. */
    public Metric parse(String spec) {
        String[] parts = spec.strip().split("\\s+");
        Map<String, String> opts = MetricOptions.parse(List.of(parts).subList(1, parts.length));
        return create(parts[0], new LinkedHashMap<>(opts));
    }

    private static List<String> values(MetricOptions o) {
        List<String> v = new ArrayList<>(o.list("values"));
        if (o.has("value")) v.add(o.string("value", null));
        return v;
    }

    private static Bleu.Smoothing smoothing(String s) {
        return switch (s) {
            case "exp" -> Bleu.Smoothing.EXP;
            case "floor" -> Bleu.Smoothing.FLOOR;
            case "add-k" -> Bleu.Smoothing.ADD_K;
            case "none" -> Bleu.Smoothing.NONE;
            default -> throw new IllegalArgumentException("bleu smooth must be exp, floor, add-k or none, got '" + s + "'");
        };
    }

    private static String schema(MetricOptions o) {
        if (o.has("schema")) return o.string("schema", null);
        Path p = Path.of(o.required("schema_file"));
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read schema_file " + p + ": " + e.getMessage());
        }
    }
}
