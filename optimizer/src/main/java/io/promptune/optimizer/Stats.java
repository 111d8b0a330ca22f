package io.promptune.optimizer;

import java.util.List;

/** Small statistics helpers shared by the study, pruners and samplers. */
public final class Stats {
    private Stats() {
    }

    public static double mean(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        double s = 0;
        for (double x : xs) s += x;
        return s / xs.size();
    }

    /** Standard error of the mean (sample standard deviation / sqrt(n)); NaN for fewer than 2 values. */
    public static double standardError(List<Double> xs) {
        int n = xs.size();
        if (n < 2) return Double.NaN;
        double m = mean(xs), ss = 0;
        for (double x : xs) ss += (x - m) * (x - m);
        return Math.sqrt(ss / (n - 1) / n);
    }
}
