package io.promptune.optimizer.benchmark;

import io.promptune.optimizer.SearchSpace;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Benchmark functions (all minimised) with their spaces and optima. The Python copies used for the
 * Optuna peer run live in bench/optimizer/functions.py; SamplerBenchmark --check prints values at
 * the same fixed points so the two can be compared.
 */
public final class TestFunctions {
    private TestFunctions() {
    }

    public record Problem(String name, SearchSpace space, ToDoubleFunction<Map<String, Object>> f, double optimum) {
        public double regret(double value) {
            return value - optimum;
        }
    }

    static final double BRANIN_MIN = 0.397887357729738, HARTMANN6_MIN = -3.322368011391339;
    private static final double[][] H6_A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] H6_P = {{1312, 1696, 5569, 124, 8283, 5886}, {2329, 4135, 8307, 3736, 1004, 9991},
            {2348, 1451, 3522, 2883, 3047, 6650}, {4047, 8828, 8732, 5743, 1091, 381}};
    private static final double[] H6_ALPHA = {1.0, 1.2, 3.0, 3.2};

    static double d(Map<String, Object> p, String k) {
        return ((Number) p.get(k)).doubleValue();
    }

    public static double branin(Map<String, Object> p) {
        double x1 = d(p, "x1"), x2 = d(p, "x2");
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    public static double hartmann6(Map<String, Object> p) {
        double total = 0;
        for (int i = 0; i < 4; i++) {
            double inner = 0;
            for (int j = 0; j < 6; j++) inner += H6_A[i][j] * Math.pow(d(p, "x" + j) - H6_P[i][j] * 1e-4, 2);
            total += H6_ALPHA[i] * Math.exp(-inner);
        }
        return -total;
    }

    public static double rosenbrock4(Map<String, Object> p) {
        double s = 0;
        for (int i = 0; i < 3; i++) {
            double a = d(p, "x" + i), b = d(p, "x" + (i + 1));
            s += 100 * Math.pow(b - a * a, 2) + Math.pow(1 - a, 2);
        }
        return s;
    }

    static final List<String> TEMPLATES = List.of("plain", "role", "cot", "few_shot", "json");
    static final List<String> STOPS = List.of("none", "newline", "hash", "period");
    private static final Map<String, Double> CEILING = Map.of("plain", 0.62, "role", 0.68, "cot", 0.86, "few_shot", 0.80, "json", 0.74);
    private static final Map<String, Double> BEST_T = Map.of("plain", 0.2, "role", 0.5, "cot", 0.7, "few_shot", 0.3, "json", 0.0);
    private static final Map<String, Integer> TOKENS = Map.of("plain", 24, "role", 40, "cot", 180, "few_shot", 60, "json", 96);
    private static final Map<String, Double> STOP_EFFECT = Map.ofEntries(
            Map.entry("plain/newline", 0.05), Map.entry("role/newline", 0.04), Map.entry("cot/newline", -0.30),
            Map.entry("few_shot/newline", 0.02), Map.entry("json/newline", -0.20), Map.entry("few_shot/hash", 0.04),
            Map.entry("json/hash", -0.05), Map.entry("plain/period", 0.03), Map.entry("role/period", -0.02),
            Map.entry("cot/period", -0.25), Map.entry("few_shot/period", -0.04), Map.entry("json/period", -0.35));

    /**
     * A mixed surface that mimics prompt tuning: each template has its own ceiling and best
     * temperature, needs a number of tokens (answers are truncated below it), and stop sequences
     * help some templates and hurt others. Returns the loss 1 - accuracy (optimum 0.14).
     */
    public static double promptLoss(Map<String, Object> p) {
        String t = (String) p.get("template");
        double temp = d(p, "temperature"), topP = d(p, "top_p"), maxTokens = d(p, "max_tokens");
        double acc = CEILING.get(t) - 0.35 * Math.pow(temp - BEST_T.get(t), 2);
        acc -= 0.25 * Math.pow(Math.max(0, topP - 0.9), 2) * 10 * temp;
        int need = TOKENS.get(t);
        if (maxTokens < need) acc *= Math.pow(maxTokens / need, 2);
        else acc -= 0.0002 * Math.sqrt(maxTokens - need);
        acc += STOP_EFFECT.getOrDefault(t + "/" + p.get("stop"), 0.0);
        return 1 - Math.max(0, acc);
    }

    public static List<Problem> all() {
        SearchSpace.Builder h6 = SearchSpace.builder(), r4 = SearchSpace.builder();
        for (int i = 0; i < 6; i++) h6.floatParam("x" + i, 0, 1);
        for (int i = 0; i < 4; i++) r4.floatParam("x" + i, -2.048, 2.048);
        return List.of(
                new Problem("branin", SearchSpace.builder().floatParam("x1", -5, 10).floatParam("x2", 0, 15).build(), TestFunctions::branin, BRANIN_MIN),
                new Problem("hartmann6", h6.build(), TestFunctions::hartmann6, HARTMANN6_MIN),
                new Problem("rosenbrock4", r4.build(), TestFunctions::rosenbrock4, 0),
                new Problem("prompt", SearchSpace.builder().categorical("template", TEMPLATES).floatParam("temperature", 0, 1.5)
                        .floatParam("top_p", 0.5, 1.0).logInt("max_tokens", 16, 512).categorical("stop", STOPS).build(),
                        TestFunctions::promptLoss, 0.14));
    }

    public static Problem byName(String name) {
        return all().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown function '" + name + "'"));
    }
}
