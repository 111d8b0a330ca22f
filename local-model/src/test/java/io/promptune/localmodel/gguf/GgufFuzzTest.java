package io.promptune.localmodel.gguf;

import io.promptune.localmodel.GenerationRequest;
import io.promptune.localmodel.LocalModel;
import io.promptune.localmodel.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutated and truncated GGUF files: reading and loading fail only with a GgufException naming the file
 * (never another exception, an OutOfMemoryError or a crash); a file that still loads can run a step.
 */
class GgufFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedAndTruncatedFilesFailCleanly() throws Exception {
        byte[] original = Files.readAllBytes(TestData.shared("models/stories260K/stories260K-Q8_0.gguf"));
        long headerEnd;
        try (GgufFile f = GgufFile.open(TestData.shared("models/stories260K/stories260K-Q8_0.gguf"))) {
            headerEnd = f.dataStart();
        }
        Random rnd = new Random(1234);
        Path file = dir.resolve("fuzz.gguf");
        int loaded = 0, rejected = 0;
        for (int iter = 0; iter < 400; iter++) {
            byte[] b;
            String what;
            int kind = iter % 4;
            if (kind == 0) {
                int len = rnd.nextInt(original.length);
                b = java.util.Arrays.copyOf(original, len);
                what = "truncated to " + len;
            } else {
                b = original.clone();
                int edits = 1 + rnd.nextInt(8);
                StringBuilder sb = new StringBuilder();
                for (int e = 0; e < edits; e++) {
                    int at = rnd.nextInt((int) headerEnd);
                    if (kind == 1) {
                        b[at] = (byte) rnd.nextInt(256);
                    } else if (kind == 2) {
                        // plant a large or negative 32/64-bit count where a length or dimension may live
                        long v = switch (rnd.nextInt(4)) {
                            case 0 -> -1L;
                            case 1 -> Integer.MAX_VALUE;
                            case 2 -> 1L << 40;
                            default -> rnd.nextInt(1 << 20);
                        };
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.min(at, b.length - 8), v);
                    } else {
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    sb.append(at).append(' ');
                }
                what = "mutated at " + sb;
            }
            Files.write(file, b);
            try (LocalModel m = LocalModel.load(file, LocalModel.Options.defaults().withThreads(1).withPrefixCacheBytes(0))) {
                loaded++;
                try {
                    m.generate(GenerationRequest.ofTokens(new int[]{1, 2, 3}).withMaxTokens(2));
                } catch (RuntimeException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + ": " + e);
                }
            } catch (GgufException e) {
                rejected++;
                assertTrue(e.getMessage().contains(file.toString()), what + ": message does not name the file: " + e.getMessage());
            } catch (Throwable t) {
                fail(what + ": " + t, t);
            }
        }
        assertTrue(rejected > 100, "only " + rejected + " corrupt files were rejected");
        assertTrue(loaded > 0, "no mutation left a loadable file; the generator is too blunt");
    }
}
