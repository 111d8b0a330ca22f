package io.promptune.optimizer;

import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.InMemoryStorage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A named optimisation: its space, directions, sampler, pruner and storage. Use the ask/tell pair
 * for full control or {@link #optimize(Objective, int, int)} to run trials (in parallel on virtual
 * threads when nJobs > 1). Several studies (even in other processes) may share one storage and
 * study name: they then cooperate on the same trials.
 */
public final class Study {
    private static final Logger LOG = Logger.getLogger(Study.class.getName());

    private final String name;
    private final List<Direction> directions;
    private volatile SearchSpace space;
    private final Sampler sampler;
    private final Pruner pruner;
    private final StudyStorage storage;
    private final IncumbentRule incumbentRule;
    private final Duration staleAfter;
    private final String worker = "w-" + UUID.randomUUID().toString().substring(0, 8);
    private final ReentrantLock samplingLock = new ReentrantLock();
    private final Map<Integer, RunningTrial> running = new ConcurrentHashMap<>();
    private volatile int budget;

    private Study(Builder b) {
        this.name = Objects.requireNonNull(b.name, "study name");
        this.space = Objects.requireNonNull(b.space, "search space");
        this.storage = b.storage == null ? new InMemoryStorage() : b.storage;
        List<Direction> dirs = b.directions;
        if (dirs == null || dirs.isEmpty()) dirs = storage.directions(name).orElse(List.of(Direction.MAXIMIZE));
        this.directions = List.copyOf(dirs);
        this.sampler = b.sampler == null ? Samplers.create("auto", b.seed) : b.sampler;
        this.pruner = b.pruner == null ? Pruner.NONE : b.pruner;
        this.incumbentRule = b.incumbentRule;
        this.staleAfter = b.staleAfter;
        storage.createOrLoadStudy(name, directions);
        recoverStaleTrials();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() { return name; }
    public List<Direction> directions() { return directions; }
    public SearchSpace space() { return space; }
    public Sampler sampler() { return sampler; }
    public Pruner pruner() { return pruner; }
    public StudyStorage storage() { return storage; }
    public String workerId() { return worker; }

    /**
     * Appends choices to a categorical parameter while the study runs (e.g. instructions proposed
     * from earlier trials). Existing choices keep their positions, so every earlier trial still
     * encodes to the same index; samplers read the space afresh on each proposal. Choices already
     * present are skipped. Returns the values actually added.
     */
    public List<Object> extendChoices(String param, List<?> newChoices) {
        samplingLock.lock();
        try {
            if (!(space.param(param) instanceof ParamSpec.CategoricalParam c)) {
                throw new SearchSpaceException("parameter '" + param + "' is not a categorical parameter of study '" + name + "'");
            }
            List<Object> choices = new ArrayList<>(c.choices()), added = new ArrayList<>();
            for (Object v : newChoices) {
                Object canon = JsonValues.canonical(v);
                if (choices.stream().noneMatch(x -> JsonValues.same(x, canon))) {
                    choices.add(canon);
                    added.add(canon);
                }
            }
            if (added.isEmpty()) return added;
            List<ParamSpec> params = new ArrayList<>(space.params());
            params.replaceAll(p -> p.name().equals(param) ? new ParamSpec.CategoricalParam(param, choices, c.condition()) : p);
            space = SearchSpace.of(params);
            return added;
        } finally {
            samplingLock.unlock();
        }
    }

    /** Every trial of the study so far (from storage, so other workers' trials are included). */
    public List<Trial> trials() {
        return storage.trials(name);
    }

    public Trial trial(int number) {
        return trials().stream().filter(t -> t.number() == number).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("study '" + name + "' has no trial " + number));
    }

    /**
     * Queues a known configuration (e.g. the user's current settings as the baseline, trial 0).
     * It runs before any sampled trial. Returns the queued trial.
     */
    public Trial enqueue(Map<String, ?> params) {
        return enqueue(params, Map.of());
    }

    public Trial enqueue(Map<String, ?> params, Map<String, Object> userAttrs) {
        Map<String, Object> p = space.normalize(params);
        return storage.createTrial(name, Trial.waiting(-1, p, userAttrs));
    }

    /** Enqueues unless an identical configuration is already waiting, running or finished. */
    public Optional<Trial> enqueueIfNew(Map<String, ?> params) {
        Map<String, Object> p = space.normalize(params);
        for (Trial t : trials()) if (JsonValues.same(t.params(), p) && t.state() != TrialState.FAILED) return Optional.empty();
        return Optional.of(enqueue(p));
    }

    /** Starts a trial: the oldest enqueued one if any, otherwise one the sampler proposes. */
    public RunningTrial ask() {
        Instant now = Instant.now();
        Optional<Trial> claimed = storage.claimWaiting(name, worker, now);
        Trial t;
        if (claimed.isPresent()) {
            t = claimed.get();
        } else {
            samplingLock.lock();
            try {
                List<Trial> history = storage.trials(name);
                int next = history.isEmpty() ? 0 : history.getLast().number() + 1;
                Map<String, Object> proposal;
                try {
                    proposal = space.normalize(space.assemble(sampler.sample(space, history, new SamplingContext(directions, next, budget))));
                } catch (RuntimeException e) {
                    // A sampler bug must not stop the study: fall back to a random proposal.
                    LOG.log(Level.WARNING, "sampler " + sampler.name() + " failed (" + e + "); using a random proposal", e);
                    proposal = space.normalize(space.assemble(Samplers.create("random", next).sample(space, history,
                            new SamplingContext(directions, next, budget))));
                }
                Trial template = Trial.waiting(-1, proposal, Map.of()).toBuilder().state(TrialState.RUNNING)
                        .worker(worker).startedAt(now).heartbeat(now).build();
                t = storage.createTrial(name, template);
            } finally {
                samplingLock.unlock();
            }
        }
        RunningTrial r = new RunningTrial(this, t);
        running.put(t.number(), r);
        return r;
    }

    /** Finishes a trial with the objective's result; non-finite or missing values make it FAILED. */
    public Trial tell(RunningTrial trial, Evaluation e) {
        Trial base = trial.snapshot();
        String problem = checkEvaluation(e);
        if (problem != null) return fail(trial, problem);
        List<Double> values = new ArrayList<>(e.values());
        Double mean = null, se = e.standardError();
        if (!e.perExampleScores().isEmpty()) {
            mean = Stats.mean(e.perExampleScores());
            double s = Stats.standardError(e.perExampleScores());
            se = Double.isNaN(s) ? null : s;
        }
        Map<String, Object> attrs = new LinkedHashMap<>(base.userAttrs());
        attrs.putAll(e.userAttrs());
        Trial done = base.toBuilder().state(TrialState.COMPLETE).values(values).mean(mean).standardError(se)
                .perExampleScores(e.perExampleScores()).constraints(e.constraints()).userAttrs(attrs)
                .modelCalls(base.modelCalls() + e.modelCalls()).finishedAt(Instant.now()).build();
        return finish(trial, done);
    }

    private String checkEvaluation(Evaluation e) {
        if (e == null) return "objective returned nothing";
        if (e.values().size() != directions.size())
            return "objective returned " + e.values().size() + " value(s) but the study has " + directions.size() + " objective(s)";
        for (int i = 0; i < e.values().size(); i++) {
            Double v = e.values().get(i);
            if (v == null || !Double.isFinite(v)) return "objective " + i + " returned a non-finite value (" + v + ")";
        }
        for (Double s : e.perExampleScores()) if (s == null || !Double.isFinite(s)) return "a per-example score is not finite (" + s + ")";
        for (Double c : e.constraints()) if (c == null || Double.isNaN(c)) return "a constraint value is NaN";
        return null;
    }

    /** Marks a trial FAILED with a reason (kept in the trial's error field). */
    public Trial fail(RunningTrial trial, String reason) {
        Trial done = trial.snapshot().toBuilder().state(TrialState.FAILED).error(reason).finishedAt(Instant.now()).build();
        return finish(trial, done);
    }

    /** Marks a trial PRUNED, keeping its last intermediate value as its value. */
    public Trial prune(RunningTrial trial) {
        Trial base = trial.snapshot();
        List<Double> values = new ArrayList<>();
        if (!base.intermediate().isEmpty() && directions.size() == 1) values.add(base.intermediate().get(base.lastStep()));
        List<Double> pe = base.perExampleScores();
        Double se = pe.size() >= 2 ? Stats.standardError(pe) : null;
        Trial done = base.toBuilder().state(TrialState.PRUNED).values(values).mean(pe.isEmpty() ? null : Stats.mean(pe))
                .standardError(se).finishedAt(Instant.now()).build();
        return finish(trial, done);
    }

    private Trial finish(RunningTrial trial, Trial done) {
        running.remove(done.number());
        trial.finished = true;
        storage.updateTrial(name, done);
        return done;
    }

    /** Runs nTrials trials one after another. */
    public void optimize(Objective objective, int nTrials) {
        optimize(objective, nTrials, 1);
    }

    /**
     * Runs nTrials trials, nJobs at a time on virtual threads (useful when the objective waits on a
     * remote model). Failures of single trials are recorded and never stop the study.
     */
    public void optimize(Objective objective, int nTrials, int nJobs) {
        if (nTrials < 0) throw new IllegalArgumentException("nTrials must be >= 0");
        if (nJobs < 1) throw new IllegalArgumentException("nJobs must be >= 1");
        this.budget = trials().size() + nTrials;
        AtomicInteger remaining = new AtomicInteger(nTrials);
        Thread heart = Thread.ofVirtual().start(this::heartbeatLoop);
        try {
            if (nJobs == 1) {
                while (remaining.getAndDecrement() > 0) runOne(objective);
            } else {
                List<Thread> threads = new ArrayList<>();
                for (int j = 0; j < nJobs; j++)
                    threads.add(Thread.ofVirtual().name("trial-worker-" + j).start(() -> {
                        while (remaining.getAndDecrement() > 0) runOne(objective);
                    }));
                for (Thread t : threads) t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            heart.interrupt();
        }
    }

    /** Runs one trial to the end; returns the finished trial. */
    public Trial runOne(Objective objective) {
        RunningTrial t = ask();
        try {
            Evaluation e = objective.evaluate(t);
            return t.finished ? t.snapshot() : tell(t, e);
        } catch (TrialPrunedException p) {
            return prune(t);
        } catch (TrialFailedException ex) {
            return fail(t, ex.getMessage());
        } catch (Exception | StackOverflowError | OutOfMemoryError ex) {
            String msg = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
            LOG.log(Level.FINE, "trial " + t.number() + " failed", ex);
            return fail(t, msg);
        }
    }

    private void heartbeatLoop() {
        long interval = Math.max(200, staleAfter.toMillis() / 4);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            List<Integer> mine = new ArrayList<>(running.keySet());
            if (!mine.isEmpty()) {
                try {
                    storage.heartbeat(name, mine, Instant.now());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "heartbeat failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * RUNNING trials whose worker stopped sending heartbeats (a crash) are marked FAILED and their
     * configuration is queued again, exactly once. Returns how many were recovered.
     */
    public int recoverStaleTrials() {
        Instant now = Instant.now();
        Instant before = now.minus(staleAfter);
        int n = 0;
        for (Trial t : storage.trials(name)) {
            if (t.state() != TrialState.RUNNING || running.containsKey(t.number())) continue;
            Instant hb = t.heartbeat() != null ? t.heartbeat() : t.startedAt();
            if (hb != null && hb.isAfter(before)) continue;
            if (storage.failIfStale(name, t.number(), before, "worker " + t.worker() + " stopped (no heartbeat since " + hb + ")", now)) {
                Map<String, Object> attrs = new LinkedHashMap<>(t.userAttrs());
                attrs.put("retry_of", t.number());
                storage.createTrial(name, Trial.waiting(-1, t.params(), attrs));
                n++;
            }
        }
        if (n > 0) LOG.warning("study '" + name + "': " + n + " trial(s) of a stopped worker marked FAILED and queued again");
        return n;
    }

    /**
     * The incumbent for a single-objective study: the best feasible COMPLETE trial, judged by the
     * incumbent rule (by default the lower confidence bound, so a lucky noisy score does not win).
     */
    public Optional<Trial> bestTrial() {
        return Incumbents.best(trials(), directions, incumbentRule);
    }

    /** Non-dominated COMPLETE trials (feasible ones; if none is feasible, the least-violating). */
    public List<Trial> bestTrials() {
        return ParetoFront.of(trials(), directions);
    }

    /** Examples (steps) that racing saved: for each pruned trial, planned steps minus steps run. */
    public long evaluationsSaved() {
        long saved = 0;
        for (Trial t : trials())
            if (t.state() == TrialState.PRUNED && t.plannedSteps() != null && t.lastStep() != null)
                saved += Math.max(0, t.plannedSteps() - t.lastStep());
        return saved;
    }

    /** A counts-by-state summary, e.g. {COMPLETE=40, PRUNED=9, FAILED=1}. */
    public Map<TrialState, Integer> stateCounts() {
        Map<TrialState, Integer> m = new HashMap<>();
        for (Trial t : trials()) m.merge(t.state(), 1, Integer::sum);
        return m;
    }

    boolean pruneCheck(Trial snapshot) {
        if (directions.size() != 1) return false;
        return pruner.shouldPrune(snapshot, trials(), directions.getFirst());
    }

    void persistProgress(Trial snapshot) {
        storage.updateTrial(name, snapshot);
    }

    public static final class Builder {
        private String name = "study";
        private List<Direction> directions;
        private SearchSpace space;
        private Sampler sampler;
        private Pruner pruner;
        private StudyStorage storage;
        private long seed = System.nanoTime();
        private IncumbentRule incumbentRule = IncumbentRule.LOWER_CONFIDENCE_BOUND;
        private Duration staleAfter = Duration.ofMinutes(2);

        public Builder name(String v) { name = v; return this; }
        public Builder directions(Direction... v) { directions = List.of(v); return this; }
        public Builder directions(List<Direction> v) { directions = List.copyOf(v); return this; }
        public Builder space(SearchSpace v) { space = v; return this; }
        public Builder sampler(Sampler v) { sampler = v; return this; }
        public Builder pruner(Pruner v) { pruner = v; return this; }
        public Builder storage(StudyStorage v) { storage = v; return this; }
        /** Seed for the default sampler (ignored when a sampler is given). */
        public Builder seed(long v) { seed = v; return this; }
        public Builder incumbentRule(IncumbentRule v) { incumbentRule = v; return this; }
        /** How long a RUNNING trial may go without a heartbeat before it counts as crashed. */
        public Builder staleAfter(Duration v) { staleAfter = v; return this; }

        public Study build() {
            return new Study(this);
        }
    }
}
