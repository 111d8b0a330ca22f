package io.promptune.optimizer.tuning.interim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Interim statistics (mean, standard error, bootstrap interval, paired comparison) until the
 * evaluators module's aggregation lands; then this class goes.
 */
public final class Stats {
    private Stats() { }

    public static double mean(double[] x) {
        if (x.length == 0) return Double.NaN;
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    public static double standardError(double[] x) {
        if (x.length < 2) return Double.NaN;
        double m = mean(x), ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / (x.length - 1) / x.length);
    }

    /** Percentile bootstrap 95% interval of the mean (seeded, so reports are reproducible). */
    public static double[] bootstrapCi(double[] x, int resamples, long seed) {
        if (x.length == 0) return new double[]{Double.NaN, Double.NaN};
        SplittableRandom r = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) s += x[r.nextInt(x.length)];
            means[b] = s / x.length;
        }
        Arrays.sort(means);
        return new double[]{means[(int) Math.floor(0.025 * (resamples - 1))], means[(int) Math.ceil(0.975 * (resamples - 1))]};
    }

    /** Two-sided p-value of a paired sign-flip permutation test on the differences. */
    public static double signFlipP(double[] diff, int draws, long seed) {
        double observed = Math.abs(mean(diff));
        if (diff.length == 0) return 1;
        SplittableRandom r = new SplittableRandom(seed);
        int atLeast = 0;
        for (int d = 0; d < draws; d++) {
            double s = 0;
            for (double v : diff) s += r.nextBoolean() ? v : -v;
            if (Math.abs(s / diff.length) >= observed - 1e-12) atLeast++;
        }
        return (atLeast + 1.0) / (draws + 1.0);
    }
}
