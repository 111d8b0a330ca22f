package io.promptune.reports;

import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.ExampleResult;
import io.promptune.optimizer.tuning.RunInfo;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a report page shows, as one JSON-ready tree: the run's set-up, every trial, totals,
 * parameter importance, the best configuration as YAML and Java, the held-out comparison and the
 * per-example outputs of the best configuration next to the baseline's. The page (static or live)
 * renders only from this.
 */
public final class ReportData {
    private ReportData() { }

    public static Map<String, Object> of(StudyDirectory study) {
        // A run.json or result.json this build cannot read (e.g. from an older build) costs only its
        // sections of the report; the trials still show.
        List<String> warnings = new ArrayList<>();
        RunInfo run = readOrWarn(study::readRunInfo, warnings);
        TuningResult result = readOrWarn(study::readResult, warnings);
        List<Trial> trials = StudyReader.trials(study);
        Map<String, Object> d = of(study.name(), run, trials, result);
        Map<String, Object> promptSearch = PromptSearchSection.of(study, trials, result, run == null || run.maximize(), warnings);
        if (promptSearch != null) d.put("promptSearch", promptSearch);
        if (!warnings.isEmpty()) d.put("warnings", warnings);
        return d;
    }

    private static <T> T readOrWarn(java.util.function.Supplier<java.util.Optional<T>> read, List<String> warnings) {
        try {
            return read.get().orElse(null);
        } catch (java.io.UncheckedIOException e) {
            warnings.add(e.getMessage());
            return null;
        }
    }

    public static Map<String, Object> of(String name, RunInfo run, List<Trial> trials, TuningResult result) {
        boolean maximize = run == null || run.maximize();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("study", name);
        d.put("generatedAt", Instant.now().toString());
        d.put("run", run);
        d.put("objective", Map.of("metric", run == null ? "objective" : run.objectiveMetric(), "maximize", maximize));

        Set<String> paramNames = new LinkedHashSet<>();
        for (Trial t : trials) paramNames.addAll(t.params().keySet());
        d.put("paramNames", List.copyOf(paramNames));
        Map<String, String> kinds = new LinkedHashMap<>();
        for (String p : paramNames) {
            boolean numeric = trials.stream().map(t -> t.params().get(p)).allMatch(v -> v == null || v instanceof Number);
            kinds.put(p, numeric ? "numeric" : "categorical");
        }
        d.put("paramKinds", kinds);

        List<Map<String, Object>> rows = new ArrayList<>();
        long in = 0, out = 0, calls = 0;
        double cost = 0;
        int complete = 0, pruned = 0, failed = 0, running = 0;
        for (Trial t : trials) {
            Map<String, Object> a = t.userAttrs();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("number", t.number());
            r.put("state", t.state().name());
            r.put("params", t.params());
            r.put("value", finite(t.value()));
            r.put("se", t.standardError());
            r.put("ciLow", a.get(Tuner.ATTR_CI_LOW));
            r.put("ciHigh", a.get(Tuner.ATTR_CI_HIGH));
            r.put("examples", a.get(Tuner.ATTR_EXAMPLES));
            r.put("metrics", a.get(Tuner.ATTR_METRICS));
            r.put("inputTokens", a.get(Tuner.ATTR_INPUT_TOKENS));
            r.put("outputTokens", a.get(Tuner.ATTR_OUTPUT_TOKENS));
            r.put("costUsd", a.get(Tuner.ATTR_COST));
            r.put("modelCalls", t.modelCalls());
            r.put("durationMs", a.get(Tuner.ATTR_DURATION) != null ? a.get(Tuner.ATTR_DURATION)
                    : t.duration() == null ? null : t.duration().toMillis());
            r.put("error", t.error());
            r.put("retryOf", a.get(Tuner.ATTR_RETRY_OF));
            r.put("intermediate", t.intermediate());
            rows.add(r);
            in += lng(a.get(Tuner.ATTR_INPUT_TOKENS));
            out += lng(a.get(Tuner.ATTR_OUTPUT_TOKENS));
            calls += t.modelCalls();
            cost += a.get(Tuner.ATTR_COST) instanceof Number n ? n.doubleValue() : 0;
            switch (t.state()) {
                case COMPLETE -> complete++;
                case PRUNED -> pruned++;
                case FAILED -> failed++;
                case RUNNING, WAITING -> running++;
            }
        }
        d.put("trials", rows);

        List<Map<String, Object>> done = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Trial t : trials) {
            if (t.state() == TrialState.COMPLETE && Double.isFinite(t.value())) {
                done.add(t.params());
                values.add(t.value());
            }
        }
        d.put("importance", Map.of("method", ParameterImportance.METHOD,
                "values", ParameterImportance.compute(done, values.stream().mapToDouble(Double::doubleValue).toArray(),
                        List.copyOf(paramNames))));

        Trial best = null;
        for (Trial t : trials) {
            if (t.state() != TrialState.COMPLETE || !Double.isFinite(t.value())) continue;
            if (best == null || (maximize ? t.value() > best.value() : t.value() < best.value())) best = t;
        }
        if (result != null && result.bestTrial() != null) {
            for (Trial t : trials) if (t.number() == result.bestTrial()) best = t;
        }
        if (best != null) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("number", best.number());
            b.put("params", best.params());
            b.put("value", finite(best.value()));
            Object template = best.params().get("template");
            String templateName = template == null ? (run == null ? null : run.baselineTemplate()) : String.valueOf(template);
            Map<String, String> parts = run == null || templateName == null ? null : run.templates().get(templateName);
            b.put("yaml", ConfigSnippets.yaml(best.params(), templateName, parts));
            b.put("java", ConfigSnippets.java(best.params(), parts));
            b.put("isBaseline", run != null && best.params().equals(run.baselineParams()));
            d.put("best", b);
        }

        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("trials", trials.size());
        totals.put("complete", complete);
        totals.put("pruned", pruned);
        totals.put("failed", failed);
        totals.put("running", running);
        if (result != null) {
            in = result.inputTokens();
            out = result.outputTokens();
            calls = result.modelCalls();
            cost = result.costUsd();
            totals.put("savedCalls", result.modelCallsSavedByPruning());
            totals.put("durationMs", result.durationMs());
            totals.put("stopReason", result.stopReason());
        }
        totals.put("inputTokens", in);
        totals.put("outputTokens", out);
        totals.put("modelCalls", calls);
        totals.put("costUsd", cost);
        PromptSearchSection.addToTotals(totals, trials, result != null);
        d.put("totals", totals);
        d.put("finished", result != null);

        if (result != null && result.comparison() != null) {
            d.put("comparison", result.comparison());
            d.put("examples", examples(result.baselineHeldOut(), result.bestHeldOut()));
        }
        return d;
    }

    private static List<Map<String, Object>> examples(Evaluation baseline, Evaluation best) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (baseline == null || best == null) return out;
        for (int i = 0; i < Math.min(baseline.examples().size(), best.examples().size()); i++) {
            ExampleResult a = baseline.examples().get(i), b = best.examples().get(i);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", a.exampleId());
            e.put("inputs", a.inputs());
            e.put("expected", a.expected());
            e.put("baseline", side(a, baseline.objectiveMetric()));
            e.put("best", side(b, best.objectiveMetric()));
            out.add(e);
        }
        return out;
    }

    private static Map<String, Object> side(ExampleResult r, String objective) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", r.output());
        m.put("prompt", r.prompt());
        m.put("score", r.score(objective));
        m.put("scores", r.scores());
        m.put("details", r.details());
        m.put("error", r.error());
        m.put("finishReason", r.finishReason());
        m.put("outputTokens", r.outputTokens());
        m.put("latencyMs", r.latencyMs());
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static long lng(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
