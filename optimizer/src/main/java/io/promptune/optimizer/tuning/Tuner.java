package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.InMemoryStorage;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.pruners.RacingPruner;
import io.promptune.optimizer.RunningTrial;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.datasets.PromptTemplate;
import io.promptune.evaluators.PairedComparison;
import io.promptune.providers.LanguageModel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tuning loop over a {@link Study}. Each trial's configuration is scored on the tune split in a
 * fixed example order, in growing prefixes (racing: the study's pruner stops a trial that cannot
 * beat the best so far); the study persists every trial as it finishes. The baseline (the user's
 * current template and parameters) is always trial 0. When the budget is spent, the best trial and
 * the baseline are re-scored on the held-out split and compared on the same examples.
 *
 * <p>{@link #stop()} (e.g. from a Ctrl-C hook) lets the requests in flight finish, marks the
 * interrupted trial failed and queues its configuration again, and returns; running again on the
 * same storage resumes with it, so no trial is lost or counted twice.
 */
public final class Tuner {
    /** User attributes the Tuner stores on every trial (reports read them). */
    public static final String ATTR_METRICS = "metrics", ATTR_CI_LOW = "ci_low", ATTR_CI_HIGH = "ci_high",
            ATTR_EXAMPLES = "examples", ATTR_INPUT_TOKENS = "input_tokens", ATTR_OUTPUT_TOKENS = "output_tokens",
            ATTR_COST = "cost_usd", ATTR_ERRORS = "errors", ATTR_DURATION = "duration_ms", ATTR_INTERRUPTED = "interrupted",
            ATTR_RETRY_OF = "retry_of", ATTR_SIDE_SPENDING = "side_spending";

    private final ConfigurationEvaluator evaluator;
    private final List<Example> tuneExamples;
    private final List<Example> testExamples;
    private final Map<String, Object> baselineParams;
    private final String objectiveMetric;
    private final Direction direction;
    private final Budget budget;
    private final Study study;
    private final boolean racing;
    private final TuningListener listener;
    private final StudyDirectory directory;
    private final RunInfo runInfo;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final List<TrialHook> hooks;
    private final SideSpending side;

    private final boolean ownsStorage;

    private Tuner(Builder b) {
        Objects.requireNonNull(b.model, "model");
        this.ownsStorage = b.study == null;
        if (b.study == null) b.study = b.defaultStudy();
        if (b.tuneExamples.isEmpty()) throw new IllegalArgumentException("the tune split has no examples");
        if (b.objectiveMetric == null) throw new IllegalArgumentException("an objective (metric and direction) is needed");
        if (b.templates.isEmpty()) throw new IllegalArgumentException("at least one prompt template is needed");
        this.study = b.study;
        this.tuneExamples = List.copyOf(b.tuneExamples);
        this.testExamples = List.copyOf(b.testExamples);
        String baselineTemplate = b.baselineTemplate != null ? b.baselineTemplate : b.templates.keySet().iterator().next();
        Map<String, Object> base = new LinkedHashMap<>();
        base.put(Configuration.TEMPLATE, baselineTemplate);
        base.putAll(b.baselineParams);
        // What the baseline sets but the space does not search stays as the user has it, in every trial.
        Map<String, Object> fixed = new LinkedHashMap<>();
        base.forEach((k, v) -> { if (study.space().params().stream().noneMatch(p -> p.name().equals(k))) fixed.put(k, v); });
        fixed.putAll(b.fixedParams);
        try {
            this.baselineParams = Map.copyOf(study.space().normalize(base));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseline " + base + " does not fit the search space: " + e.getMessage(), e);
        }
        List<Example> pool = b.fewShotPool != null ? b.fewShotPool : tuneExamples;
        checkNotHeldOut(pool, testExamples);
        this.evaluator = new ConfigurationEvaluator(b.model, b.templates, baselineTemplate, fixed, b.metrics,
                b.objectiveMetric, pool, b.batchSize, b.composer);
        this.hooks = List.copyOf(b.hooks);
        this.side = b.side;
        this.objectiveMetric = b.objectiveMetric;
        this.direction = b.direction;
        this.budget = b.budget;
        this.racing = b.racing;
        this.listener = b.listener;
        this.directory = b.directory;
        this.runInfo = new RunInfo(study.name(), b.model.id(), b.datasetName, objectiveMetric,
                direction == Direction.MAXIMIZE, b.metrics.stream().map(Metric::name).toList(),
                templateTexts(b.templates), baselineTemplate, baselineParams, fixed, spaceDescription(study),
                tuneExamples.size(), testExamples.size(), study.sampler().name(), budgetMap(b.budget), Instant.now().toString());
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

    public Map<String, Object> baselineParams() {
        return baselineParams;
    }

    /** Runs (or resumes) the study until the budget is spent or {@link #stop()} is called. */
    public TuningResult run() {
        Instant started = Instant.now();
        if (directory != null && directory.readRunInfo().isEmpty()) directory.writeRunInfo(runInfo);
        List<Trial> previous = study.trials();
        if (previous.isEmpty()) {
            study.enqueue(baselineParams);
        } else {
            listener.onMessage("resuming study '" + study.name() + "': " + counted(previous).size() + " trials already done");
        }

        String stopReason;
        boolean interrupted = false;
        int[] checkpoints = racing ? checkpoints(tuneExamples.size()) : new int[0];
        List<Duration> trialTimes = new ArrayList<>();
        // Time spent by earlier runs of this study counts against a time budget; this run's is measured live.
        earlier = Counters.of(counted(previous)).trialTime;
        while (true) {
            Counters c = Counters.of(counted(study.trials()));
            SideSpending.Usage s = sideSpent();
            Duration elapsed = earlier.plus(Duration.between(started, Instant.now()));
            stopReason = budget.exhausted(c.finished, c.calls + s.calls(), c.cost + s.costUsd(), elapsed);
            // A trial makes up to one call per tune example: start one only if that still fits.
            if (stopReason == null) stopReason = budget.noRoomFor(c.calls + s.calls(), tuneExamples.size());
            if (stopReason != null) break;
            if (stopRequested.get()) {
                interrupted = true;
                stopReason = "stopped on request";
                break;
            }
            study.recoverStaleTrials();
            for (TrialHook h : hooks) h.beforeTrial(study);
            RunningTrial trial = study.ask();
            trial.setPlannedSteps(tuneExamples.size());
            Instant trialStart = Instant.now();
            Thread heartbeat = Thread.ofVirtual().start(() -> heartbeat(trial.number()));
            Evaluation ev;
            try {
                ev = evaluator.evaluate(new Configuration(trial.params()), tuneExamples, checkpoints, (soFar, atCheckpoint) -> {
                    listener.onProgress(progress(c, trial.number(), soFar, started, trialTimes));
                    if (!atCheckpoint) return true;
                    trial.reportIntermediate(soFar.size(), mean(soFar), scores(soFar));
                    return !trial.shouldPrune();
                }, stopRequested::get);
            } catch (StopRequested e) {
                attachSideSpending(trial);
                trial.setUserAttr(ATTR_INTERRUPTED, true);
                study.fail(trial, "interrupted (stopped on request); its configuration is queued again");
                study.enqueue(trial.params(), Map.of(ATTR_RETRY_OF, trial.number()));
                interrupted = true;
                stopReason = "stopped on request";
                break;
            } catch (RuntimeException e) {
                attachSideSpending(trial);
                study.fail(trial, e.getMessage() == null ? e.toString() : e.getMessage());
                listener.onMessage("trial " + trial.number() + " failed: " + e.getMessage());
                continue;
            } finally {
                heartbeat.interrupt();
            }
            Duration took = Duration.between(trialStart, Instant.now());
            trialTimes.add(took);
            attributes(ev, took).forEach(trial::setUserAttr);
            trial.addModelCalls(ev.modelCalls());
            attachSideSpending(trial);
            Trial done;
            if (ev.errors() == ev.examples().size()) {
                done = study.fail(trial, "every request failed: " + ev.examples().getFirst().error());
            } else if (!ev.complete()) {
                done = study.prune(trial);
            } else {
                done = study.tell(trial, new io.promptune.optimizer.Evaluation(List.of(ev.objective().mean()),
                        scores(ev.examples()), null, null, 0, Map.of()));
            }
            for (TrialHook h : hooks) h.afterTrial(study, done, ev);
            Counters after = Counters.of(counted(study.trials()));
            listener.onTrialFinished(done, progress(after, -1, List.of(), started, trialTimes));
        }

        List<Trial> all = study.trials();
        Counters c = Counters.of(counted(all));
        Trial best = bestTrial();
        Evaluation bestHeld = null, baseHeld = null;
        HeldOutComparison comparison = null;
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
        SideSpending.Usage s = sideSpent();
        long in = c.in + s.inputTokens(), out = c.out + s.outputTokens(), calls = c.calls + s.calls();
        double cost = c.cost + s.costUsd();
        for (Evaluation e : bestHeld == baseHeld ? new Evaluation[]{baseHeld} : new Evaluation[]{baseHeld, bestHeld}) {
            if (e == null) continue;
            in += e.inputTokens();
            out += e.outputTokens();
            cost += e.costUsd();
            calls += e.modelCalls();
        }
        TuningResult result = new TuningResult(study.name(), stopReason, interrupted, c.finished, c.pruned, c.failed,
                best == null ? null : best.number(), best == null ? null : best.params(),
                best == null ? null : estimateOf(best), baselineParams, bestHeld, baseHeld, comparison,
                in, out, cost, calls, study.evaluationsSaved(),
                earlier.plus(Duration.between(started, Instant.now())).toMillis());
        if (directory != null && !interrupted) directory.writeResult(result);
        if (ownsStorage) study.storage().close();
        return result;
    }

    /**
     * Whether {@code calls} more model calls outside trials (proposing, bootstrapping) fit the budget
     * while still leaving room for a whole trial (the one running, or the next). Extensions ask
     * before spending and skip the work when the answer is no, so they never push a study over its
     * model-call or cost budget.
     */
    public boolean canSpendOutsideTrials(long calls) {
        Counters c = Counters.of(counted(study.trials()));
        SideSpending.Usage s = sideSpent();
        long spent = c.calls + s.calls();
        Long maxCalls = budget.maxModelCalls();
        if (maxCalls != null && maxCalls > 0 && spent + calls + tuneExamples.size() > maxCalls) return false;
        Double maxCost = budget.maxCostUsd();
        if (maxCost != null && maxCost > 0) {
            double cost = c.cost + s.costUsd();
            double perCall = spent == 0 ? 0 : cost / spent;
            if (cost + perCall * (calls + tuneExamples.size()) >= maxCost) return false;
        }
        return true;
    }

    /** Model use outside trials so far: what finished trials carry plus what is not yet written onto one. */
    public SideSpending.Usage sideSpent() {
        SideSpending.Usage u = side.pendingTotal();
        for (Trial t : study.trials()) {
            for (SideSpending.Usage x : SideSpending.fromAttr(t.userAttrs().get(ATTR_SIDE_SPENDING)).values()) u = u.plus(x);
        }
        return u;
    }

    /** The ledger extensions record their calls in. */
    public SideSpending sideSpending() {
        return side;
    }

    private void attachSideSpending(RunningTrial trial) {
        Map<String, Object> spent = side.takePending();
        if (!spent.isEmpty()) trial.setUserAttr(ATTR_SIDE_SPENDING, spent);
    }

    /** A demonstration taken from the held-out split would leak it into the prompts: refuse. */
    static void checkNotHeldOut(List<Example> pool, List<Example> test) {
        Set<String> testIds = new HashSet<>();
        for (Example e : test) testIds.add(e.id());
        for (Example e : pool) {
            if (testIds.contains(e.id())) {
                throw new IllegalArgumentException("the few-shot pool holds example '" + e.id()
                        + "' of the held-out test split; demonstrations must come from the tune split only");
            }
        }
    }

    /** The incumbent: the study's noise-aware choice among complete trials. */
    public Trial bestTrial() {
        return study.directions().size() == 1 ? study.bestTrial().orElse(null) : null;
    }

    private void heartbeat(int number) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(10_000);
                study.storage().heartbeat(study.name(), List.of(number), Instant.now());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a missed heartbeat only risks the trial being re-queued by another worker later
            }
        }
    }

    /**
     * Trials that count against the budget: finished ones, except failures whose configuration was
     * queued again (an interrupt or a crashed worker), since their rerun counts instead.
     */
    public static List<Trial> counted(List<Trial> trials) {
        Set<Integer> retried = new HashSet<>();
        for (Trial t : trials) if (t.userAttrs().get(ATTR_RETRY_OF) instanceof Number n) retried.add(n.intValue());
        return trials.stream().filter(t -> t.state().isFinished())
                .filter(t -> !(t.state() == TrialState.FAILED && retried.contains(t.number()))).toList();
    }

    /**
     * Racing checkpoints: a quarter, a half and three quarters of the tune split (the pruner decides
     * at each whether the trial can still beat the incumbent; it ignores checkpoints with too few examples).
     */
    static int[] checkpoints(int n) {
        if (n < 16) return new int[0];
        return new int[]{n / 4, n / 2, 3 * n / 4};
    }

    private double mean(List<ExampleResult> results) {
        double s = 0;
        for (ExampleResult r : results) s += r.score(objectiveMetric);
        return results.isEmpty() ? 0 : s / results.size();
    }

    private List<Double> scores(List<ExampleResult> results) {
        return results.stream().map(r -> r.score(objectiveMetric)).toList();
    }

    /** Best against baseline on the same held-out examples (the evaluators' paired comparison). */
    private HeldOutComparison compare(Evaluation baseline, Evaluation best) {
        PairedComparison.Result r = PairedComparison.compare(baseline.objectiveScores(), best.objectiveScores(), 7);
        return new HeldOutComparison(baseline.objective(), best.objective(), r.diff().mean(), r.diff().low(), r.diff().high(),
                r.pPermutation(), r.pPermutation() < 0.05, r.wins(), r.losses(), r.ties(),
                "paired bootstrap 95% interval of the mean difference; two-sided paired permutation (sign-flip) test");
    }

    static Estimate estimateOf(Trial t) {
        Map<String, Object> a = t.userAttrs();
        double se = t.standardError() == null ? Double.NaN : t.standardError();
        return new Estimate(t.value(), se, num(a.get(ATTR_CI_LOW)), num(a.get(ATTR_CI_HIGH)), (int) num(a.get(ATTR_EXAMPLES)));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Map<String, Object> attributes(Evaluation ev, Duration took) {
        Map<String, Object> a = new LinkedHashMap<>();
        Estimate o = ev.objective();
        a.put(ATTR_CI_LOW, o.ciLow());
        a.put(ATTR_CI_HIGH, o.ciHigh());
        a.put(ATTR_EXAMPLES, ev.examples().size());
        Map<String, Double> metricMeans = new LinkedHashMap<>();
        ev.metrics().forEach((k, v) -> metricMeans.put(k, v.mean()));
        a.put(ATTR_METRICS, metricMeans);
        a.put(ATTR_INPUT_TOKENS, ev.inputTokens());
        a.put(ATTR_OUTPUT_TOKENS, ev.outputTokens());
        a.put(ATTR_COST, ev.costUsd());
        a.put(ATTR_ERRORS, ev.errors());
        a.put(ATTR_DURATION, took.toMillis());
        return a;
    }

    private Duration earlier = Duration.ZERO;

    private TuningProgress progress(Counters c, int current, List<ExampleResult> soFar, Instant started, List<Duration> times) {
        Trial best = bestTrial();
        SideSpending.Usage s = sideSpent();
        long in = c.in + s.inputTokens(), out = c.out + s.outputTokens(), calls = c.calls + s.calls();
        double cost = c.cost + s.costUsd();
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
            Duration left = budget.maxDuration().minus(earlier).minus(elapsed);
            if (left.isNegative()) left = Duration.ZERO;
            if (eta == null || left.compareTo(eta) < 0) eta = left;
        }
        return new TuningProgress(c.finished, budget.maxTrials(), current, soFar.size(), tuneExamples.size(),
                best == null ? null : best.number(), best == null ? null : estimateOf(best), in, out, cost, calls,
                c.pruned, elapsed, eta);
    }

    private static Map<String, Map<String, String>> templateTexts(Map<String, PromptTemplate> templates) {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        templates.forEach((k, v) -> {
            Map<String, String> parts = new LinkedHashMap<>();
            if (v.isChat()) {
                if (v.system() != null) parts.put("system", v.system());
                parts.put("user", v.user());
            } else {
                parts.put("raw", v.raw());
            }
            m.put(k, parts);
        });
        return m;
    }

    private static List<Map<String, Object>> spaceDescription(Study study) {
        try {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> l = StudyDirectory.JSON.readValue(study.space().toJson(), List.class);
            return l;
        } catch (Exception e) {
            return List.of();
        }
    }

    private static Map<String, Object> budgetMap(Budget b) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (b.maxTrials() != null) m.put("trials", b.maxTrials());
        if (b.maxModelCalls() != null) m.put("model_calls", b.maxModelCalls());
        if (b.maxCostUsd() != null) m.put("cost_usd", b.maxCostUsd());
        if (b.maxDuration() != null) m.put("time", b.maxDuration().toString());
        return m;
    }

    /** Totals over the trials that count, including those of earlier runs of a resumed study. */
    private static final class Counters {
        int finished, pruned, failed;
        long in, out, calls;
        double cost;
        Duration trialTime = Duration.ZERO;

        static Counters of(List<Trial> trials) {
            Counters c = new Counters();
            for (Trial t : trials) {
                c.finished++;
                if (t.state() == TrialState.PRUNED) c.pruned++;
                if (t.state() == TrialState.FAILED) c.failed++;
                Map<String, Object> a = t.userAttrs();
                c.in += (long) num0(a.get(ATTR_INPUT_TOKENS));
                c.out += (long) num0(a.get(ATTR_OUTPUT_TOKENS));
                c.calls += t.modelCalls();
                c.cost += num0(a.get(ATTR_COST));
                c.trialTime = c.trialTime.plusMillis((long) num0(a.get(ATTR_DURATION)));
            }
            return c;
        }

        private static double num0(Object o) {
            return o instanceof Number n ? n.doubleValue() : 0;
        }
    }

    public static final class Builder {
        private LanguageModel model;
        private List<Example> tuneExamples = List.of(), testExamples = List.of(), fewShotPool;
        private final Map<String, PromptTemplate> templates = new LinkedHashMap<>();
        private String baselineTemplate, datasetName = "";
        private final Map<String, Object> baselineParams = new LinkedHashMap<>(), fixedParams = new LinkedHashMap<>();
        private final List<Metric> metrics = new ArrayList<>();
        private String objectiveMetric;
        private Direction direction = Direction.MAXIMIZE;
        private Budget budget = Budget.trials(20);
        private Study study;
        private int batchSize = 8;
        private boolean racing = true;
        private TuningListener listener = new TuningListener() { };
        private StudyDirectory directory;
        private PromptComposer composer;
        private final List<TrialHook> hooks = new ArrayList<>();
        private SideSpending side = new SideSpending();
        private SearchSpace space;
        private String sampler = "auto";
        private long seed = 42;

        public Builder model(LanguageModel m) { model = m; return this; }
        public Builder tuneExamples(List<Example> e) { tuneExamples = e; return this; }
        public Builder testExamples(List<Example> e) { testExamples = e; return this; }
        /** Demonstrations for few-shot prompts; defaults to the tune split (never the held-out one). */
        public Builder fewShotPool(List<Example> e) { fewShotPool = e; return this; }
        public Builder dataset(String name) { datasetName = name; return this; }
        public Builder template(String name, PromptTemplate t) { templates.put(name, t); return this; }
        /** The user's current configuration: trial 0 and the reference the best is compared with. */
        public Builder baseline(String template, Map<String, ?> params) { baselineTemplate = template; baselineParams.putAll(params); return this; }
        /** Decoding parameters every trial uses unless the search space sets them. */
        public Builder fixedParams(Map<String, ?> p) { fixedParams.putAll(p); return this; }
        public Builder metric(Metric m) { metrics.add(m); return this; }
        /** The metric to optimize (one of the metrics) and its direction. */
        public Builder objective(String metric, Direction d) { objectiveMetric = metric; direction = d; return this; }
        public Builder budget(Budget b) { budget = b; return this; }
        /** The study: search space, sampler, pruner (racing) and storage. Or give space (and sampler) instead. */
        public Builder study(Study s) { study = s; return this; }
        /** What to search, when no study is given: the Tuner then makes one, stored in the directory if any. */
        public Builder space(SearchSpace s) { space = s; return this; }
        /** The sampler's name (auto, random, grid, sobol, tpe, tpe-univariate, gp) when no study is given. */
        public Builder sampler(String name) { sampler = name; return this; }
        public Builder seed(long s) { seed = s; return this; }
        /** Requests per completeBatch call. */
        public Builder batchSize(int n) { batchSize = n; return this; }
        public Builder racing(boolean on) { racing = on; return this; }
        public Builder listener(TuningListener l) { listener = l; return this; }
        /** Where run.json and result.json go (beside the study's trials), for reports. */
        public Builder directory(StudyDirectory d) { directory = d; return this; }
        /** Builds each request from the whole configuration (prompt search); default: the template alone. */
        public Builder composer(PromptComposer c) { composer = c; return this; }
        /** Called between trials (e.g. to propose instructions from the results so far). */
        public Builder hook(TrialHook h) { hooks.add(h); return this; }
        /** Where extensions record model calls made outside trials (counted against the budget). */
        public Builder sideSpending(SideSpending s) { side = s; return this; }

        private Study defaultStudy() {
            if (space == null) throw new IllegalArgumentException("give a study, or a search space to make one");
            return Study.builder()
                    .name(directory == null ? "study" : directory.name())
                    .space(space)
                    .directions(direction)
                    .sampler(Samplers.create(sampler, seed))
                    .pruner(racing ? new RacingPruner() : Pruner.NONE)
                    .storage(directory == null ? new InMemoryStorage() : new JournalStorage(directory.journal()))
                    .build();
        }

        public Tuner build() {
            if (study != null && !study.directions().isEmpty() && study.directions().getFirst() != direction) {
                throw new IllegalArgumentException("the study's direction (" + study.directions().getFirst()
                        + ") differs from the objective's (" + direction + ")");
            }
            return new Tuner(this);
        }
    }
}
