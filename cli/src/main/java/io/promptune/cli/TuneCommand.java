package io.promptune.cli;

import io.promptune.cli.config.TuneConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Runs a tuning study from a YAML or JSON config: every trial renders the prompts, calls the model,",
                "scores the outputs and is saved as it finishes; the best configuration and the baseline are then",
                "re-scored on the held-out split. Ctrl-C stops cleanly after the requests in flight; running the",
                "same command again resumes the study. Writes STUDY_FOLDER/report.html at the end."},
        footer = {"", "Examples:",
                "  promptune tune sentiment.yaml",
                "  promptune tune sentiment.yaml --no-progress 2> tune.log",
                "", "A config with every key explained: promptune tune --example-config",
                "", "Exit codes: 0 done, 1 no trial completed, 2 bad config or input, 3 model or file missing,",
                "130 stopped by Ctrl-C (resume by running again)."})
final class TuneCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "the study's config file (.yaml, .yml or .json)")
    Path config;

    @Option(names = "--no-progress", description = "print one line per trial instead of a progress bar")
    boolean noProgress;

    @Option(names = "--no-report", description = "do not write report.html at the end")
    boolean noReport;

    @Option(names = "--example-config", description = "print an example config with every key, and exit")
    boolean example;

    @Override
    public Integer call() {
        if (example) {
            System.out.print(TuneConfig.EXAMPLE);
            return 0;
        }
        if (config == null) throw new Main.UserError("give a config file: promptune tune CONFIG (see promptune tune --example-config)");
        TuneConfig c = TuneConfig.load(config);
        return StudyRun.run(c, System.out, System.err, !noProgress && System.console() != null, !noReport);
    }
}
