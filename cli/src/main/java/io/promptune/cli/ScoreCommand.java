package io.promptune.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.datasets.Example;
import io.promptune.evaluators.Bootstrap;
import io.promptune.evaluators.Estimate;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.MetricOptions;
import io.promptune.evaluators.MetricRegistry;
import io.promptune.evaluators.PairedComparison;
import io.promptune.evaluators.Score;
import io.promptune.providers.Completion;
import io.promptune.providers.FinishReason;
import io.promptune.providers.TokenUsage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Scores outputs made anywhere: each JSONL line has "prediction" and "reference" (or "references"),
 * optionally "id", "inputs" (for an LLM judge) and "cost_usd"/"latency_ms"/"input_tokens"/"output_tokens"
 * (for the cost metric). Prints one JSON document: every line's score and the mean with a bootstrap interval.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Scores given outputs (JSONL with \"prediction\" and \"reference\"/\"references\") with a metric and prints JSON.")
final class ScoreCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--metric", required = true, paramLabel = "NAME", description = "Metric name, e.g. exact_match, f1, rouge_l, bleu, numeric, choice; 'list' shows all with their options.")
    String metric;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A metric option; repeat for more (e.g. --option ignore_case=true).")
    List<String> options = new ArrayList<>();

    @Option(names = "--predictions", paramLabel = "FILE.jsonl", description = "The outputs to score.")
    Path predictions;

    @Option(names = "--baseline", paramLabel = "FILE.jsonl",
            description = "Also score this file and compare: paired bootstrap interval of the difference, permutation and sign test p-values (pairs by \"id\").")
    Path baseline;

    @Option(names = "--skip-bad-lines", description = "Leave out bad lines (and say how many) instead of stopping.")
    boolean skipBadLines;

    @Option(names = "--seed", description = "Seed of the bootstrap interval (default ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--details", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Include each score's details (default on).")
    boolean details;

    private record Line(int number, Example example, Completion completion) { }

    @Override
    public Integer call() {
        MetricRegistry registry = MetricRegistry.standard();
        if (metric.equals("list")) {
            PrintWriter o = spec.commandLine().getOut();
            for (String name : registry.names()) o.printf("%-17s %s%n", name, registry.description(name));
            o.flush();
            return 0;
        }
        if (predictions == null) throw new Main.UserError("--predictions FILE.jsonl is required");
        Metric m;
        try {
            m = registry.create(metric, MetricOptions.parse(options));
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        Scored main = scoreFile(predictions, m, problems);
        Scored base = baseline == null ? null : scoreFile(baseline, m, problems);
        PrintWriter err = spec.commandLine().getErr();
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            if (!skipBadLines) {
                throw new Main.UserError(problems.size() + " bad line" + (problems.size() == 1 ? "" : "s")
                        + " (fix them, or pass --skip-bad-lines)");
            }
            int total = main.totalLines + (base == null ? 0 : base.totalLines);
            err.println("skipped " + problems.size() + " bad line" + (problems.size() == 1 ? "" : "s") + " of " + total);
        }
        if (main.byId.isEmpty()) throw new Main.UserError("no lines to score in " + predictions);
        Estimate est = Bootstrap.meanCi(main.byId.values().stream().mapToDouble(Double::doubleValue).toArray(),
                Bootstrap.DEFAULT_CONFIDENCE, Bootstrap.DEFAULT_RESAMPLES, seed);
        ObjectNode out = JSON.createObjectNode();
        out.put("metric", m.name());
        out.set("options", JSON.valueToTree(MetricOptions.parse(options)));
        out.put("file", predictions.toString());
        out.put("n", est.n());
        out.put("mean", est.mean());
        out.set("ci95", JSON.createArrayNode().add(est.low()).add(est.high()));
        out.put("skipped", problems.size());
        if (base != null) out.set("comparison", compare(base, main));
        out.set("scores", main.scored);
        try {
            PrintWriter o = spec.commandLine().getOut();
            o.println(JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
            o.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return 0;
    }

    /** One file's scores: the JSON entries, the values by example id (in file order), and its non-blank line count. */
    private record Scored(ArrayNode scored, Map<String, Double> byId, int totalLines) { }

    private Scored scoreFile(Path file, Metric m, List<String> problems) {
        int[] total = new int[1];
        List<Line> lines = read(file, problems, total);
        ArrayNode scored = JSON.createArrayNode();
        Map<String, Double> byId = new LinkedHashMap<>();
        for (Line l : lines) {
            Score s;
            try {
                s = m.score(l.completion(), l.example());
            } catch (IllegalArgumentException | IllegalStateException e) {
                problems.add(file + ":" + l.number() + ": " + e.getMessage());
                continue;
            }
            if (byId.putIfAbsent(l.example().id(), s.value()) != null) {
                problems.add(file + ":" + l.number() + ": field 'id': duplicate id '" + l.example().id() + "'");
                continue;
            }
            ObjectNode o = scored.addObject();
            o.put("line", l.number());
            o.put("id", l.example().id());
            o.put("score", s.value());
            if (details && !s.details().isEmpty()) o.set("details", JSON.valueToTree(s.details()));
        }
        return new Scored(scored, byId, total[0]);
    }

    /** Paired comparison on the ids both files share: this file (B) against the baseline (A). */
    private ObjectNode compare(Scored base, Scored main) {
        List<String> ids = main.byId.keySet().stream().filter(base.byId::containsKey).toList();
        if (ids.isEmpty()) throw new Main.UserError("the baseline " + baseline + " shares no example ids with " + predictions);
        double[] a = ids.stream().mapToDouble(base.byId::get).toArray(), b = ids.stream().mapToDouble(main.byId::get).toArray();
        PairedComparison.Result r = PairedComparison.compare(a, b, seed);
        ObjectNode c = JSON.createObjectNode();
        c.put("baseline", baseline.toString());
        c.put("paired_n", ids.size());
        c.put("baseline_mean", r.meanA());
        c.put("mean", r.meanB());
        c.put("diff", r.diff().mean());
        c.set("diff_ci95", JSON.createArrayNode().add(r.diff().low()).add(r.diff().high()));
        c.put("p_permutation", r.pPermutation());
        c.put("p_sign", r.pSign());
        c.put("wins", r.wins());
        c.put("losses", r.losses());
        c.put("ties", r.ties());
        return c;
    }

    private List<Line> read(Path file, List<String> problems, int[] total) {
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int n = 0;
            while ((text = r.readLine()) != null) {
                n++;
                if (text.isBlank()) continue;
                total[0]++;
                try {
                    out.add(parse(n, text));
                } catch (BadLine e) {
                    problems.add(file + ":" + n + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new Main.UserError("no such file: " + file);
        } catch (CharacterCodingException e) {
            throw new Main.UserError(file + " is not valid UTF-8 text");
        } catch (IOException e) {
            throw new Main.UserError("cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }

    private static Line parse(int n, String text) throws BadLine {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadLine("malformed JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) throw new BadLine("a line must be a JSON object");
        JsonNode pred = node.get("prediction");
        if (pred == null || pred.isNull()) throw new BadLine("field 'prediction': missing");
        if (!pred.isTextual()) throw new BadLine("field 'prediction': must be a string");
        List<String> refs = new ArrayList<>();
        JsonNode ref = node.get("reference"), many = node.get("references");
        if (ref != null && !ref.isNull()) refs.add(asText(ref, "reference"));
        if (many != null && !many.isNull()) {
            if (!many.isArray()) throw new BadLine("field 'references': must be a list");
            for (JsonNode r : many) refs.add(asText(r, "references"));
        }
        Map<String, Object> inputs = new LinkedHashMap<>();
        JsonNode in = node.get("inputs");
        if (in != null && in.isObject()) inputs.putAll(JSON.convertValue(in, Map.class));
        else if (node.has("input") && !node.get("input").isNull()) inputs.put("input", asText(node.get("input"), "input"));
        String id = node.hasNonNull("id") ? node.get("id").asText() : "line-" + n;
        Example ex = new Example(id, inputs, refs, Map.of("line", n));
        Completion c = new Completion(pred.asText(), FinishReason.STOP,
                new TokenUsage(node.path("input_tokens").asLong(0), node.path("output_tokens").asLong(0)),
                Duration.ofMillis(node.path("latency_ms").asLong(0)), node.path("cost_usd").asDouble(0), false, null);
        return new Line(n, ex, c);
    }

    private static String asText(JsonNode v, String field) throws BadLine {
        if (v.isTextual()) return v.asText();
        if (v.isNumber() || v.isBoolean()) return v.asText();
        if (v.isObject() || v.isArray()) return v.toString();
        throw new BadLine("field '" + field + "': must be a string, number or JSON object");
    }

    private static final class BadLine extends Exception {
        BadLine(String m) { super(m); }
    }
}
