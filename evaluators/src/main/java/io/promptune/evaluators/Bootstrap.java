package io.promptune.evaluators;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap confidence intervals for a mean: resample the values with replacement
 * {@code resamples} times (seeded, so a report shows the same interval every time), take the
 * (1-c)/2 and (1+c)/2 quantiles of the resampled means (linear interpolation, as numpy.percentile).
 */
public final class Bootstrap {
    public static final int DEFAULT_RESAMPLES = 2000;
    public static final double DEFAULT_CONFIDENCE = 0.95;

    private Bootstrap() { }

    public static Estimate meanCi(double[] values) {
        return meanCi(values, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, 0);
    }

    public static Estimate meanCi(List<Score> scores, long seed) {
        return meanCi(scores.stream().mapToDouble(Score::value).toArray(), DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, seed);
    }

    public static Estimate meanCi(double[] values, double confidence, int resamples, long seed) {
        check(confidence, resamples);
        int n = values.length;
        if (n == 0) return new Estimate(Double.NaN, Double.NaN, Double.NaN, 0, confidence);
        double mean = mean(values);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += values[rng.nextInt(n)];
            means[r] = s / n;
        }
        Arrays.sort(means);
        double alpha = (1 - confidence) / 2;
        return new Estimate(mean, quantile(means, alpha), quantile(means, 1 - alpha), n, confidence);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** The q-quantile of sorted values, linear between closest ranks (numpy's default). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static void check(double confidence, int resamples) {
        if (!(confidence > 0 && confidence < 1)) throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        if (resamples < 1) throw new IllegalArgumentException("resamples must be >= 1");
    }
}
