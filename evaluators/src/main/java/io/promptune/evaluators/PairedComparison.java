package io.promptune.evaluators;

import org.apache.commons.statistics.distribution.BinomialDistribution;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Compares two configurations scored on the same examples (a[i] and b[i] belong to example i).
 * Reports the mean difference b - a with a paired-bootstrap interval, a two-sided paired permutation
 * (sign-flip) test p-value (exact for n <= 20, Monte Carlo above), and the sign test over wins/losses.
 * Pairing matters: examples differ far more in difficulty than configurations do, and pairing
 * cancels that out.
 */
public final class PairedComparison {
    private static final int EXACT_LIMIT = 20;

    /** Result of comparing B against A: {@code diff} = mean(B) - mean(A). */
    public record Result(double meanA, double meanB, Estimate diff, double pPermutation, int wins, int losses, int ties, double pSign) {
        /** Whether B beats A at significance level alpha by the permutation test. */
        public boolean bBetter(double alpha) {
            return diff.mean() > 0 && pPermutation < alpha;
        }
    }

    private PairedComparison() { }

    public static Result compare(double[] a, double[] b, long seed) {
        return compare(a, b, Bootstrap.DEFAULT_CONFIDENCE, Bootstrap.DEFAULT_RESAMPLES, seed);
    }

    public static Result compare(double[] a, double[] b, double confidence, int resamples, long seed) {
        if (a.length != b.length) throw new IllegalArgumentException("paired comparison needs the same examples: " + a.length + " vs " + b.length + " scores");
        if (a.length == 0) throw new IllegalArgumentException("paired comparison needs at least one example");
        int n = a.length;
        double[] d = new double[n];
        int wins = 0, losses = 0;
        for (int i = 0; i < n; i++) {
            d[i] = b[i] - a[i];
            if (d[i] > 0) wins++;
            else if (d[i] < 0) losses++;
        }
        Estimate diff = Bootstrap.meanCi(d, confidence, resamples, seed);
        return new Result(Bootstrap.mean(a), Bootstrap.mean(b), diff, permutationP(d, resamples, seed), wins, losses, n - wins - losses, signP(wins, losses));
    }

    /** Two-sided: how often a random sign flip of the differences gives a mean at least as far from 0. */
    static double permutationP(double[] d, int resamples, long seed) {
        int n = d.length;
        double observed = Math.abs(Arrays.stream(d).sum());
        double eps = 1e-12 * Math.max(1, observed);
        if (observed == 0) return 1.0;
        if (n <= EXACT_LIMIT) {
            long count = 0, total = 1L << n;
            for (long mask = 0; mask < total; mask++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += ((mask >>> i) & 1) == 0 ? d[i] : -d[i];
                if (Math.abs(s) >= observed - eps) count++;
            }
            return (double) count / total;
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        long count = 0;
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (double x : d) s += rng.nextBoolean() ? x : -x;
            if (Math.abs(s) >= observed - eps) count++;
        }
        return (count + 1.0) / (resamples + 1.0);
    }

    /** Two-sided exact sign test (ties dropped). */
    static double signP(int wins, int losses) {
        int m = wins + losses;
        if (m == 0) return 1.0;
        double tail = BinomialDistribution.of(m, 0.5).cumulativeProbability(Math.min(wins, losses));
        return Math.min(1.0, 2 * tail);
    }
}
