// Does the default model's score on the built-in sets move with the template and decoding?
// Runs Promptune's own engine (LocalEngineModel) on each built-in set under a few configurations and
// scores the outputs with the set's own metric (bootstrap 95% CI; paired comparison against good_greedy).
//
// Build the jar first (mvn -q package -DskipTests), then, from the repo root:
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp cli/target/promptune-all.jar \
//        bench/evals/TemplateSensitivity.java [--limit N] [--sets a,b] [--model PATH]
import io.promptune.datasets.BuiltinDatasets;
import io.promptune.datasets.Dataset;
import io.promptune.datasets.Example;
import io.promptune.datasets.FewShotPool;
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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public class TemplateSensitivity {
    static final Map<String, Integer> MAX_TOKENS = Map.of("sentiment", 8, "extraction", 60, "arithmetic", 24, "summary", 48);
    static final Map<String, String> INPUT = Map.of("sentiment", "text", "extraction", "text", "arithmetic", "question", "summary", "text");

    public static void main(String[] args) {
        int limit = 40;
        String sets = "sentiment,extraction,arithmetic,summary";
        Path model = Path.of(System.getProperty("user.home"), ".cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--sets" -> sets = args[++i];
                case "--model" -> model = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MetricRegistry registry = MetricRegistry.standard();
        try (LocalEngineModel lm = LocalEngineModel.load(model)) {
            for (String name : sets.split(",")) {
                BuiltinDatasets.Info info = BuiltinDatasets.info(name);
                Dataset all = BuiltinDatasets.load(name);
                Split split = Split.byCount(all, Math.min(limit, all.size() - 10), 7);
                FewShotPool pool = split.fewShotPool();
                List<Example> test = split.test().examples();
                Metric metric = registry.parse(info.metric());
                PromptTemplate good = info.template();
                PromptTemplate bare = PromptTemplate.chat(null, "{{" + INPUT.get(name) + "}}");
                DecodingParams greedy = DecodingParams.builder().temperature(0.0).maxTokens(MAX_TOKENS.get(name)).seed(1234L).build();
                DecodingParams hot = DecodingParams.builder().temperature(1.5).topK(0).topP(1.0).minP(0.0)
                        .maxTokens(MAX_TOKENS.get(name)).seed(1234L).build();
                Map<String, double[]> results = new LinkedHashMap<>();
                results.put("good_greedy", run(lm, metric, test, good, greedy, null));
                results.put("bare_greedy", run(lm, metric, test, bare, greedy, null));
                results.put("good_t1.5", run(lm, metric, test, good, hot, null));
                results.put("good_3shot_greedy", run(lm, metric, test, good, greedy, pool));
                double[] base = results.get("good_greedy");
                for (Map.Entry<String, double[]> e : results.entrySet()) {
                    Estimate est = Bootstrap.meanCi(e.getValue(), 0.95, 2000, 1);
                    String cmp = "";
                    if (!e.getKey().equals("good_greedy")) {
                        PairedComparison.Result r = PairedComparison.compare(base, e.getValue(), 1);
                        cmp = String.format(Locale.ROOT, "  vs good_greedy: %+.3f [%+.3f, %+.3f] p=%.4f", r.diff().mean(), r.diff().low(), r.diff().high(), r.pPermutation());
                    }
                    System.out.printf(Locale.ROOT, "%-10s %-18s %s: mean %.3f [%.3f, %.3f] n=%d%s%n", name, e.getKey(), info.metric().split(" ")[0],
                            est.mean(), est.low(), est.high(), est.n(), cmp);
                }
                System.out.flush();
            }
        }
    }

    static double[] run(LocalEngineModel lm, Metric metric, List<Example> test, PromptTemplate t, DecodingParams p, FewShotPool pool) {
        List<CompletionRequest> reqs = new ArrayList<>();
        for (Example e : test) {
            RenderedPrompt r = t.render(e, pool == null ? List.of() : pool.draw(3, e, 1));
            List<ChatMessage> msgs = new ArrayList<>();
            for (PromptMessage m : r.messages()) msgs.add(new ChatMessage(m.role(), m.content()));
            reqs.add(CompletionRequest.chat(msgs, p));
        }
        List<Completion> outs = lm.completeBatch(reqs);
        double[] v = new double[test.size()];
        for (int i = 0; i < v.length; i++) {
            Completion c = outs.get(i);
            if (c.isError()) throw new IllegalStateException("generation failed: " + c.error());
            v[i] = metric.score(c, test.get(i)).value();
        }
        return v;
    }
}
