package io.promptune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bench's memory report: the file size and the KV cache held next to the resident set. */
class BenchCommandTest {
    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();
    private final ByteArrayOutputStream out = streams.out;


    @Test
    void jsonReportsTheFileSizeAndTheMostKvCacheHeld() throws Exception {
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf");
        int code = Main.run("bench", "--model", model.toString(), "--threads", "1", "--reps", "1", "--prompt-tokens", "8",
                "--gen-tokens", "4", "--batch", "3", "--batch-prompt", "30", "--batch-gen", "10", "--json");
        assertEquals(0, code);
        JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(Files.size(model), j.get("model_file_bytes").asLong());
        long perToken = j.get("kv_cache_bytes_per_token").asLong();
        assertTrue(perToken > 0);
        // 3 sequences of 30 + 10 positions, each cache reserved exactly (the pp/tg session holds 64 positions)
        assertEquals(3 * 40 * perToken, j.get("kv_cache_bytes").asLong());
        assertTrue(j.get("gc_collections").asLong() >= 0 && j.get("gc_ms").asLong() >= 0, j.toString());
    }

    /** A bad vector width setting (read by a static initializer) is one usage-error line, not a stack trace. */
    @Test
    void aBadVectorBitsSettingIsOneLineNamingTheProperty() throws Exception {
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dpromptune.vectorBits=foo", "-cp", System.getProperty("java.class.path"),
                "io.promptune.cli.Main", "bench", "--model", model.toString(), "--threads", "1", "--reps", "1",
                "--prompt-tokens", "4", "--gen-tokens", "2", "--json").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), err);
        assertEquals(Main.EXIT_USAGE, p.exitValue(), err);
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(List.of("error: promptune.vectorBits must be 256 or 512, not 'foo'"), lines, err);
    }

    @Test
    void textReportSplitsThePeakIntoFileKvCacheAndTheRest() {
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf");
        int code = Main.run("bench", "--model", model.toString(), "--threads", "1", "--reps", "1", "--prompt-tokens", "8",
                "--gen-tokens", "4");
        assertEquals(0, code);
        String text = out.toString(StandardCharsets.UTF_8);
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "no /proc: no memory figures");
        assertTrue(text.matches("(?s).*memory: peak resident [0-9.]+ MiB = model file [0-9.]+ MiB \\+ KV cache [0-9.]+ MiB.*"), text);
    }
}
