package io.promptune.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.datasets.Example;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * BLEU and ROUGE-L against numbers computed by sacreBLEU and rouge-score themselves
 * (bench/evals/make_metric_fixture.py wrote the fixture; the versions are recorded in it).
 */
class ReferenceFixtureTest {
    private static final double TOL = 1e-9;

    private static JsonNode fixture() throws Exception {
        try (InputStream in = ReferenceFixtureTest.class.getResourceAsStream("bleu_rouge_fixture.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void tokenizer13aMatchesSacreBleu() throws Exception {
        int n = 0;
        for (JsonNode c : fixture().get("cases")) {
            List<String> texts = new ArrayList<>();
            texts.add(c.get("hypothesis").asText());
            texts.addAll(strings(c.get("references")));
            List<String> want = strings(c.get("tokenized_13a"));
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(want.get(i), Bleu.tokenize13a(PyText.rstrip(texts.get(i))), "13a of: " + texts.get(i));
                n++;
            }
        }
        assertTrue(n > 100);
    }

    @Test
    void sentenceBleuMatchesSacreBleu() throws Exception {
        Bleu bleu = new Bleu();
        int n = 0;
        for (JsonNode c : fixture().get("cases")) {
            String hyp = c.get("hypothesis").asText();
            List<String> refs = strings(c.get("references"));
            double want = c.get("sentence_bleu").asDouble();
            assertEquals(want, bleu.sentence(hyp, refs).score(), TOL * Math.max(1, want), "BLEU of '" + hyp + "' vs " + refs);
            Score s = bleu.score(hyp, new Example("x", Map.of(), refs, Map.of()));
            assertEquals(Math.min(1, want / 100), s.value(), 1e-9);
            n++;
        }
        assertTrue(n >= 80, "fixture has " + n + " cases");
    }

    @Test
    void corpusBleuMatchesSacreBleu() throws Exception {
        Bleu bleu = new Bleu();
        for (JsonNode c : fixture().get("corpus")) {
            List<String> hyps = strings(c.get("hypotheses"));
            List<List<String>> refs = new ArrayList<>();
            c.get("references").forEach(r -> refs.add(strings(r)));
            assertEquals(c.get("bleu").asDouble(), bleu.corpus(hyps, refs).score(), 1e-9);
        }
    }

    @Test
    void rougeLMatchesRougeScore() throws Exception {
        RougeL rouge = new RougeL();
        for (JsonNode c : fixture().get("cases")) {
            String hyp = c.get("hypothesis").asText();
            List<String> refs = strings(c.get("references"));
            JsonNode fs = c.get("rouge_l_f");
            for (int i = 0; i < refs.size(); i++) {
                assertEquals(fs.get(i).asDouble(), RougeL.prf(refs.get(i), hyp)[2], TOL, "ROUGE-L of '" + hyp + "' vs '" + refs.get(i) + "'");
            }
            JsonNode best = c.get("rouge_l_best");
            Score s = rouge.score(hyp, new Example("x", Map.of(), refs, Map.of()));
            assertEquals(best.get("fmeasure").asDouble(), s.value(), TOL);
            if (best.get("fmeasure").asDouble() > 0) {
                assertEquals(best.get("precision").asDouble(), (double) s.details().get("precision"), TOL);
                assertEquals(best.get("recall").asDouble(), (double) s.details().get("recall"), TOL);
            }
        }
    }
}
