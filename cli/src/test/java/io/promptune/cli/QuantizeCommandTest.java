package io.promptune.cli;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class QuantizeCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldErr;

    @BeforeEach
    void captureStderr() {
        oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(oldErr);
    }

    private static Path storiesF32() {
        return SharedFiles.find("models/stories260K/stories260K-f32.gguf");
    }

    @Test
    void quantizesAFileAndReportsProgress() throws Exception {
        Path in = storiesF32();
        assumeTrue(in != null, "stories260K not present");
        Path out = dir.resolve("s-q8.gguf");
        assertEquals(0, Main.run("quantize", in.toString(), out.toString(), "q8_0", "--threads", "2"));
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(GgmlType.Q8_0, f.tensor("blk.0.attn_q.weight").type());
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("blk.0.attn_q.weight") && log.contains("Q8_0") && log.contains("MiB"), log);
    }

    @Test
    void dryRunPrintsThePlanAndWritesNothing() {
        Path in = storiesF32();
        assumeTrue(in != null, "stories260K not present");
        Path out = dir.resolve("never.gguf");
        assertEquals(0, Main.run("quantize", in.toString(), out.toString(), "Q4_K", "--dry-run"));
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("blk.0.ffn_down.weight") && log.contains("F16") && log.contains("would write"), log);
        assertTrue(log.contains("fallback from Q4_K"), log);
        assertFalse(Files.exists(out));
    }

    @Test
    void badTypeAndMissingFileAreUsageErrorsWithClearMessages() throws Exception {
        Path model = dir.resolve("m.gguf");
        Files.writeString(model, "not a gguf");
        assertEquals(Main.EXIT_USAGE, Main.run("quantize", model.toString(), dir.resolve("o.gguf").toString(), "Q3_XYZ"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown quantization type 'Q3_XYZ'"));
        assertEquals(Main.EXIT_USAGE, Main.run("quantize", dir.resolve("nope.gguf").toString(), dir.resolve("o.gguf").toString(), "Q8_0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("nope.gguf: no such file"));
        assertEquals(Main.EXIT_USAGE, Main.run("quantize", model.toString(), dir.resolve("o.gguf").toString(), "Q8_0"));
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("m.gguf") && log.contains("not a GGUF"), log);
        assertFalse(log.contains("Exception"), "no stack trace: " + log);
        assertFalse(Files.exists(dir.resolve("o.gguf")));
    }
}
