package io.promptune.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ServeCommandTest {
    @Test
    void missingModelFileIsAClearErrorNotAStackTrace(@TempDir Path dir) {
        String err = runCapturingErr("serve", "--model", dir.resolve("nope.gguf").toString());
        assertTrue(err.contains("model file not found") && err.contains("nope.gguf"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void aFileThatIsNotGgufIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.gguf"), "this is not a model");
        String err = runCapturingErr("serve", "--model", bad.toString(), "--port", "0");
        assertTrue(err.contains("bad.gguf"), err);
        assertFalse(err.contains("\tat "), err);
    }

    private static String runCapturingErr(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertNotEquals(0, code, err);
        return err;
    }
}
