package io.promptune.cli;

import io.promptune.cli.config.LocatedTree;
import io.promptune.cli.config.TuneConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DemoCommandTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
    }

    /** What `demo --help` promises is what the demo's config does. */
    @Test
    void helpMatchesTheDemoConfig() {
        assertEquals(0, Main.run("demo", "--print-config"));
        String yaml = out.toString(StandardCharsets.UTF_8);
        TuneConfig c = TuneConfig.parse(LocatedTree.parse(Path.of("demo.yaml").toAbsolutePath(), yaml));
        out.reset();
        assertEquals(0, Main.run("demo", "--help"));
        String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");

        assertEquals("default", c.model().path());
        assertEquals("sentiment", c.dataset().builtin());
        int examples = c.dataset().limit(), held = (int) Math.round(examples * c.dataset().testFraction());
        assertTrue(help.contains(c.budget().maxTrials() + " trials on " + examples + " examples, " + held + " of them held out"), help);
        assertTrue(help.contains("after " + c.budget().maxDuration().toMinutes() + " minutes"), help);
        assertTrue(help.contains("SmolLM2-135M-Instruct") && help.contains("built-in sentiment set"), help);
        for (String p : List.of("temperature", "top_p", "max_tokens")) {
            assertNotNull(c.space().param(p), p);
            assertTrue(help.contains(p), p);
        }
        assertEquals(3, c.templates().size());
        assertTrue(help.contains("three prompt templates"), help);
        assertTrue(help.contains("./promptune-out") && c.output().endsWith("promptune-out"), help);
    }

    /** The demo on the real default model, made tiny; skipped where the model has not been fetched. */
    @Test
    void demoRunsOnTheDefaultModel(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(DefaultModel.path()), "the default model is not fetched (promptune fetch-model)");
        int code = Main.run("demo", "--out", dir.toString(), "--trials", "2", "--examples", "10", "--no-progress");
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        assertTrue(printed.contains("Report: " + dir.resolve("demo-sentiment/report.html")), printed);
        assertTrue(Files.size(dir.resolve("demo-sentiment/report.html")) > 10_000);
        assertTrue(printed.contains("Held-out (4 examples)"), printed);
    }
}
