package io.promptune.cli;

import io.promptune.cli.config.LocatedTree;
import io.promptune.cli.config.TuneConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job in one command: tunes the default local model (SmolLM2-135M-Instruct, fetched",
                "once) on the built-in sentiment set. It searches temperature, top_p, max_tokens and three prompt",
                "templates, starting from a plain baseline, with a small budget (10 trials on 40 examples, 16 of",
                "them held out; trials stop starting after 5 minutes), then re-scores the best and the baseline on",
                "the held-out examples and writes the study",
                "and its report under ./promptune-out (or --out). Ctrl-C stops; running again resumes."},
        footer = {"", "Examples:",
                "  promptune demo",
                "  promptune demo --out /tmp/demo --trials 20 --examples 100",
                "  promptune demo --print-config > my-study.yaml     # then: promptune tune my-study.yaml",
                "", "Exit codes: 0 done, 1 no trial completed, 3 the model could not be fetched, 130 stopped by Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "promptune-out", paramLabel = "DIR", description = "where the study folder goes (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--model", defaultValue = "default", paramLabel = "FILE", description = "a GGUF model file instead of the default model")
    String model;

    @Option(names = "--trials", defaultValue = "10", description = "trials to run (default: ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--examples", defaultValue = "40", description = "examples to use, 40% of them held out (default: ${DEFAULT-VALUE})")
    int examples;

    @Option(names = "--time", defaultValue = "5m", description = "start no trial after this long, e.g. 90s, 5m (default: ${DEFAULT-VALUE})")
    String time;

    @Option(names = "--no-progress", description = "print one line per trial instead of a progress bar")
    boolean noProgress;

    @Option(names = "--print-config", description = "print the demo's config (a normal tune config) and exit")
    boolean printConfig;

    @Override
    public Integer call() {
        if (trials < 1) throw new Main.UserError("--trials: expected at least 1, got " + trials);
        if (examples < 10) throw new Main.UserError("--examples: expected at least 10, got " + examples);
        String yaml = config();
        if (printConfig) {
            System.out.print(yaml);
            return 0;
        }
        // Relative paths in the demo config resolve against the working directory.
        TuneConfig c = TuneConfig.parse(LocatedTree.parse(Path.of("").toAbsolutePath().resolve("demo.yaml"), yaml));
        return StudyRun.run(c, System.out, System.err, !noProgress && System.console() != null, true);
    }

    String config() {
        return template()
                .replace("${MODEL}", quote(model))
                .replace("${EXAMPLES}", Integer.toString(examples))
                .replace("${TRIALS}", Integer.toString(trials))
                .replace("${TIME}", quote(time))
                .replace("${OUT}", quote(out.toString()));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String template() {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo.yaml")) {
            if (in == null) throw new IllegalStateException("demo.yaml is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
