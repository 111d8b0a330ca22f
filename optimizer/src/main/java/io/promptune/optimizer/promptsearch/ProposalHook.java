package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.ExampleResult;
import io.promptune.optimizer.tuning.TrialHook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Proposes instructions while the study runs: after every {@code every} finished trials, asks the
 * proposer for new instructions from the task, tune-split examples, the scores so far and the
 * incumbent's failures; adds them to the "instruction" categorical and queues one trial per new
 * instruction with the incumbent's other parameters (so each proposal is tried at least once at the
 * same budget, and the sampler learns about it from then on). Each proposal is logged with its
 * provenance in the sidecar and on the queued trial's user attributes.
 */
public final class ProposalHook implements TrialHook {
    public static final String ATTR_PROPOSAL = "proposal_id", ATTR_STYLE = "proposal_style",
            ATTR_PARENT = "proposal_parent_trial", ATTR_PROPOSER = "proposer_model";

    private final InstructionProposer proposer;
    private final PromptSearchOptions.Proposals schedule;
    private final String task;
    private final TuneSplitPool pool;
    private final ProposalLog log;
    private final Function<Map<String, Object>, String> instructionOf;
    private final Direction direction;
    private final String objectiveMetric;
    private final long seed;
    private final Consumer<String> messages;
    private final LongPredicate budgetAllows;
    private final Map<Integer, List<InstructionProposer.Failure>> failures = new HashMap<>();
    private int rounds;
    private boolean budgetNoted;

    /**
     * @param instructionOf the instruction text a configuration shows the model (resolving "(template)" to the template's own)
     * @param budgetAllows  whether that many more calls fit the study's budget (a round is skipped when not)
     */
    public ProposalHook(InstructionProposer proposer, PromptSearchOptions.Proposals schedule, String task, TuneSplitPool pool,
                        ProposalLog log, Function<Map<String, Object>, String> instructionOf, String objectiveMetric,
                        Direction direction, long seed, Consumer<String> messages, LongPredicate budgetAllows) {
        this.proposer = proposer;
        this.schedule = schedule;
        this.task = task;
        this.pool = pool;
        this.log = log;
        this.instructionOf = instructionOf;
        this.objectiveMetric = objectiveMetric;
        this.direction = direction;
        this.seed = seed;
        this.messages = messages == null ? m -> { } : messages;
        this.rounds = log.rounds();
        this.budgetAllows = budgetAllows == null ? calls -> true : budgetAllows;
    }

    public ProposalLog log() { return log; }

    @Override
    public void beforeTrial(Study study) {
        if (rounds >= schedule.maxRounds()) return;
        List<Trial> trials = study.trials();
        long finished = trials.stream().filter(t -> t.state() == TrialState.COMPLETE || t.state() == TrialState.PRUNED).count();
        if (finished < (long) (rounds + 1) * schedule.every()) return;
        if (trials.stream().anyMatch(t -> t.state() == TrialState.WAITING)) return; // let queued trials run first
        if (!budgetAllows.test(InstructionProposer.callsPerRound(schedule.count()))) {
            if (!budgetNoted) messages.accept("instruction proposals stop: the budget has no room for another round");
            budgetNoted = true;
            return;
        }
        Trial best = study.bestTrial().orElse(null);
        InstructionProposer.Context ctx = new InstructionProposer.Context(task, examples(rounds), history(trials),
                best == null ? List.of() : failures.getOrDefault(best.number(), List.of()));
        int round = rounds++;
        List<InstructionProposer.Draft> drafts;
        try {
            drafts = proposer.propose(ctx, schedule.count(), round);
        } catch (RuntimeException e) {
            messages.accept("instruction proposal round " + round + " failed: " + e.getMessage());
            return;
        }
        List<Object> added = study.extendChoices(PromptParams.INSTRUCTION, drafts.stream().map(InstructionProposer.Draft::instruction).toList());
        for (InstructionProposer.Draft d : drafts) {
            if (!added.contains(d.instruction())) continue;
            String id = "p" + (log.size() + 1);
            Integer queued = null;
            if (best != null) {
                Map<String, Object> params = new LinkedHashMap<>(best.params());
                params.put(PromptParams.INSTRUCTION, d.instruction());
                Map<String, Object> attrs = new LinkedHashMap<>();
                attrs.put(ATTR_PROPOSAL, id);
                attrs.put(ATTR_STYLE, d.style());
                attrs.put(ATTR_PARENT, best.number());
                attrs.put(ATTR_PROPOSER, proposer.modelId());
                queued = study.enqueue(params, attrs).number();
            }
            log.append(new Proposal(id, d.instruction(), d.style(), d.metaPrompt(), best == null ? null : best.number(),
                    proposer.modelId(), round, queued, Instant.now().toString()));
        }
        messages.accept("proposal round " + round + ": " + added.size() + " new instruction(s) from " + proposer.modelId());
    }

    @Override
    public void afterTrial(Study study, Trial done, Evaluation evaluation) {
        if (evaluation == null) return;
        List<ExampleResult> worst = new ArrayList<>(evaluation.examples());
        Comparator<ExampleResult> byScore = Comparator.comparingDouble(r -> r.score(objectiveMetric));
        worst.sort(direction == Direction.MAXIMIZE ? byScore : byScore.reversed());
        double bestScore = evaluation.examples().stream().mapToDouble(r -> r.score(objectiveMetric)).max().orElse(0);
        List<InstructionProposer.Failure> f = new ArrayList<>();
        for (ExampleResult r : worst) {
            if (f.size() == 3) break;
            if (direction == Direction.MAXIMIZE && r.score(objectiveMetric) >= bestScore) break;
            f.add(new InstructionProposer.Failure(text(r.inputs()), r.expected().isEmpty() ? "" : r.expected().getFirst(), r.output()));
        }
        failures.put(done.number(), f);
    }

    /** The best score each instruction reached in a complete trial (loss turned back to "higher is better"). */
    private List<InstructionProposer.Scored> history(List<Trial> trials) {
        Map<String, Double> best = new LinkedHashMap<>();
        for (Trial t : trials) {
            if (t.state() != TrialState.COMPLETE || t.values().isEmpty()) continue;
            String ins = instructionOf.apply(t.params());
            if (ins == null || ins.isBlank()) continue;
            double s = direction == Direction.MAXIMIZE ? t.value() : -t.value();
            best.merge(ins, s, Math::max);
        }
        List<InstructionProposer.Scored> out = new ArrayList<>();
        best.forEach((k, v) -> out.add(new InstructionProposer.Scored(k, v)));
        return out;
    }

    /** A few labelled tune-split examples, a different seeded draw each round. */
    private List<Example> examples(int round) {
        List<Example> labelled = new ArrayList<>(pool.examples().stream().filter(e -> e.reference() != null).toList());
        SplittableRandom r = new SplittableRandom(seed * 31 + round);
        for (int i = labelled.size() - 1; i > 0; i--) java.util.Collections.swap(labelled, i, r.nextInt(i + 1));
        return labelled.subList(0, Math.min(4, labelled.size()));
    }

    private static String text(Map<String, Object> inputs) {
        return TuneSplitPool.inputText(new Example("x", inputs, List.of(), Map.of()));
    }
}
