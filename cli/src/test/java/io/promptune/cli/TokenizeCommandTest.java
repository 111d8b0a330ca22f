package io.promptune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();
    private final ByteArrayOutputStream out = streams.out, err = streams.err;

    private static Path vocab(String name) {
        return SharedFiles.find("models/vocab/" + name);
    }

    @Test
    void printsLlamaCppIdsWithoutBosUnlessAsked() {
        Path spm = vocab("ggml-vocab-llama-spm.gguf");
        assumeTrue(spm != null, "shared vocab files not present");
        // llama.cpp's vector for " Hello world" (ggml-vocab-llama-spm.gguf.inp/.out): 29871 15043 3186
        assertEquals(0, Main.run("tokenize", "--model", spm.toString(), " Hello world"));
        assertEquals("29871 15043 3186", out.toString(StandardCharsets.UTF_8).strip());
        out.reset();
        assertEquals(0, Main.run("tokenize", "--model", spm.toString(), "--add-special", " Hello world"));
        assertEquals("1 29871 15043 3186", out.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void badModelFilesAreUsageErrorsNamingTheFile() throws Exception {
        assertEquals(Main.EXIT_USAGE, Main.run("tokenize", "--model", dir.resolve("missing.gguf").toString(), "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.gguf"), err.toString(StandardCharsets.UTF_8));
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "not a gguf at all");
        err.reset();
        assertEquals(Main.EXIT_USAGE, Main.run("tokenize", "--model", junk.toString(), "x"));
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("junk.gguf") && !msg.contains("\tat "), msg);
    }
}
