package io.promptune.cli;

import io.promptune.optimizer.tuning.TuningResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Runs the README's Java example, and checks the README (or its draft in the notes) shows exactly that code. */
class ReadmeSnippetTest {
    static final Path SOURCE = Path.of("src/test/java/io/promptune/cli/ReadmeExample.java");

    @Test
    void theExampleRunsEndToEnd(@TempDir Path out) throws Exception {
        TuningResult r = ReadmeExample.tuneSentiment(new FakeProvider.Model(), out);
        assertEquals(20, r.trials());
        assertNotNull(r.bestTrial());
        assertNotNull(r.comparison(), "best and baseline were compared on held-out data");
        assertEquals(72, r.comparison().best().n(), "30% of the 240 built-in reviews are held out");
        assertTrue(Files.size(out.resolve("sentiment/report.html")) > 10_000);
        assertTrue(Files.isRegularFile(out.resolve("sentiment/trials.jsonl")));
    }

    @Test
    void theReadmeShowsExactlyTheCodeThatRuns() throws Exception {
        String code = snippet(Files.readString(SOURCE));
        List<String> shown = new ArrayList<>();
        for (Path doc : List.of(Path.of("../README.md"))) {
            if (!Files.isRegularFile(doc)) continue;
            Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(doc));
            while (m.find()) if (m.group(1).contains("Tuner.builder()")) shown.add(m.group(1));
        }
        assertFalse(shown.isEmpty(), "the README holds no Java example");
        for (String s : shown) assertEquals(code, s, "the documented example differs from ReadmeExample.java");
    }

    /** The text between the markers, without the class's indentation. */
    static String snippet(String source) {
        String body = source.substring(source.indexOf("// README-SNIPPET-START\n") + 24, source.indexOf("    // README-SNIPPET-END"));
        StringBuilder sb = new StringBuilder();
        for (String line : body.split("\n", -1)) sb.append(line.startsWith("    ") ? line.substring(4) : line.strip()).append('\n');
        return sb.toString().replaceAll("\n+$", "\n");
    }
}
