// End-to-end examples scored per second on a built-in eval set, through the same code a `promptune
// tune`/`eval` trial runs: ConfigurationEvaluator (render, batches of --batch requests, metric scoring)
// over LocalEngineModel (chat template, LocalModel.generateBatch, prefix cache).
//
// Modes (run from the repo root after `mvn -q package -DskipTests`; bench/e2e/run.sh drives them):
//   e2e    writes OUT/prompts.jsonl (the engine's own rendered prompt text and token ids, max_tokens),
//          then times one evaluation over them and writes OUT/ours.jsonl + OUT/ours-summary.json.
//          bench/e2e/llamacpp_peer.py replays the same prompts one at a time through llama.cpp.
//   prefix the same evaluation with a few-shot template, once with the prefix cache and once with it
//          off (two engines, same file): prompt tokens computed, wall and CPU time -> OUT/prefix-summary.json.
//   tuning a tuning run: the TRIALS configurations below (zero-shot and --few-shot templates, temperature
//          0 / 0.7, top_p 1 / 0.9, seeded) evaluated one after another over the same examples by one engine,
//          as `promptune tune` does; writes OUT/prompts.jsonl (every trial's prompts and decoding parameters,
//          in order, for bench/e2e/llamacpp_peer.py) and OUT/tuning-summary.json.
//
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp cli/target/promptune-all.jar \
//        bench/e2e/E2eBench.java e2e|prefix --out DIR [--set sentiment] [--limit 64] [--threads 2] [--batch 8]
//        [--max-tokens N] [--few-shot 3] [--warmup 8] [--model PATH] [--prefix-cache-mib 512] [--off-run true] (prefix mode)
import io.promptune.datasets.BuiltinDatasets;
import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.MetricRegistry;
import io.promptune.localmodel.LocalModel;
import io.promptune.optimizer.tuning.Configuration;
import io.promptune.optimizer.tuning.ConfigurationEvaluator;
import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.ExampleResult;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.local.LocalEngineModel;
import io.promptune.datasets.PromptMessage;
import io.promptune.datasets.RenderedPrompt;
import io.promptune.datasets.PromptTemplate;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class E2eBench {
    /** Enough for each set's expected answer (as bench/evals uses). */
    static final Map<String, Integer> MAX_TOKENS = Map.of("sentiment", 8, "extraction", 48, "arithmetic", 24, "summary", 48);
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The tuning mode's trials, {zero (0) or few-shot (1), temperature, top_p}, in the order a random sampler
     * might propose them: templates interleaved, so the prefix cache holds both kinds of prompt at once.
     */
    static final Object[][] TRIALS = {{0, 0.0, 1.0}, {1, 0.7, 0.9}, {0, 0.7, 1.0}, {1, 0.0, 1.0},
            {0, 0.0, 0.9}, {1, 0.7, 1.0}, {0, 0.7, 0.9}, {1, 0.0, 0.9}};

    public static void main(String[] args) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("usage: E2eBench e2e|prefix --out DIR [options]");
        String mode = args[0];
        Map<String, String> o = new LinkedHashMap<>(Map.of("set", "sentiment", "limit", "64", "threads", "2", "batch", "8",
                "few-shot", "3", "warmup", "8", "model", System.getProperty("user.home") + "/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf"));
        for (int i = 1; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path out = Path.of(o.get("out"));
        Files.createDirectories(out);
        String set = o.get("set");
        int limit = Integer.parseInt(o.get("limit")), threads = Integer.parseInt(o.get("threads")),
                batch = Integer.parseInt(o.get("batch")), warmup = Integer.parseInt(o.get("warmup"));
        int maxTokens = o.containsKey("max-tokens") ? Integer.parseInt(o.get("max-tokens")) : MAX_TOKENS.get(set);
        BuiltinDatasets.Info info = BuiltinDatasets.info(set);
        List<Example> all = BuiltinDatasets.load(set).examples();
        // Demonstrations come from the end of the set, measured examples from the start (never both).
        List<Example> pool = all.subList(all.size() - 16, all.size());
        List<Example> warm = all.subList(0, warmup);
        List<Example> measured = all.subList(warmup, Math.min(warmup + limit, all.size() - 16));
        Metric metric = MetricRegistry.standard().parse(info.metric());
        Map<String, Object> params = Map.of("temperature", 0.0, "max_tokens", maxTokens);
        Path model = Path.of(o.get("model"));

        if (mode.equals("e2e")) {
            int fewShot = Integer.parseInt(o.getOrDefault("shots", "0"));
            Configuration config = new Configuration(Map.of(Configuration.FEW_SHOT, fewShot));
            try (LocalModel engine = LocalModel.load(model, LocalModel.Options.defaults().withThreads(threads));
                 LocalEngineModel lm = LocalEngineModel.of(engine)) {
                writePrompts(out.resolve("prompts.jsonl"), lm, info.template(), warm, measured, pool, fewShot, maxTokens);
                ConfigurationEvaluator ev = new ConfigurationEvaluator(lm, Map.of("given", info.template()), "given", params,
                        List.of(metric), metric.name(), pool, batch);
                ev.evaluate(config, warm, () -> false); // JIT warm-up on other examples, untimed
                engine.prefixCache().clear();
                Map<String, Long> before = lm.counters();
                Timed t = Timed.run(() -> ev.evaluate(config, measured, () -> false));
                Map<String, Long> after = lm.counters();
                writeOutputs(out.resolve("ours.jsonl"), t.evaluation);
                Map<String, Object> s = summary(set, measured.size(), threads, batch, maxTokens, t, before, after);
                s.put("shots", fewShot);
                // The next trial of a tuning run with the same template and other decoding parameters (top_p is
                // inert at temperature 0, so outputs stay greedy): its prompts are still in the prefix cache.
                Map<String, Object> params2 = new LinkedHashMap<>(params);
                params2.put("top_p", 0.9);
                ConfigurationEvaluator ev2 = new ConfigurationEvaluator(lm, Map.of("given", info.template()), "given", params2,
                        List.of(metric), metric.name(), pool, batch);
                Map<String, Long> b2 = lm.counters();
                Timed t2 = Timed.run(() -> ev2.evaluate(config, measured, () -> false));
                s.put("next_trial", summary(set, measured.size(), threads, batch, maxTokens, t2, b2, lm.counters()));
                JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("ours-summary.json").toFile(), s);
                System.out.println(JSON.writeValueAsString(s));
            }
        } else if (mode.equals("prefix")) {
            int fewShot = Integer.parseInt(o.get("few-shot"));
            Configuration config = new Configuration(Map.of(Configuration.FEW_SHOT, fewShot));
            Map<String, Object> result = new LinkedHashMap<>();
            List<List<String>> texts = new ArrayList<>();
            boolean offRun = !o.getOrDefault("off-run", "true").equals("false"); // false: only the cache-on trials
            for (boolean reuse : offRun ? new boolean[]{true, false} : new boolean[]{true}) {
                LocalModel.Options opts = LocalModel.Options.defaults().withThreads(threads);
                if (o.containsKey("prefix-cache-mib")) opts = opts.withPrefixCacheBytes(Long.parseLong(o.get("prefix-cache-mib")) << 20);
                if (!reuse) opts = opts.withPrefixCacheBytes(0);
                try (LocalModel engine = LocalModel.load(model, opts); LocalEngineModel lm = LocalEngineModel.of(engine)) {
                    ConfigurationEvaluator ev = new ConfigurationEvaluator(lm, Map.of("given", info.template()), "given", params,
                            List.of(metric), metric.name(), pool, batch);
                    ev.evaluate(config, warm, () -> false);
                    engine.prefixCache().clear();
                    Map<String, Long> before = lm.counters();
                    Timed t = Timed.run(() -> ev.evaluate(config, measured, () -> false));
                    Map<String, Object> s = summary(set, measured.size(), threads, batch, maxTokens, t, before, lm.counters());
                    s.put("shots", fewShot);
                    s.put("prefix_cache_bytes", engine.prefixCache().bytes()); // what the cache holds after the trial
                    result.put(reuse ? "with_reuse" : "without_reuse", s);
                    texts.add(t.evaluation.examples().stream().map(ExampleResult::output).toList());
                    if (reuse) { // the next trial with the same template: whole prompts are still cached
                        Map<String, Long> b2 = lm.counters();
                        Timed t2 = Timed.run(() -> ev.evaluate(config, measured, () -> false));
                        result.put("repeat_trial", summary(set, measured.size(), threads, batch, maxTokens, t2, b2, lm.counters()));
                    }
                }
            }
            int same = 0;
            List<String> other = texts.get(texts.size() - 1);
            for (int i = 0; i < texts.get(0).size(); i++) if (texts.get(0).get(i).equals(other.get(i))) same++;
            result.put("same_outputs", same);
            result.put("examples", texts.get(0).size());
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("prefix-summary.json").toFile(), result);
            System.out.println(JSON.writeValueAsString(result));
        } else if (mode.equals("tuning")) {
            int fewShot = Integer.parseInt(o.get("few-shot"));
            List<Configuration> trials = new ArrayList<>();
            for (Object[] t : TRIALS) {
                trials.add(new Configuration(Map.of(Configuration.FEW_SHOT, (int) t[0] == 0 ? 0 : fewShot,
                        "temperature", t[1], "top_p", t[2], "top_k", 40, "min_p", 0.0, "seed", 1234)));
            }
            try (LocalModel engine = LocalModel.load(model, LocalModel.Options.defaults().withThreads(threads));
                 LocalEngineModel lm = LocalEngineModel.of(engine)) {
                StringBuilder rows = new StringBuilder();
                for (int phase = 0; phase < 2; phase++) {
                    for (int i = 0; i < trials.size(); i++) {
                        if (phase == 0 && i >= 2) break; // warm-up: one zero-shot and one few-shot trial
                        Configuration c = trials.get(i);
                        for (Example ex : phase == 0 ? warm : measured) {
                            Map<String, Object> row = promptRow(lm, info.template(), ex, pool.subList(0, c.fewShot()), maxTokens, phase == 0);
                            row.put("trial", phase == 0 ? -1 : i);
                            row.put("temperature", c.params().get("temperature"));
                            row.put("top_p", c.params().get("top_p"));
                            row.put("top_k", c.params().get("top_k"));
                            row.put("min_p", c.params().get("min_p"));
                            row.put("seed", c.params().get("seed"));
                            rows.append(JSON.writeValueAsString(row)).append('\n');
                        }
                    }
                }
                Files.writeString(out.resolve("prompts.jsonl"), rows);
                ConfigurationEvaluator ev = new ConfigurationEvaluator(lm, Map.of("given", info.template()), "given", params,
                        List.of(metric), metric.name(), pool, batch);
                for (int i = 0; i < 2; i++) ev.evaluate(trials.get(i), warm, () -> false); // JIT warm-up, untimed
                engine.prefixCache().clear();
                Map<String, Long> before = lm.counters();
                List<Double> scores = new ArrayList<>();
                Timed t = Timed.run(() -> {
                    Evaluation last = null;
                    for (Configuration c : trials) {
                        last = ev.evaluate(c, measured, () -> false);
                        scores.add(last.objective().mean());
                    }
                    return last;
                });
                Map<String, Object> s = summary(set, measured.size() * trials.size(), threads, batch, maxTokens, t, before, lm.counters());
                s.put("trials", trials.size());
                s.put("examples_per_trial", measured.size());
                s.put("few_shot", fewShot);
                s.put("trial_scores", scores);
                s.put("mean_score", scores.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)); // all trials, not the last
                JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("tuning-summary.json").toFile(), s);
                System.out.println(JSON.writeValueAsString(s));
            }
        } else if (mode.equals("compare")) {
            System.out.println(compareRow(out, set, metric, all));
        } else {
            throw new IllegalArgumentException("unknown mode " + mode + " (e2e, prefix, tuning or compare)");
        }
    }

    /**
     * One markdown row from OUT/ours-summary.json, OUT/ours.jsonl, OUT/peer-summary.json and OUT/peer.jsonl:
     * examples/s and examples per CPU-second of both, the ratios, greedy-output agreement, and the
     * peer's outputs scored with the same metric.
     */
    static String compareRow(Path out, String set, Metric metric, List<Example> all) throws Exception {
        Map<?, ?> ours = JSON.readValue(out.resolve("ours-summary.json").toFile(), Map.class);
        Map<?, ?> peer = JSON.readValue(out.resolve("peer-summary.json").toFile(), Map.class);
        List<Map<?, ?>> a = readJsonl(out.resolve("ours.jsonl")), b = readJsonl(out.resolve("peer.jsonl"));
        Map<String, Example> byId = new LinkedHashMap<>();
        for (Example e : all) byId.put(e.id(), e);
        int same = 0;
        double peerScore = 0;
        for (int i = 0; i < b.size(); i++) {
            String peerText = String.valueOf(b.get(i).get("output"));
            if (i < a.size() && String.valueOf(a.get(i).get("output")).strip().equals(peerText.strip())) same++;
            var c = new io.promptune.providers.Completion(peerText, io.promptune.providers.FinishReason.STOP,
                    new io.promptune.providers.TokenUsage(0, 0), java.time.Duration.ZERO, 0, false, null);
            peerScore += metric.score(c, byId.get(String.valueOf(b.get(i).get("id")))).value();
        }
        double ow = num(ours, "examples_per_s"), pw = num(peer, "examples_per_s");
        double oc = num(ours, "examples_per_cpu_s"), pc = num(peer, "examples_per_cpu_s");
        long prompt = (long) num(ours, "local_prompt_tokens"), reused = (long) num(ours, "local_prompt_tokens_reused");
        Map<?, ?> next = (Map<?, ?>) ours.get("next_trial");
        double nw = num(next, "examples_per_s"), nc = num(next, "examples_per_cpu_s");
        long nextComputed = (long) (num(next, "local_prompt_tokens") - num(next, "local_prompt_tokens_reused"));
        return String.format(java.util.Locale.ROOT,
                "| %s | %s | %d | %d / %d | %.3f / %.3f (**%.2fx**) | %.3f / %.3f (**%.2fx**) | %d / %d | %d of %d | %.3f / %.3f | %d of %d (%.0f%%) "
                        + "| %.3f (**%.2fx**) / %.3f (**%.2fx**), %d prompt tokens computed |",
                set, ours.get("shots"), (int) num(ours, "threads"), (int) num(ours, "batch"), 1, ow, pw, ow / pw, oc, pc, oc / pc,
                (long) num(ours, "local_generated_tokens"), (long) num(peer, "output_tokens"),
                same, b.size(), num(ours, "mean_score"), peerScore / b.size(), reused, prompt, 100.0 * reused / prompt,
                nw, nw / pw, nc, nc / pc, nextComputed);
    }

    static double num(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    static List<Map<?, ?>> readJsonl(Path file) throws Exception {
        List<Map<?, ?>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) if (!line.isBlank()) rows.add(JSON.readValue(line, Map.class));
        return rows;
    }

    /** The prompts exactly as the engine sees them: rendered text and token ids, same order as evaluated. */
    static void writePrompts(Path file, LocalEngineModel lm, PromptTemplate template, List<Example> warm, List<Example> measured,
                             List<Example> pool, int shots, int maxTokens) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int phase = 0; phase < 2; phase++) {
            for (Example ex : phase == 0 ? warm : measured) {
                // the evaluator's shotsFor: the first k pool examples
                sb.append(JSON.writeValueAsString(promptRow(lm, template, ex, pool.subList(0, shots), maxTokens, phase == 0))).append('\n');
            }
        }
        Files.writeString(file, sb);
    }

    /** One prompts.jsonl row: the example's id, the engine's rendered prompt text and token ids, max tokens. */
    static Map<String, Object> promptRow(LocalEngineModel lm, PromptTemplate template, Example ex, List<Example> demos,
                                         int maxTokens, boolean warmup) {
        CompletionRequest r = request(template.render(ex, demos));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", ex.id());
        row.put("warmup", warmup);
        row.put("prompt", lm.promptText(r));
        row.put("tokens", lm.promptTokens(r));
        row.put("max_tokens", maxTokens);
        return row;
    }

    static CompletionRequest request(RenderedPrompt p) {
        List<ChatMessage> msgs = new ArrayList<>();
        for (PromptMessage m : p.messages()) msgs.add(new ChatMessage(m.role(), m.content()));
        return CompletionRequest.chat(msgs, DecodingParams.builder().build());
    }

    static void writeOutputs(Path file, Evaluation e) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (ExampleResult r : e.examples()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", r.exampleId());
            row.put("output", r.output());
            row.put("finish", r.finishReason());
            row.put("error", r.error());
            row.put("score", r.scores());
            row.put("output_tokens", r.outputTokens());
            sb.append(JSON.writeValueAsString(row)).append('\n');
        }
        Files.writeString(file, sb);
    }

    static Map<String, Object> summary(String set, int n, int threads, int batch, int maxTokens, Timed t,
                                       Map<String, Long> before, Map<String, Long> after) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("set", set);
        s.put("examples", n);
        s.put("threads", threads);
        s.put("batch", batch);
        s.put("max_tokens", maxTokens);
        s.put("wall_s", t.wallNanos / 1e9);
        s.put("cpu_s", t.cpuNanos / 1e9);
        s.put("examples_per_s", n / (t.wallNanos / 1e9));
        s.put("examples_per_cpu_s", n / (t.cpuNanos / 1e9));
        s.put("mean_score", t.evaluation.objective().mean());
        s.put("errors", t.evaluation.errors());
        for (String k : after.keySet()) s.put(k, after.get(k) - before.getOrDefault(k, 0L));
        return s;
    }

    record Timed(Evaluation evaluation, long wallNanos, long cpuNanos) {
        static Timed run(java.util.function.Supplier<Evaluation> body) {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
            Evaluation e = body.get();
            return new Timed(e, System.nanoTime() - w0, os.getProcessCpuTime() - c0);
        }
    }
}
