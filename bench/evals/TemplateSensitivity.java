// Does the default model's score on the built-in sets move with the template and decoding?
// Runs Promptune's own engine (LocalEngineModel) on a held-out split of each built-in set under a grid of
// templates (bare input / built-in template / built-in + 3 fixed demonstrations from the tune split) and
// decodings (greedy with the set's short max_tokens, greedy with a long max_tokens, temperature 1.0 with
// sampling filters off), scores every output with the set's own metric, and prints per configuration the
// mean with a bootstrap 95% CI, then the paired difference best vs worst (paired bootstrap CI,
// sign-flip permutation p). Outputs go to OUT/<set>/<config>.jsonl for inspection; a markdown table to stdout.
//
// Build the jar first (mvn -q -o package -DskipTests -pl cli -am), then, from the repo root:
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp cli/target/promptune-all.jar \
//        bench/evals/TemplateSensitivity.java [--limit N] [--sets a,b] [--configs c1,c2] [--batch 8] [--out DIR] [--model PATH]
import io.promptune.datasets.BuiltinDatasets;
import io.promptune.datasets.Dataset;
import io.promptune.datasets.Example;
import io.promptune.datasets.PromptMessage;
import io.promptune.datasets.PromptTemplate;
import io.promptune.datasets.RenderedPrompt;
import io.promptune.datasets.Split;
import io.promptune.evaluators.Bootstrap;
import io.promptune.evaluators.Estimate;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.MetricRegistry;
import io.promptune.evaluators.PairedComparison;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.local.LocalEngineModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

public class TemplateSensitivity {
    /** Short = what the set's answer needs; long = room for a chatty or step-by-step answer. */
    static final Map<String, int[]> MAX_TOKENS = Map.of("sentiment", new int[]{8, 48}, "extraction", new int[]{48, 128},
            "arithmetic", new int[]{24, 96}, "summary", new int[]{48, 96});
    static final Map<String, String> INPUT = Map.of("sentiment", "text", "extraction", "text", "arithmetic", "question", "summary", "text");
    static final int SPLIT_SEED = 7;
    /** A chat template that spells out the answer format (what a user tuning by hand would try next). */
    static final Map<String, PromptTemplate> HINTED = Map.of(
            "sentiment", PromptTemplate.chat("You classify the sentiment of reviews.",
                    "Review: {{text}}\nIs this review positive, negative or neutral? A review that only states facts is neutral. Reply with exactly one word: positive, negative or neutral."),
            "extraction", PromptTemplate.chat("You extract facts as JSON.",
                    "Sentence: {{text}}\nReturn only a JSON object with the keys \"name\", \"city\" and \"age\" (age as a number), for example {\"name\": \"Ann Lee\", \"city\": \"Paris\", \"age\": 30}."),
            "arithmetic", PromptTemplate.chat("You solve arithmetic word problems.",
                    "{{question}}\nReply with only the final number, no words."),
            "summary", PromptTemplate.chat("You write one-sentence summaries.",
                    "Summarize this news item in one short sentence. Keep who, what and the numbers; leave out details such as the weather or the crowd.\n{{text}}"));
    /** A raw completion prompt (no chat template) ending in an answer prefix; generation stops at the end of the line
     *  (at a blank line for extraction, whose JSON may span lines). */
    static final Map<String, PromptTemplate> COMPLETION = Map.of(
            "sentiment", PromptTemplate.completion("Review: {{text}}\nSentiment (positive, negative or neutral):"),
            "extraction", PromptTemplate.completion("Sentence: {{text}}\nThe same facts as JSON with keys name, city and age:"),
            "arithmetic", PromptTemplate.completion("Question: {{question}}\nAnswer (a number):"),
            "summary", PromptTemplate.completion("News: {{text}}\nOne-sentence summary:"));

    record Config(String name, PromptTemplate template, List<Example> shots, DecodingParams params) { }

    public static void main(String[] args) throws IOException {
        int limit = 60;
        int batch = 8;
        String sets = "sentiment,extraction,arithmetic,summary";
        Set<String> only = null;
        List<Path> reuse = new ArrayList<>(); // earlier --out dirs: configs found there are read back, not re-run
        Path out = Path.of("bench/evals/out/sensitivity");
        Path model = Path.of(System.getProperty("user.home"), ".cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--sets" -> sets = args[++i];
                case "--configs" -> only = Set.of(args[++i].split(","));
                case "--out" -> out = Path.of(args[++i]);
                case "--reuse" -> { for (String d : args[++i].split(",")) reuse.add(Path.of(d)); }
                case "--model" -> model = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MetricRegistry registry = MetricRegistry.standard();
        List<String> table = new ArrayList<>();
        try (LocalEngineModel lm = LocalEngineModel.load(model)) {
            for (String name : sets.split(",")) {
                BuiltinDatasets.Info info = BuiltinDatasets.info(name);
                Dataset all = BuiltinDatasets.load(name);
                Split split = Split.byCount(all, Math.min(limit, all.size() - 10), SPLIT_SEED);
                List<Example> test = split.test().examples();
                Metric metric = registry.parse(info.metric());
                Map<String, double[]> results = new LinkedHashMap<>();
                for (Config c : configs(name, info, split)) {
                    if (only != null && !only.contains(c.name())) continue;
                    long t0 = System.nanoTime();
                    double[] v = null;
                    for (Path d : reuse) {
                        Path f = d.resolve(name).resolve(c.name() + ".jsonl");
                        if (Files.exists(f)) v = readScores(f, test);
                    }
                    if (v == null) v = run(lm, metric, test, c, batch, out.resolve(name).resolve(c.name() + ".jsonl"));
                    double secs = (System.nanoTime() - t0) / 1e9;
                    results.put(c.name(), v);
                    Estimate est = Bootstrap.meanCi(v, 0.95, 2000, 1);
                    System.out.printf(Locale.ROOT, "%-10s %-22s %s: mean %.3f [%.3f, %.3f] n=%d (%.0f s)%n", name, c.name(),
                            info.metric().split(" ")[0], est.mean(), est.low(), est.high(), est.n(), secs);
                    table.add(String.format(Locale.ROOT, "| %s | %s | %.3f [%.3f, %.3f] | %d |", name, c.name(), est.mean(), est.low(), est.high(), est.n()));
                    System.out.flush();
                }
                if (results.size() >= 2) {
                    String best = null, worst = null;
                    for (var e : results.entrySet()) {
                        double m = Arrays.stream(e.getValue()).average().orElse(0);
                        if (best == null || m > Arrays.stream(results.get(best)).average().orElse(0)) best = e.getKey();
                        if (worst == null || m < Arrays.stream(results.get(worst)).average().orElse(0)) worst = e.getKey();
                    }
                    PairedComparison.Result r = PairedComparison.compare(results.get(worst), results.get(best), 1);
                    String line = String.format(Locale.ROOT, "%s: best %s vs worst %s: %+.3f [%+.3f, %+.3f], permutation p=%.4f, wins/losses/ties %d/%d/%d",
                            name, best, worst, r.diff().mean(), r.diff().low(), r.diff().high(), r.pPermutation(), r.wins(), r.losses(), r.ties());
                    System.out.println(line);
                    table.add("| " + name + " | **best − worst** | " + line.substring(line.indexOf(':') + 2) + " | |");
                }
                // the decoding knobs alone: same template, greedy vs sampled / short vs long
                for (String other : List.of("builtin/t1.0", "builtin/greedy-long")) {
                    if (!results.containsKey("builtin/greedy") || !results.containsKey(other)) continue;
                    PairedComparison.Result r = PairedComparison.compare(results.get("builtin/greedy"), results.get(other), 1);
                    String line = String.format(Locale.ROOT, "%s − builtin/greedy: %+.3f [%+.3f, %+.3f], permutation p=%.4f, wins/losses/ties %d/%d/%d",
                            other, r.diff().mean(), r.diff().low(), r.diff().high(), r.pPermutation(), r.wins(), r.losses(), r.ties());
                    System.out.println(name + ": " + line);
                    table.add("| " + name + " | **" + other + " − builtin/greedy** | " + line.substring(line.indexOf(':') + 2) + " | |");
                }
            }
        }
        System.out.println();
        System.out.println("| set | config | mean [95% CI] | n |");
        System.out.println("|---|---|---|---|");
        table.forEach(System.out::println);
    }

    /** The grid: three templates under greedy decoding, then the decoding knobs on the built-in and few-shot templates. */
    static List<Config> configs(String name, BuiltinDatasets.Info info, Split split) {
        int shortMax = MAX_TOKENS.get(name)[0], longMax = MAX_TOKENS.get(name)[1];
        PromptTemplate builtin = info.template();
        PromptTemplate bare = PromptTemplate.chat(null, "{{" + INPUT.get(name) + "}}");
        List<Example> shots = split.fewShotPool().fixed(3, 1);
        DecodingParams greedy = DecodingParams.builder().temperature(0.0).maxTokens(shortMax).seed(1234L).build();
        DecodingParams greedyLong = DecodingParams.builder().temperature(0.0).maxTokens(longMax).seed(1234L).build();
        DecodingParams hot = DecodingParams.builder().temperature(1.0).topK(0).topP(1.0).minP(0.0).maxTokens(shortMax).seed(1234L).build();
        DecodingParams greedyLine = DecodingParams.builder().temperature(0.0).maxTokens(shortMax).stop(List.of(name.equals("extraction") ? "\n\n" : "\n")).seed(1234L).build();
        return List.of(
                new Config("bare/greedy", bare, List.of(), greedy),
                new Config("hinted/greedy", HINTED.get(name), List.of(), greedy),
                new Config("completion/greedy-line", COMPLETION.get(name), List.of(), greedyLine),
                new Config("builtin/greedy", builtin, List.of(), greedy),
                new Config("builtin+3shot/greedy", builtin, shots, greedy),
                new Config("builtin/greedy-long", builtin, List.of(), greedyLong),
                new Config("builtin/t1.0", builtin, List.of(), hot),
                new Config("builtin+3shot/t1.0", builtin, shots, hot));
    }

    static double[] run(LocalEngineModel lm, Metric metric, List<Example> test, Config c, int batch, Path outFile) {
        List<CompletionRequest> reqs = new ArrayList<>();
        for (Example e : test) {
            RenderedPrompt r = c.template().render(e, c.shots());
            if (!r.isChat()) {
                reqs.add(CompletionRequest.raw(r.raw(), c.params()));
                continue;
            }
            List<ChatMessage> msgs = new ArrayList<>();
            for (PromptMessage m : r.messages()) msgs.add(new ChatMessage(m.role(), m.content()));
            reqs.add(CompletionRequest.chat(msgs, c.params()));
        }
        List<Completion> outs = new ArrayList<>();
        for (int i = 0; i < reqs.size(); i += batch) outs.addAll(lm.completeBatch(reqs.subList(i, Math.min(reqs.size(), i + batch))));
        double[] v = new double[test.size()];
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            Completion c2 = outs.get(i);
            if (c2.isError()) throw new IllegalStateException("generation failed: " + c2.error());
            v[i] = metric.score(c2, test.get(i)).value();
            jsonl.append("{\"id\":").append(json(test.get(i).id())).append(",\"score\":").append(v[i])
                    .append(",\"prediction\":").append(json(c2.text())).append(",\"reference\":").append(json(test.get(i).reference())).append("}\n");
        }
        try {
            Files.createDirectories(outFile.getParent());
            Files.writeString(outFile, jsonl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return v;
    }

    /** Scores saved by an earlier run, checked to be for the same held-out examples in the same order. */
    static double[] readScores(Path f, List<Example> test) throws IOException {
        List<String> lines = Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
        if (lines.size() != test.size()) throw new IllegalStateException(f + ": " + lines.size() + " lines, expected " + test.size());
        double[] v = new double[lines.size()];
        var p = java.util.regex.Pattern.compile("^\\{\"id\":(\"[^\"]*\"),\"score\":([-0-9.eE]+),");
        for (int i = 0; i < v.length; i++) {
            var m = p.matcher(lines.get(i));
            if (!m.find() || !m.group(1).equals(json(test.get(i).id()))
                    || !lines.get(i).endsWith(",\"reference\":" + json(test.get(i).reference()) + "}")) throw new IllegalStateException(f + ":" + (i + 1) + ": not the score of " + test.get(i).id());
            v[i] = Double.parseDouble(m.group(2));
        }
        return v;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> { if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch)); else b.append(ch); }
            }
        }
        return b.append('"').toString();
    }
}
