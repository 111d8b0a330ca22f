package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.ParamSpec;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.Budget;

import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;
import io.promptune.datasets.PromptTemplate;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The whole loop with fake models whose accuracy depends on the prompt search's choices. */
class PromptSearchTunerTest {
    static final String GOOD = "Think about the tone of the review, then give its sentiment.";
    final List<Example> tune = Fakes.reviews("tune", 30), test = Fakes.reviews("test", 30);
    final Map<String, PromptTemplate> templates = new LinkedHashMap<>();
    final List<String> messages = new ArrayList<>();

    PromptSearchTunerTest() {
        templates.put("plain", PromptTemplate.chat(null, "{{text}}"));
        templates.put("careful", PromptTemplate.chat("Classify the sentiment of the review.", "Review: {{text}}"));
    }

    /** OPRO meta-prompts get the good instruction, APE ones a plain one. */
    static Fakes.ScriptedModel proposer() {
        return new Fakes.ScriptedModel("fake:proposer", r -> Fakes.whole(r).contains("score:")
                ? "Sure! <INS>" + GOOD + "</INS>" : "Instruction: \"Say the sentiment of the text.\"");
    }

    Study study(PromptSearch ps, Path dir) {
        SearchSpace base = SearchSpace.builder().categorical("template", List.of("plain", "careful")).build();
        return Study.builder().name("ps").space(ps.extend(base)).directions(Direction.MAXIMIZE)
                .sampler(Samplers.create("tpe", 3)).storage(new JournalStorage(dir.resolve("trials.jsonl"))).build();
    }

    Tuner tuner(PromptSearch ps, Study study, LanguageModel model, LanguageModel proposer, Path dir, int trials) {
        Tuner.Builder b = Tuner.builder().model(model).tuneExamples(tune).testExamples(test)
                .metric(Fakes.ACCURACY).objective("accuracy", Direction.MAXIMIZE).budget(Budget.trials(trials))
                .study(study).racing(false).batchSize(8);
        return ps.build(b, study, templates, "plain", Direction.MAXIMIZE, "accuracy", proposer, ProposalLog.in(dir), messages::add);
    }

    @Test
    void proposedInstructionsJoinTheSpaceWinAndAreRecordedWithProvenance(@TempDir Path dir) {
        PromptSearchOptions opts = PromptSearchOptions.of(0, null, new PromptSearchOptions.Proposals(3, 2, 2), null)
                .withTask("Classify the sentiment of a product review.").withSeed(5);
        PromptSearch ps = PromptSearch.of(opts, tune, test).embedder(null, null);
        Study study = study(ps, dir);
        Fakes.ScriptedModel proposer = proposer();
        TuningResult r = tuner(ps, study, Fakes.needsPhrase(), proposer, dir, 9).run();

        assertEquals(GOOD, r.bestParams().get(PromptParams.INSTRUCTION), "best " + r.bestParams());
        assertEquals(PromptParams.FROM_TEMPLATE, study.trials().getFirst().params().get(PromptParams.INSTRUCTION), "the baseline keeps the template");
        assertEquals(1.0, r.bestHeldOut().objective().mean(), 1e-9);
        assertEquals(1.0 / 3, r.baselineHeldOut().objective().mean(), 1e-9);
        assertTrue(r.comparison().significant());

        // provenance: the sidecar and the queued trials' attributes
        List<Proposal> log = ps.proposals();
        assertEquals(2, log.size(), log.toString());
        Proposal good = log.stream().filter(p -> p.instruction().equals(GOOD)).findFirst().orElseThrow();
        assertEquals("opro", good.style());
        assertTrue(good.metaPrompt().contains("score:") && good.metaPrompt().contains("Classify the sentiment of a product review."));
        assertEquals("fake:proposer", good.proposerModel());
        assertEquals(0, good.round());
        assertNotNull(good.parentTrial());
        Proposal ape = log.stream().filter(p -> p.style().equals("ape")).findFirst().orElseThrow();
        assertEquals("Say the sentiment of the text.", ape.instruction());
        assertTrue(ape.metaPrompt().contains("Input: tune item"), "APE shows tune-split input/output pairs");
        Trial queued = study.trial(good.queuedTrial());
        assertEquals(GOOD, queued.params().get(PromptParams.INSTRUCTION));
        assertEquals("p" + (log.indexOf(good) + 1), queued.userAttrs().get(ProposalHook.ATTR_PROPOSAL));
        assertEquals(good.parentTrial(), ((Number) queued.userAttrs().get(ProposalHook.ATTR_PARENT)).intValue());
        assertEquals("fake:proposer", queued.userAttrs().get(ProposalHook.ATTR_PROPOSER));
        assertTrue(Files.exists(dir.resolve(ProposalLog.FILE_NAME)));
        assertEquals(4, proposer.seen.size(), "2 rounds x 2 proposals");
        assertTrue(ps.proposerCalls() == 4);

        // a resumed run reads the proposals back into the space (the journal holds trials using them)
        PromptSearch again = PromptSearch.of(opts, tune, test);
        Study resumed = study(again, dir);
        tuner(again, resumed, Fakes.needsPhrase(), proposer(), dir, 9);
        ParamSpec.CategoricalParam ins = (ParamSpec.CategoricalParam) resumed.space().param(PromptParams.INSTRUCTION);
        assertTrue(ins.choices().contains(GOOD), ins.choices().toString());
    }

    @Test
    void fewShotSearchFindsDemonstrationsThatShowTheLabel(@TempDir Path dir) {
        PromptSearchOptions opts = PromptSearchOptions.of(3, List.of("random", "nearest"), null, null).withSeed(2);
        PromptSearch ps = PromptSearch.of(opts, tune, test)
                .embedder(new TfIdfEmbedder(tune.stream().map(TuneSplitPool::inputText).toList()), "tf-idf");
        Study study = study(ps, dir);
        TuningResult r = tuner(ps, study, Fakes.needsDemoOfLabel(), null, dir, 12).run();
        assertTrue(((Number) r.bestParams().get(PromptParams.FEW_SHOT)).intValue() > 0, "best " + r.bestParams());
        assertEquals(1.0 / 3, r.baselineHeldOut().objective().mean(), 1e-9);
        assertTrue(r.bestHeldOut().objective().mean() > 0.9, "held-out " + r.bestHeldOut().objective());
        assertEquals("tf-idf", ps.nearestSimilarity());
    }

    @Test
    void noHeldOutExampleEverReachesAPromptExceptAsItsOwnQuestion(@TempDir Path dir) {
        PromptSearchOptions opts = new PromptSearchOptions(4, List.of("random", "nearest", "bootstrapped"),
                new PromptSearchOptions.Proposals(3, 2, 3), PromptSearchOptions.TemplateParts.ALL, "Sentiment.", null, 9);
        PromptSearch ps = PromptSearch.of(opts, tune, test); // default embedder: all-MiniLM-L6-v2 (TF-IDF if it cannot load)
        Study study = study(ps, dir);
        Fakes.ScriptedModel model = Fakes.needsDemoOfLabel(), proposer = proposer();
        TuningResult r = tuner(ps, study, model, proposer, dir, 14).run();
        assertNotNull(r.bestHeldOut());
        assertNotNull(ps.nearestSimilarity());

        List<String> testTexts = test.stream().map(e -> (String) e.inputs().get("text")).toList();
        long heldOutQuestions = 0;
        boolean sawShots = false;
        for (CompletionRequest req : model.seen) {
            String whole = Fakes.whole(req), question = Fakes.question(req);
            List<String> present = testTexts.stream().filter(whole::contains).toList();
            assertTrue(present.size() <= 1, "several held-out examples in one prompt: " + whole);
            if (present.size() == 1) {
                heldOutQuestions++;
                assertTrue(question.contains(present.getFirst()), "a held-out example appears outside its own question: " + whole);
                assertEquals(whole.indexOf(present.getFirst()), whole.lastIndexOf(present.getFirst()));
            }
            sawShots |= req.isChat() ? req.messages().stream().anyMatch(m -> m.role().equals("assistant")) : whole.contains("\n\n");
        }
        assertTrue(heldOutQuestions >= 30, "the held-out split was scored: " + heldOutQuestions);
        assertTrue(sawShots, "some trial used demonstrations");
        assertTrue(ps.bootstrapCalls() == 0 || ps.bootstrapCalls() >= 8);
        for (CompletionRequest req : proposer.seen) {
            String meta = Fakes.whole(req);
            assertTrue(testTexts.stream().noneMatch(meta::contains), "a meta-prompt shows a held-out example: " + meta);
        }
    }

    @Test
    void theTunerRefusesAFewShotPoolHoldingAHeldOutExample(@TempDir Path dir) {
        PromptSearch ps = PromptSearch.of(PromptSearchOptions.of(2, null, null, null), tune, test);
        Study study = study(ps, dir);
        List<Example> leaky = new ArrayList<>(tune);
        leaky.add(test.get(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tuner.builder().model(Fakes.needsPhrase())
                .tuneExamples(tune).testExamples(test).fewShotPool(leaky).template("plain", templates.get("plain")).baseline("plain", ps.baselineParams())
                .metric(Fakes.ACCURACY).objective("accuracy", Direction.MAXIMIZE).study(study).build());
        assertTrue(e.getMessage().contains("test3") && e.getMessage().contains("held-out"), e.getMessage());
    }

    @Test
    void aNameInTheSpaceTwiceIsRefused() {
        SearchSpace base = SearchSpace.builder().intParam("few_shot", 0, 2).build();
        PromptSearch ps = PromptSearch.of(PromptSearchOptions.of(2, null, null, null), tune, test);
        assertThrows(io.promptune.optimizer.SearchSpaceException.class, () -> ps.extend(base));
    }
}
