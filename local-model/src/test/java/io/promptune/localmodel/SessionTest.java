package io.promptune.localmodel;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link LocalModel.Session#feed}: the logits after each feed, in the session's one reused array. */
class SessionTest {
    private static Path stories() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("shared/models/stories260K/stories260K-f32.gguf");
            if (Files.exists(f)) return f;
        }
        return null;
    }

    @Test
    void feedReturnsEachStepsLogitsInOneReusedArray() {
        Path model = stories();
        assumeTrue(model != null, "stories260K absent");
        int[] seq = {1, 403, 407, 261, 378, 107, 259, 348, 300, 259, 422, 30}; // stories260K: 512 tokens
        // one row per forward pass: a 7-token feed runs as 7 passes and its last row lands in the session's array,
        // and every pass computes as in logits(seq), so the values must be equal bit for bit
        try (LocalModel m = LocalModel.load(model, LocalModel.Options.defaults().withThreads(2).withMaxPrefillChunk(1))) {
            float[][] expected = m.logits(seq);
            LocalModel.Session s = m.newSession();
            float[] first = s.feed(java.util.Arrays.copyOf(seq, 7));
            assertArrayEquals(expected[6], first);
            for (int i = 7; i < seq.length; i++) {
                float[] got = s.feed(seq[i]);
                assertSame(first, got, "one array for every step");
                assertArrayEquals(expected[i], got, "logits after token " + i);
            }
        }
    }
}
