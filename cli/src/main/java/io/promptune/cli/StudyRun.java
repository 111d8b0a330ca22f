package io.promptune.cli;

import io.promptune.cli.config.DataSplit;
import io.promptune.cli.config.Models;
import io.promptune.cli.config.TuneConfig;
import io.promptune.cli.config.TuningSetup;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.tuning.HeldOutComparison;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;
import io.promptune.providers.LanguageModel;
import io.promptune.reports.HtmlReport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one study from a config, shared by `tune` and `demo`: opens the model and the data, runs
 * (or resumes) the Tuner with a progress display, stops cleanly on Ctrl-C, writes the report and
 * prints what to ship. Returns the exit code.
 */
final class StudyRun {
    private StudyRun() { }

    static int run(TuneConfig config, PrintStream out, PrintStream err, boolean progressBar, boolean writeReport) {
        StudyDirectory dir = TuningSetup.directory(config);
        DataSplit data = DataSplit.load(config.dataset(), err);
        err.printf(Locale.ROOT, "Study '%s' in %s%n  data %s: %d tune / %d held-out examples; model %s; sampler %s; budget %s%n",
                config.study(), dir.dir(), data.name(), data.tune().size(), data.test().size(), config.model().describe(),
                config.sampler(), describe(config));
        try (LanguageModel model = Models.open(config.model(), err)) {
            Study study = TuningSetup.study(config, dir);
            CountDownLatch finished = new CountDownLatch(1);
            Tuner[] tuner = new Tuner[1];
            Thread hook = new Thread(() -> {
                if (tuner[0] == null) return;
                tuner[0].stop();
                err.println();
                err.println("Stopping after the requests in flight ... (run the same command again to resume)");
                try {
                    finished.await(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "promptune-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            TuningResult result;
            try (ProgressDisplay progress = new ProgressDisplay(err,
                    config.budget().maxTrials() == null ? 0 : config.budget().maxTrials(), progressBar)) {
                tuner[0] = TuningSetup.tuner(config, model, data, study, dir, progress);
                try {
                    result = tuner[0].run();
                } finally {
                    study.storage().close();
                }
            }
            try {
                Path report = writeReport ? HtmlReport.write(dir, dir.report()) : null;
                printSummary(result, report, dir, out);
                if (result.interrupted()) return Main.EXIT_INTERRUPTED;
                return result.bestTrial() == null ? Main.EXIT_FAILED : 0;
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it returns once 'finished' is counted down
                }
            }
        }
    }

    private static String describe(TuneConfig c) {
        StringBuilder sb = new StringBuilder();
        var b = c.budget();
        if (b.maxTrials() != null) sb.append(b.maxTrials()).append(" trials");
        if (b.maxModelCalls() != null) sb.append(sb.isEmpty() ? "" : ", ").append(b.maxModelCalls()).append(" calls");
        if (b.maxCostUsd() != null) sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "$%.2f", b.maxCostUsd()));
        if (b.maxDuration() != null) sb.append(sb.isEmpty() ? "" : ", ").append(ProgressDisplay.format(b.maxDuration()));
        return sb.toString();
    }

    static void printSummary(TuningResult r, Path report, StudyDirectory dir, PrintStream out) {
        out.println();
        if (r.interrupted()) {
            out.printf(Locale.ROOT, "Stopped after %d trials; the study is saved in %s. Run the same command again to resume.%n", r.trials(), dir.dir());
        } else {
            out.printf(Locale.ROOT, "Done: %d trials (%d pruned, %d failed); %s.%n", r.trials(), r.pruned(), r.failed(), r.stopReason());
        }
        if (r.bestTrial() == null) {
            out.println("No trial completed, so there is no best configuration; the report's trials table shows why.");
        } else {
            out.printf(Locale.ROOT, "Best: trial #%d %s%n", r.bestTrial(), r.bestParams());
            HeldOutComparison c = r.comparison();
            if (c != null) {
                out.printf(Locale.ROOT, "Held-out (%d examples): best %.3f [%.3f, %.3f] vs baseline %.3f [%.3f, %.3f]; difference %+.3f [%.3f, %.3f], p = %.4f: %s%n",
                        c.best().n(), c.best().mean(), c.best().ciLow(), c.best().ciHigh(), c.baseline().mean(), c.baseline().ciLow(),
                        c.baseline().ciHigh(), c.difference(), c.ciLow(), c.ciHigh(), c.pValue(),
                        c.significant() ? (c.difference() > 0 ? "significantly better" : "significantly worse") : "not significantly different");
            }
        }
        out.printf(Locale.ROOT, "Model calls %d (%d saved by racing), tokens %d in / %d out, cost $%.4f%n",
                r.modelCalls(), r.modelCallsSavedByPruning(), r.inputTokens(), r.outputTokens(), r.costUsd());
        if (report != null) out.println("Report: " + report);
    }
}
