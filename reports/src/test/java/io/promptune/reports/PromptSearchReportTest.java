package io.promptune.reports;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptune.datasets.Example;
import io.promptune.datasets.PromptTemplate;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.promptsearch.PromptParams;
import io.promptune.optimizer.promptsearch.PromptSearch;
import io.promptune.optimizer.promptsearch.PromptSearchOptions;
import io.promptune.optimizer.promptsearch.ProposalLog;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.Budget;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The report's prompt-search section, static and in the viewer, from a study run by the real Tuner. */
class PromptSearchReportTest {
    /** Model output with markup: it must stay text everywhere. */
    static final String HOSTILE_INSTRUCTION = "<img src=x onerror=alert(1)> Say </td>positive</td> or negative & stop.";

    /** A proposer whose every proposal holds markup (numbered so each is new). */
    static final class Proposer implements LanguageModel {
        final AtomicInteger calls = new AtomicInteger();
        @Override public String id() { return "fake:proposer"; }
        @Override public Set<String> supportedParameters() { return Set.of("temperature", "top_p", "max_tokens", "seed"); }
        @Override public Completion complete(CompletionRequest r) {
            int n = calls.incrementAndGet();
            return new Completion("<INS>" + HOSTILE_INSTRUCTION + " (" + n + ")</INS>", FinishReason.EOS, new TokenUsage(100, 20),
                    Duration.ofMillis(1), 0.001, false, null);
        }
    }

    static StudyDirectory promptSearchStudy(Path path, Proposer proposer) {
        StudyDirectory dir = new StudyDirectory(path);
        List<Example> tune = SampleStudy.examples("tune", 32), test = SampleStudy.examples("test", 24);
        PromptSearchOptions opts = PromptSearchOptions.of(2, List.of("random"), new PromptSearchOptions.Proposals(2, 2, 2),
                new PromptSearchOptions.TemplateParts(true, true, List.of("Answer:"), false)).withTask("Sentiment of a review.").withSeed(3);
        PromptSearch ps = PromptSearch.of(opts, tune, test);
        SearchSpace base = SearchSpace.builder().floatParam("temperature", 0.0, 1.5).categorical("template", List.of("plain", "careful")).build();
        Study s = Study.builder().name("ps").space(ps.extend(base)).directions(Direction.MAXIMIZE)
                .sampler(Samplers.create("random", 5)).storage(new JournalStorage(dir.journal())).build();
        Map<String, PromptTemplate> templates = new LinkedHashMap<>();
        templates.put("plain", PromptTemplate.chat(null, "{{text}}"));
        templates.put("careful", PromptTemplate.chat("Answer with one word: positive or negative.", "Review: {{text}}\nSentiment:"));
        Tuner.Builder b = Tuner.builder().model(new SampleStudy.Fake()).dataset("sample sentiment").tuneExamples(tune).testExamples(test)
                .baseline("plain", Map.of("temperature", 1.0)).fixedParams(Map.of("max_tokens", 32))
                .metric(SampleStudy.metric("accuracy")).objective("accuracy", Direction.MAXIMIZE)
                .budget(Budget.trials(8)).study(s).racing(false).directory(dir);
        Tuner tuner = ps.build(b, s, templates, "plain", Direction.MAXIMIZE, "accuracy", proposer, ProposalLog.in(dir.dir()), m -> { });
        TuningResult r = tuner.run();
        assertNotNull(r.bestTrial());
        return dir;
    }

    static JsonNode data(String html) throws Exception {
        String json = html.substring(html.indexOf("id=\"report-data\">") + 17, html.indexOf("</script>"));
        return StudyDirectory.JSON.readTree(json);
    }

    @Test
    void staticReportShowsProposalsWithProvenanceScoresAndSpendingAsText(@TempDir Path tmp) throws Exception {
        Proposer proposer = new Proposer();
        StudyDirectory study = promptSearchStudy(tmp.resolve("ps"), proposer);
        String html = Files.readString(HtmlReport.write(study, study.report()));
        assertFalse(html.contains("<img"), "proposal markup never reaches the page as markup");
        assertFalse(html.contains("</td>positive"));
        assertEquals(2, html.split("<script", -1).length - 1, "only the report's own two script elements");

        JsonNode d = data(html);
        JsonNode ps = d.get("promptSearch");
        assertNotNull(ps, "the section's data is there");
        JsonNode props = ps.get("proposals");
        assertEquals(4, props.size(), "2 rounds x 2 proposals");
        List<Trial> trials = StudyReader.trials(study);
        for (JsonNode p : props) {
            String text = p.get("text").asText();
            assertTrue(text.startsWith(HOSTILE_INSTRUCTION), "the text survives as data: " + text);
            assertEquals("fake:proposer", p.get("proposerModel").asText());
            assertTrue(List.of("ape", "opro").contains(p.get("style").asText()));
            assertTrue(p.get("metaPrompt").asText().contains("Sentiment of a review."));
            // the trials listed are exactly those whose instruction is this text, with their tune scores
            List<Integer> expected = new ArrayList<>();
            for (Trial t : trials) if (text.equals(t.params().get(PromptParams.INSTRUCTION))) expected.add(t.number());
            List<Integer> listed = new ArrayList<>();
            for (JsonNode u : p.get("trials")) {
                listed.add(u.get("number").asInt());
                Trial t = trials.get(u.get("number").asInt());
                if (t.state().name().equals("COMPLETE")) assertEquals(t.value(), u.get("value").asDouble(), 1e-12);
            }
            assertEquals(expected, listed, p.get("id").asText());
            if (!p.get("queuedTrial").isNull()) assertTrue(listed.contains(p.get("queuedTrial").asInt()), "first tried in its queued trial");
        }
        // the best trial's prompt-search settings
        JsonNode best = ps.get("best");
        assertEquals(d.get("best").get("number").asInt(), best.get("number").asInt());
        Trial bestTrial = trials.get(best.get("number").asInt());
        assertEquals(((Number) bestTrial.params().get(PromptParams.FEW_SHOT)).intValue(), best.get("settings").get(PromptParams.FEW_SHOT).asInt());
        assertEquals(bestTrial.params().get(PromptParams.SYSTEM_PROMPT), best.get("settings").get(PromptParams.SYSTEM_PROMPT).asBoolean());
        assertFalse(best.get("settings").has(PromptParams.CHAT), "not searched, not shown");
        // held-out score shown only for the proposal the best trial used
        for (JsonNode p : props) {
            boolean usedByBest = p.get("text").asText().equals(bestTrial.params().get(PromptParams.INSTRUCTION));
            assertEquals(usedByBest, p.has("heldOut"), p.get("id").asText());
        }
        // proposer calls: in the section, the totals and counted as calls outside trials
        assertEquals(4, proposer.calls.get());
        assertEquals(4, ps.get("sideSpending").get("proposer").get("calls").asInt());
        assertEquals(480, ps.get("sideSpending").get("proposer").get("inputTokens").asInt() + ps.get("sideSpending").get("proposer").get("outputTokens").asInt());
        assertEquals(4, d.get("totals").get("sideCalls").asInt());
        long trialCalls = 0;
        for (Trial t : trials) trialCalls += t.modelCalls();
        TuningResult result = study.readResult().orElseThrow();
        long heldOut = result.baselineHeldOut().modelCalls() + (result.bestParams().equals(result.baselineParams()) ? 0 : result.bestHeldOut().modelCalls());
        assertEquals(trialCalls + 4 + heldOut, d.get("totals").get("modelCalls").asLong(), "the totals include the proposer's calls");
    }

    @Test
    void viewerServesTheSectionWithoutMarkup(@TempDir Path tmp) throws Exception {
        promptSearchStudy(tmp.resolve("ps"), new Proposer());
        HttpClient http = HttpClient.newHttpClient();
        try (ReportServer s = new ReportServer(tmp, "127.0.0.1", 0).start()) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/study/ps")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertFalse(page.body().contains("<img"), "no proposal markup in the viewer's page");
            assertTrue(page.body().contains("function promptSearch(d)"), "the page renders the section");
            HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/study/ps")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode d = StudyDirectory.JSON.readTree(json.body());
            assertEquals(4, d.get("promptSearch").get("proposals").size());
            assertTrue(d.get("promptSearch").get("proposals").get(0).get("text").asText().startsWith(HOSTILE_INSTRUCTION));
        }
    }
}
