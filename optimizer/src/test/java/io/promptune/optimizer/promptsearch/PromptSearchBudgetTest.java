package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.datasets.PromptTemplate;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.Budget;
import io.promptune.optimizer.tuning.SideSpending;
import io.promptune.optimizer.tuning.TrialHook;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Calls made outside trials (the proposer's, bootstrapping's) count against the model-call budget:
 * the models' own request counts are the ground truth, and each budget below is one the run would
 * overshoot if those calls were not counted (tune split of 30, no racing: a trial is 30 calls).
 */
class PromptSearchBudgetTest {
    final List<Example> tune = Fakes.reviews("tune", 30), test = Fakes.reviews("test", 30);
    final Map<String, PromptTemplate> templates = new LinkedHashMap<>();
    final List<String> messages = new ArrayList<>();

    PromptSearchBudgetTest() {
        templates.put("plain", PromptTemplate.chat(null, "{{text}}"));
    }

    Study study(PromptSearch ps, Path dir) {
        SearchSpace base = SearchSpace.builder().floatParam("temperature", 0.0, 1.0).build();
        return Study.builder().name("budget").space(ps.extend(base)).directions(Direction.MAXIMIZE)
                .sampler(Samplers.create("random", 4)).storage(new JournalStorage(dir.resolve("trials.jsonl"))).build();
    }

    Tuner.Builder builder(Study study, Fakes.ScriptedModel model, long maxCalls) {
        return Tuner.builder().model(model).tuneExamples(tune).testExamples(test)
                .baseline("plain", Map.of("temperature", 0.0))
                .metric(Fakes.ACCURACY).objective("accuracy", Direction.MAXIMIZE)
                .budget(Budget.trials(100).withModelCalls(maxCalls)).study(study).racing(false).batchSize(8);
    }

    /** Requests the models got before the held-out re-scoring, i.e. what the search spent. */
    static long searchCalls(TuningResult r, long allRequests) {
        long heldOut = r.baselineHeldOut() == null ? 0 : r.baselineHeldOut().modelCalls();
        if (r.bestHeldOut() != null && r.bestHeldOut() != r.baselineHeldOut()) heldOut += r.bestHeldOut().modelCalls();
        return allRequests - heldOut;
    }

    @Test
    void proposerCallsCountAgainstTheModelCallBudget(@TempDir Path dir) {
        // 2 trials (60) + a round of 2 proposals (62) + trial 3 (92); trial 4 would end at 122 > 121.
        // Uncounted, the proposals would let trial 4 start at 90 and end at 122, over the budget.
        PromptSearchOptions opts = PromptSearchOptions.of(0, null, new PromptSearchOptions.Proposals(2, 2, 10), null).withSeed(1);
        PromptSearch ps = PromptSearch.of(opts, tune, test);
        Study study = study(ps, dir);
        Fakes.ScriptedModel model = Fakes.needsPhrase(), proposer = PromptSearchTunerTest.proposer();
        Tuner tuner = ps.build(builder(study, model, 121), study, templates, "plain", Direction.MAXIMIZE, "accuracy",
                proposer, ProposalLog.in(dir), messages::add);
        TuningResult r = tuner.run();

        long spent = searchCalls(r, model.seen.size()) + proposer.seen.size();
        assertEquals(2, proposer.seen.size(), "one round of two proposals: " + messages);
        assertTrue(spent <= 121, "the search spent " + spent + " calls on a budget of 121");
        assertEquals(92, spent);
        assertEquals(3, r.trials());
        assertTrue(r.stopReason().startsWith("model-call budget (121) reached"), r.stopReason());

        SideSpending.Usage side = tuner.sideSpent();
        assertEquals(2, side.calls());
        assertEquals(20, side.inputTokens(), "the fake proposer reports 10 input tokens a call");
        // written onto the trial that followed the round, so a resumed study still counts it
        long recorded = study.trials().stream().mapToLong(t -> SideSpending.fromAttr(t.userAttrs().get(Tuner.ATTR_SIDE_SPENDING))
                .getOrDefault(InstructionProposer.PURPOSE, SideSpending.Usage.ZERO).calls()).sum();
        assertEquals(2, recorded);
        // the totals hold every call the models got
        assertEquals(model.seen.size() + proposer.seen.size(), r.modelCalls());
        assertEquals(10L * (model.seen.size() + proposer.seen.size()), r.inputTokens());

        // resumed with more budget, the earlier proposer calls still count: 92 spent, 30 more fit in 122
        PromptSearch again = PromptSearch.of(opts, tune, test);
        Study resumed = study(again, dir);
        Fakes.ScriptedModel model2 = Fakes.needsPhrase(), proposer2 = PromptSearchTunerTest.proposer();
        Tuner t2 = again.build(builder(resumed, model2, 122), resumed, templates, "plain", Direction.MAXIMIZE, "accuracy",
                proposer2, ProposalLog.in(dir), messages::add);
        TuningResult r2 = t2.run();
        assertEquals(4, r2.trials(), r2.stopReason());
        assertEquals(0, proposer2.seen.size(), "no room for another round");
        assertEquals(2, t2.sideSpent().calls());
    }

    @Test
    void bootstrappingRunsOnlyWhenItsCallsFitTheBudget(@TempDir Path dir) {
        // Trial 1 asks for 2 bootstrapped demonstrations: the teacher answers 8 tune examples first.
        // Budget 68 = 30 (baseline) + 8 (teacher) + 30 (trial 1): it runs. Budget 67: it is skipped
        // (labelled demonstrations instead), and the search spends 60.
        for (long budget : new long[]{68, 67}) {
            Path d = dir.resolve("b" + budget);
            PromptSearchOptions opts = PromptSearchOptions.of(2, List.of("bootstrapped"), null, null).withSeed(1);
            PromptSearch ps = PromptSearch.of(opts, tune, test);
            Study study = study(ps, d);
            Fakes.ScriptedModel model = Fakes.needsDemoOfLabel();
            Tuner.Builder b = builder(study, model, budget).hook(new TrialHook() {
                @Override public void beforeTrial(Study s) {
                    if (s.trials().size() == 1) {
                        s.enqueue(Map.of("temperature", 0.0, PromptParams.FEW_SHOT, 2, PromptParams.SHOT_STRATEGY, PromptParams.BOOTSTRAPPED));
                    }
                }
            });
            messages.clear();
            Tuner tuner = ps.build(b, study, templates, "plain", Direction.MAXIMIZE, "accuracy", null, ProposalLog.in(d), messages::add);
            TuningResult r = tuner.run();

            long spent = searchCalls(r, model.seen.size());
            assertTrue(spent <= budget, "the search spent " + spent + " calls on a budget of " + budget);
            assertEquals(2, r.trials(), r.stopReason());
            Trial second = study.trials().get(1);
            assertEquals(2L, second.params().get(PromptParams.FEW_SHOT));
            if (budget == 68) {
                assertEquals(68, spent);
                assertEquals(8, ps.bootstrapCalls());
                assertEquals(8, tuner.sideSpent().calls());
                assertEquals(8, SideSpending.fromAttr(second.userAttrs().get(Tuner.ATTR_SIDE_SPENDING)).get(PromptSearch.BOOTSTRAP).calls());
            } else {
                assertEquals(60, spent);
                assertEquals(0, ps.bootstrapCalls());
                assertEquals(0, tuner.sideSpent().calls());
                assertTrue(messages.stream().anyMatch(m -> m.startsWith("bootstrapping skipped")), messages.toString());
            }
            assertEquals(model.seen.size(), r.modelCalls(), "totals hold every call");
        }
    }
}
