package io.promptune.cli;

import io.promptune.optimizer.Trial;
import io.promptune.optimizer.tuning.Estimate;
import io.promptune.optimizer.tuning.TuningListener;
import io.promptune.optimizer.tuning.TuningProgress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Shows a run's progress on stderr: a progress bar on a terminal (trials done, ETA, best so far
 * with its interval, tokens and cost), or one line per finished trial when output is redirected.
 */
final class ProgressDisplay implements TuningListener, AutoCloseable {
    private final PrintStream err;
    private final ProgressBar bar;
    private volatile Duration eta;

    ProgressDisplay(PrintStream err, int maxTrials, boolean bar) {
        this.err = err;
        this.bar = !bar ? null : new ProgressBarBuilder()
                .setTaskName("tuning")
                .setInitialMax(Math.max(1, maxTrials))
                .setUnit(" trials", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(err, 160))
                .setEtaFunction(state -> Optional.ofNullable(eta))
                .build();
    }

    @Override
    public void onProgress(TuningProgress p) {
        eta = p.eta();
        if (bar != null) {
            bar.stepTo(p.trialsDone());
            bar.setExtraMessage(summary(p) + " | trial " + p.currentTrial() + ": " + p.examplesDone() + "/" + p.examplesTotal() + " ex");
        }
    }

    @Override
    public void onTrialFinished(Trial trial, TuningProgress p) {
        eta = p.eta();
        if (bar != null) {
            bar.stepTo(p.trialsDone());
            bar.setExtraMessage(summary(p));
        } else {
            err.printf(Locale.ROOT, "trial %d %s %s | %d/%s done | %s%n", trial.number(), trial.state().name().toLowerCase(Locale.ROOT),
                    Double.isFinite(trial.value()) ? String.format(Locale.ROOT, "%.3f", trial.value()) : "-",
                    p.trialsDone(), p.maxTrials() == null ? "?" : p.maxTrials().toString(), summary(p)
                            + (p.eta() == null ? "" : " | ETA " + format(p.eta())));
        }
    }

    @Override
    public void onMessage(String message) {
        if (bar != null) {
            bar.setExtraMessage(message);
        } else {
            err.println(message);
        }
    }

    static String summary(TuningProgress p) {
        StringBuilder sb = new StringBuilder();
        Estimate b = p.best();
        if (b != null && Double.isFinite(b.mean())) {
            sb.append(String.format(Locale.ROOT, "best #%d %.3f [%.3f, %.3f]", p.bestTrial(), b.mean(), b.ciLow(), b.ciHigh()));
        } else {
            sb.append("best -");
        }
        sb.append(String.format(Locale.ROOT, " | %s tok | $%.4f", tokens(p.inputTokens() + p.outputTokens()), p.costUsd()));
        if (p.pruned() > 0) sb.append(" | ").append(p.pruned()).append(" pruned");
        return sb.toString();
    }

    static String tokens(long n) {
        if (n < 10_000) return Long.toString(n);
        if (n < 10_000_000) return String.format(Locale.ROOT, "%.1fk", n / 1000.0);
        return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + (s % 60) + "s" : (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
