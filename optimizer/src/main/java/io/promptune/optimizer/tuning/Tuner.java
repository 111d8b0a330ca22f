package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.optimizer.tuning.interim.Stats;
import io.promptune.providers.LanguageModel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tuning loop. Each trial's configuration is scored on the tune split in a fixed example order,
 * in growing prefixes (racing: the study's pruner stops a trial that cannot beat the best so far);
 * every finished trial is persisted before the next one starts. The baseline (the user's current
 * template and parameters) is always trial 0. When the budget is spent, the best trial and the
 * baseline are re-scored on the held-out split and compared on the same examples.
 *
 * <p>{@link #stop()} (e.g. from a Ctrl-C hook) lets the requests in flight finish, leaves the
 * interrupted trial unfinished in the study, and returns; running again on the same study resumes
 * with that trial, so no trial is lost or run twice.
 */
public final class Tuner {
    private final ConfigurationEvaluator evaluator;
    private final List<Example> tuneExamples;
    private final List<Example> testExamples;
    private final Map<String, Object> baselineParams;
    private final Objective objective;
    private final Budget budget;
    private final StudyPort study;
    private final boolean racing;
    private final TuningListener listener;
    private final StudyDirectory directory;
    private final RunInfo runInfo;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    private Tuner(Builder b) {
        Objects.requireNonNull(b.model, "model");
        Objects.requireNonNull(b.study, "study");
        if (b.tuneExamples.isEmpty()) throw new IllegalArgumentException("the tune split has no examples");
        if (b.objective == null) throw new IllegalArgumentException("an objective (metric and direction) is needed");
        this.tuneExamples = List.copyOf(b.tuneExamples);
        this.testExamples = List.copyOf(b.testExamples);
        String baselineTemplate = b.baselineTemplate != null ? b.baselineTemplate : b.templates.keySet().iterator().next();
        Map<String, Object> base = new LinkedHashMap<>();
        base.put(Configuration.TEMPLATE, baselineTemplate);
        base.putAll(b.baselineParams);
        this.baselineParams = Map.copyOf(base);
        this.evaluator = new ConfigurationEvaluator(b.model, b.templates, baselineTemplate, b.fixedParams, b.metrics,
                b.objective.metric(), b.fewShotPool != null ? b.fewShotPool : tuneExamples, b.batchSize);
        this.objective = b.objective;
        this.budget = b.budget;
        this.study = b.study;
        this.racing = b.racing;
        this.listener = b.listener;
        this.directory = b.directory;
        this.runInfo = directory == null ? null : new RunInfo(study.name(), b.model.id(), b.datasetName,
                objective.metric(), objective.maximize(), b.metrics.stream().map(Metric::name).toList(),
                templateTexts(b.templates), baselineTemplate, baselineParams, b.fixedParams, b.spaceDescription,
                tuneExamples.size(), testExamples.size(), b.samplerName, budgetMap(b.budget), Instant.now().toString());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Asks the run to stop after the requests in flight; safe to call from any thread (a shutdown hook). */
    public void stop() {
        stopRequested.set(true);
    }

    public boolean stopRequested() {
        return stopRequested.get();
    }

    public ConfigurationEvaluator evaluator() {
        return evaluator;
    }

    /** Runs (or resumes) the study until the budget is spent or {@link #stop()} is called. */
    public TuningResult run() {
        Instant started = Instant.now();
        if (directory != null && directory.readRunInfo().isEmpty()) directory.writeRunInfo(runInfo);
        Counters c = new Counters();
        List<TrialRow> previous = study.trials();
        for (TrialRow t : previous) if (t.finished()) c.add(t);
        if (previous.isEmpty()) {
            study.enqueue(baselineParams);
        } else {
            listener.onMessage("resuming study '" + study.name() + "': " + c.finished + " trials already done");
        }

        String stopReason = null;
        boolean interrupted = false;
        int[] checkpoints = racing ? checkpoints(tuneExamples.size()) : new int[0];
        List<Duration> trialTimes = new ArrayList<>();
        while (true) {
            Duration elapsed = c.previousTime.plus(Duration.between(started, Instant.now()));
            stopReason = budget.exhausted(c.finished, c.calls, c.cost, elapsed);
            if (stopReason != null) break;
            if (stopRequested.get()) {
                interrupted = true;
                stopReason = "stopped on request";
                break;
            }
            StudyPort.Session trial = study.ask();
            Instant trialStart = Instant.now();
            TrialRow.State state;
            Evaluation ev;
            try {
                ev = evaluator.evaluate(new Configuration(trial.params()), tuneExamples, checkpoints, (soFar, atCheckpoint) -> {
                    listener.onProgress(progress(c, trial.number(), soFar, started, trialTimes));
                    if (!atCheckpoint) return true;
                    trial.reportIntermediate(soFar.size(), mean(soFar));
                    return !trial.shouldPrune();
                }, stopRequested::get);
            } catch (StopRequested e) {
                interrupted = true;
                stopReason = "stopped on request";
                break;
            } catch (RuntimeException e) {
                Map<String, Object> attrs = Map.of("error", String.valueOf(e.getMessage()));
                study.tell(trial, TrialRow.State.FAILED, null, attrs);
                c.finished++;
                c.failed++;
                listener.onMessage("trial " + trial.number() + " failed: " + e.getMessage());
                continue;
            }
            Duration took = Duration.between(trialStart, Instant.now());
            trialTimes.add(took);
            boolean allFailed = ev.errors() == ev.examples().size();
            state = allFailed ? TrialRow.State.FAILED : ev.complete() ? TrialRow.State.COMPLETE : TrialRow.State.PRUNED;
            Map<String, Object> attrs = attributes(ev, took);
            if (allFailed) attrs.put("error", "every request failed: " + ev.examples().get(0).error());
            Double value = allFailed ? null : ev.objective().mean();
            study.tell(trial, state, value, attrs);
            TrialRow row = new TrialRow(trial.number(), state, trial.params(), value, attrs, Map.of(), trialStart, Instant.now());
            c.add(row);
            if (state == TrialRow.State.PRUNED) c.saved += tuneExamples.size() - ev.examples().size();
            listener.onTrialFinished(row, progress(c, -1, List.of(), started, trialTimes));
        }

        TrialRow best = bestTrial(study.trials());
        Evaluation bestHeld = null, baseHeld = null;
        PairedComparison comparison = null;
        if (!interrupted && best != null && !testExamples.isEmpty()) {
            listener.onMessage("re-scoring the best trial (#" + best.number() + ") and the baseline on "
                    + testExamples.size() + " held-out examples");
            try {
                baseHeld = evaluator.evaluate(new Configuration(baselineParams), testExamples, stopRequested::get);
                bestHeld = best.params().equals(baselineParams) ? baseHeld
                        : evaluator.evaluate(new Configuration(best.params()), testExamples, stopRequested::get);
                comparison = compare(baseHeld, bestHeld);
            } catch (StopRequested e) {
                interrupted = true;
                stopReason = "stopped on request";
            }
        }
        long in = c.in, out = c.out, calls = c.calls;
        double cost = c.cost;
        for (Evaluation e : new Evaluation[]{baseHeld, bestHeld == baseHeld ? null : bestHeld}) {
            if (e == null) continue;
            in += e.inputTokens();
            out += e.outputTokens();
            cost += e.costUsd();
            calls += e.modelCalls();
        }
        TuningResult result = new TuningResult(study.name(), stopReason, interrupted, c.finished, c.pruned, c.failed,
                best == null ? null : best.number(), best == null ? null : best.params(),
                best == null ? null : estimateOf(best), baselineParams, bestHeld, baseHeld, comparison,
                in, out, cost, calls, c.saved, c.previousTime.plus(Duration.between(started, Instant.now())).toMillis());
        if (directory != null && !interrupted) directory.writeResult(result);
        return result;
    }

    /** Racing checkpoints: a quarter and a half of the tune split, when those hold enough examples to judge. */
    static int[] checkpoints(int n) {
        if (n < 16) return new int[0];
        return new int[]{n / 4, n / 2};
    }

    private double mean(List<ExampleResult> results) {
        double s = 0;
        for (ExampleResult r : results) s += r.score(objective.metric());
        return results.isEmpty() ? 0 : s / results.size();
    }

    private PairedComparison compare(Evaluation baseline, Evaluation best) {
        double[] a = baseline.objectiveScores(), b = best.objectiveScores();
        double[] diff = new double[a.length];
        for (int i = 0; i < a.length; i++) diff[i] = b[i] - a[i];
        double[] ci = Stats.bootstrapCi(diff, 4000, 7);
        double p = Stats.signFlipP(diff, 10000, 11);
        double d = Stats.mean(diff);
        return new PairedComparison(baseline.objective(), best.objective(), d, ci[0], ci[1], p, p < 0.05,
                "paired bootstrap 95% interval of the mean difference; two-sided sign-flip permutation test");
    }

    /** The best complete trial by mean objective; ties go to the smaller standard error, then the earlier trial. */
    TrialRow bestTrial(List<TrialRow> trials) {
        TrialRow best = null;
        for (TrialRow t : trials) {
            if (t.state() != TrialRow.State.COMPLETE || t.value() == null) continue;
            if (best == null || objective.better(t.value(), best.value())
                    || (t.value().equals(best.value()) && se(t) < se(best))) best = t;
        }
        return best;
    }

    private static double se(TrialRow t) {
        return t.attrs().get("se") instanceof Number n ? n.doubleValue() : Double.MAX_VALUE;
    }

    private static Estimate estimateOf(TrialRow t) {
        Map<String, Object> a = t.attrs();
        return new Estimate(t.value(), num(a.get("se")), num(a.get("ci_low")), num(a.get("ci_high")), (int) num(a.get("examples")));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private Map<String, Object> attributes(Evaluation ev, Duration took) {
        Map<String, Object> a = new LinkedHashMap<>();
        Estimate o = ev.objective();
        a.put("se", o.standardError());
        a.put("ci_low", o.ciLow());
        a.put("ci_high", o.ciHigh());
        a.put("examples", ev.examples().size());
        Map<String, Double> metricMeans = new LinkedHashMap<>();
        ev.metrics().forEach((k, v) -> metricMeans.put(k, v.mean()));
        a.put("metrics", metricMeans);
        a.put("scores", ev.examples().stream().map(r -> r.score(objective.metric())).toList());
        a.put("input_tokens", ev.inputTokens());
        a.put("output_tokens", ev.outputTokens());
        a.put("cost_usd", ev.costUsd());
        a.put("model_calls", ev.modelCalls());
        a.put("errors", ev.errors());
        a.put("duration_ms", took.toMillis());
        return a;
    }

    private TuningProgress progress(Counters c, int current, List<ExampleResult> soFar, Instant started, List<Duration> times) {
        TrialRow best = bestTrial(study.trials());
        long in = c.in, out = c.out, calls = c.calls;
        double cost = c.cost;
        for (ExampleResult r : soFar) {
            in += r.inputTokens();
            out += r.outputTokens();
            cost += r.costUsd();
            calls++;
        }
        Duration elapsed = Duration.between(started, Instant.now());
        Duration eta = null;
        if (!times.isEmpty() && budget.maxTrials() != null && budget.maxTrials() > 0) {
            long avg = times.stream().mapToLong(Duration::toMillis).sum() / times.size();
            eta = Duration.ofMillis(Math.max(0, budget.maxTrials() - c.finished) * avg);
        }
        if (budget.maxDuration() != null && !budget.maxDuration().isZero()) {
            Duration left = budget.maxDuration().minus(c.previousTime).minus(elapsed);
            if (left.isNegative()) left = Duration.ZERO;
            if (eta == null || left.compareTo(eta) < 0) eta = left;
        }
        return new TuningProgress(c.finished, budget.maxTrials(), current, soFar.size(), tuneExamples.size(),
                best == null ? null : best.number(), best == null ? null : estimateOf(best), in, out, cost, calls,
                c.pruned, elapsed, eta);
    }

    private static Map<String, String> templateTexts(Map<String, PromptBuilder> templates) {
        Map<String, String> m = new LinkedHashMap<>();
        templates.forEach((k, v) -> m.put(k, v.sourceText()));
        return m;
    }

    private static Map<String, Object> budgetMap(Budget b) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (b.maxTrials() != null) m.put("trials", b.maxTrials());
        if (b.maxModelCalls() != null) m.put("model_calls", b.maxModelCalls());
        if (b.maxCostUsd() != null) m.put("cost_usd", b.maxCostUsd());
        if (b.maxDuration() != null) m.put("time", b.maxDuration().toString());
        return m;
    }

    /** Running totals over finished trials, including those of earlier runs of a resumed study. */
    private static final class Counters {
        int finished, pruned, failed;
        long in, out, calls, saved;
        double cost;
        Duration previousTime = Duration.ZERO;

        void add(TrialRow t) {
            finished++;
            if (t.state() == TrialRow.State.PRUNED) pruned++;
            if (t.state() == TrialRow.State.FAILED) failed++;
            Map<String, Object> a = t.attrs();
            in += (long) num0(a.get("input_tokens"));
            out += (long) num0(a.get("output_tokens"));
            calls += (long) num0(a.get("model_calls"));
            cost += num0(a.get("cost_usd"));
            previousTime = previousTime.plusMillis((long) num0(a.get("duration_ms")));
        }

        private static double num0(Object o) {
            return o instanceof Number n ? n.doubleValue() : 0;
        }
    }

    public static final class Builder {
        private LanguageModel model;
        private List<Example> tuneExamples = List.of(), testExamples = List.of(), fewShotPool;
        private final Map<String, PromptBuilder> templates = new LinkedHashMap<>();
        private String baselineTemplate, datasetName = "", samplerName = "";
        private final Map<String, Object> baselineParams = new LinkedHashMap<>(), fixedParams = new LinkedHashMap<>();
        private final List<Metric> metrics = new ArrayList<>();
        private Objective objective;
        private Budget budget = Budget.trials(20);
        private StudyPort study;
        private int batchSize = 8;
        private boolean racing = true;
        private TuningListener listener = new TuningListener() { };
        private StudyDirectory directory;
        private List<Map<String, Object>> spaceDescription = List.of();

        public Builder model(LanguageModel m) { model = m; return this; }
        public Builder tuneExamples(List<Example> e) { tuneExamples = e; return this; }
        public Builder testExamples(List<Example> e) { testExamples = e; return this; }
        public Builder fewShotPool(List<Example> e) { fewShotPool = e; return this; }
        public Builder dataset(String name) { datasetName = name; return this; }
        public Builder template(String name, PromptBuilder t) { templates.put(name, t); return this; }
        /** The user's current configuration: trial 0 and the reference the best is compared with. */
        public Builder baseline(String template, Map<String, ?> params) { baselineTemplate = template; baselineParams.putAll(params); return this; }
        /** Decoding parameters every trial uses unless the search space sets them. */
        public Builder fixedParams(Map<String, ?> p) { fixedParams.putAll(p); return this; }
        public Builder metric(Metric m) { metrics.add(m); return this; }
        public Builder objective(Objective o) { objective = o; return this; }
        public Builder budget(Budget b) { budget = b; return this; }
        public Builder study(StudyPort s) { study = s; return this; }
        public Builder batchSize(int n) { batchSize = n; return this; }
        public Builder racing(boolean on) { racing = on; return this; }
        public Builder listener(TuningListener l) { listener = l; return this; }
        /** Where run.json and result.json go (beside the study's trials), for reports. */
        public Builder directory(StudyDirectory d) { directory = d; return this; }
        public Builder describeSpace(List<Map<String, Object>> space, String sampler) { spaceDescription = space; samplerName = sampler; return this; }

        public Tuner build() {
            return new Tuner(this);
        }
    }
}
