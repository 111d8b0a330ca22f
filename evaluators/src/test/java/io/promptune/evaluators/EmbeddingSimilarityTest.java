package io.promptune.evaluators;

import org.junit.jupiter.api.Test;

import static io.promptune.evaluators.TextMetricsTest.ex;
import static org.junit.jupiter.api.Assertions.*;

/** Runs the real quantized all-MiniLM-L6-v2 in-process (loaded once for the JVM). */
class EmbeddingSimilarityTest {
    @Test
    void paraphrasesScoreHigherThanUnrelatedText() {
        EmbeddingSimilarity m = new EmbeddingSimilarity(MiniLmEmbedder.INSTANCE, Double.NaN);
        double same = m.score("The cat is sleeping on the sofa.", ex("The cat is sleeping on the sofa.")).value();
        double para = m.score("A cat naps on the couch.", ex("The cat is sleeping on the sofa.")).value();
        double other = m.score("Quarterly revenue rose by four percent.", ex("The cat is sleeping on the sofa.")).value();
        assertEquals(1.0, same, 1e-4);
        assertTrue(para > 0.5, "paraphrase " + para);
        assertTrue(other < 0.3, "unrelated " + other);
        assertTrue(para > other + 0.3);
        // edges: empty, unicode, long text all embed without error and stay in [0, 1]
        for (String out : new String[]{"", "   ", "東京は日本の首都です 🙂", "word ".repeat(5000)}) {
            double v = m.score(out, ex("The cat is sleeping on the sofa.")).value();
            assertTrue(v >= 0 && v <= 1, out.length() + " chars -> " + v);
        }
        assertEquals(0, m.score("", ex("The cat")).value());
        assertEquals(1, m.score(" ", ex("")).value());
        EmbeddingSimilarity pass = new EmbeddingSimilarity(MiniLmEmbedder.INSTANCE, 0.5);
        assertEquals(1, pass.score("A cat naps on the couch.", ex("The cat is sleeping on the sofa.")).value());
        assertEquals(0, pass.score("Quarterly revenue rose.", ex("The cat is sleeping on the sofa.")).value());
    }

    @Test
    void cosineOfVectors() {
        assertEquals(1, EmbeddingSimilarity.cosine(new float[]{1, 2}, new float[]{2, 4}), 1e-9);
        assertEquals(0, EmbeddingSimilarity.cosine(new float[]{1, 0}, new float[]{0, 1}), 1e-9);
        assertEquals(0, EmbeddingSimilarity.cosine(new float[]{0, 0}, new float[]{0, 1}), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> EmbeddingSimilarity.cosine(new float[]{1}, new float[]{1, 2}));
    }
}
