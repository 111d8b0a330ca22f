package io.promptune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.cli.config.DataSplit;
import io.promptune.cli.config.Models;
import io.promptune.cli.config.TuneConfig;
import io.promptune.cli.config.TuningSetup;
import io.promptune.datasets.Example;
import io.promptune.optimizer.tuning.Configuration;
import io.promptune.optimizer.tuning.ConfigurationEvaluator;
import io.promptune.optimizer.tuning.Estimate;
import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.ExampleResult;
import io.promptune.providers.LanguageModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Scores one configuration on a config's data: the baseline (template and parameters from the",
                "config's 'baseline'), changed by --params. Prints each metric's mean with its 95% interval, tokens",
                "and cost, and can save every example's prompt, output and scores as JSON lines. Prompts are built",
                "exactly as in a tune trial, prompt-search parameters included (few_shot, few_shot_strategy,",
                "instruction (a proposal id such as p3 from the study's proposals.jsonl, or any text), system_prompt,",
                "format_hint, answer_prefix, chat)."},
        footer = {"", "Examples:",
                "  promptune eval sentiment.yaml                                  # the baseline, held-out split",
                "  promptune eval sentiment.yaml --params template=careful temperature=0.2 max_tokens=8",
                "  promptune eval sentiment.yaml --split all --save outputs.jsonl --json",
                "  promptune eval search.yaml --params instruction=p3 few_shot=2 few_shot_strategy=nearest chat=false",
                "", "Exit codes: 0 done, 1 every request failed, 2 bad config or parameter, 3 model or file missing."})
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "a study config (.yaml, .yml or .json)")
    Path config;

    @Option(names = "--params", arity = "1..*", paramLabel = "KEY=VALUE",
            description = "parameters to change, e.g. template=careful temperature=0.2 stop='[\"\\n\"]' (values are JSON when they parse as JSON)")
    List<String> params = new ArrayList<>();

    @Option(names = "--split", defaultValue = "test", description = "which examples: test (held-out), tune or all (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--save", paramLabel = "FILE", description = "write one JSON line per example (prompt, output, scores)")
    Path save;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        TuneConfig c = TuneConfig.load(config);
        DataSplit data = DataSplit.load(c.dataset(), System.err);
        List<Example> examples = switch (split) {
            case "test" -> data.test();
            case "tune" -> data.tune();
            case "all" -> { List<Example> all = new ArrayList<>(data.tune()); all.addAll(data.test()); yield all; }
            default -> throw new Main.UserError("--split: expected test, tune or all, got \"" + split + "\"");
        };
        if (examples.isEmpty()) throw new Main.UserError("the " + split + " split of " + data.name() + " is empty; try --split all");
        Map<String, Object> overrides = parse(params);
        Map<String, Object> chosen = new LinkedHashMap<>();
        chosen.put(Configuration.TEMPLATE, c.baselineTemplate());
        chosen.putAll(c.baselineParams());
        chosen.putAll(overrides);
        if (!c.templates().containsKey(String.valueOf(chosen.get(Configuration.TEMPLATE)))) {
            throw new Main.UserError("--params template: expected one of " + c.templates().keySet() + ", got \"" + chosen.get(Configuration.TEMPLATE) + "\"");
        }
        try (LanguageModel model = Models.open(c.model(), System.err)) {
            // The evaluator and normalised parameters a tune trial of this config would use.
            TuningSetup.EvalRun run = TuningSetup.evalRun(c, model, data, chosen);
            chosen = run.configuration().params();
            Evaluation e = run.evaluator().evaluate(run.configuration(), examples, () -> false);
            if (save != null) save(e, save);
            print(c, e, chosen, split, examples.size());
            return e.errors() == e.examples().size() ? Main.EXIT_FAILED : 0;
        }
    }

    static Map<String, Object> parse(List<String> kvs) {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String kv : kvs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new Main.UserError("--params: expected KEY=VALUE, got \"" + kv + "\"");
            String k = kv.substring(0, eq), v = kv.substring(eq + 1);
            Object value;
            try {
                value = json.readValue(v, Object.class);
            } catch (IOException notJson) {
                value = v;
            }
            if (value instanceof Integer i) value = i.longValue();
            out.put(k, value);
        }
        return out;
    }

    private void print(TuneConfig c, Evaluation e, Map<String, Object> chosen, String split, int n) throws IOException {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("params", chosen);
            m.put("split", split);
            m.put("examples", n);
            m.put("metrics", e.metrics());
            m.put("objective", c.objectiveMetric());
            m.put("input_tokens", e.inputTokens());
            m.put("output_tokens", e.outputTokens());
            m.put("cost_usd", e.costUsd());
            m.put("errors", e.errors());
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
            return;
        }
        System.out.println("Configuration " + chosen + " on " + n + " " + split + " examples:");
        for (var m : e.metrics().entrySet()) {
            Estimate est = m.getValue();
            System.out.printf(Locale.ROOT, "  %-16s %.3f  [%.3f, %.3f] 95%% CI%s%n", m.getKey(), est.mean(), est.ciLow(), est.ciHigh(),
                    m.getKey().equals(c.objectiveMetric()) ? "  (objective)" : "");
        }
        System.out.printf(Locale.ROOT, "  tokens %d in / %d out, cost $%.4f, %d failed requests%n", e.inputTokens(), e.outputTokens(), e.costUsd(), e.errors());
    }

    private static void save(Evaluation e, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (ExampleResult r : e.examples()) {
                w.write(json.writeValueAsString(r));
                w.newLine();
            }
        }
    }
}
