package io.promptune.evaluators;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class AggregationTest {
    @Test
    void bootstrapIntervalCoversTheMeanAndNarrowsWithN() {
        SplittableRandom r = new SplittableRandom(1);
        double[] small = new double[50], big = new double[2000];
        for (int i = 0; i < small.length; i++) small[i] = r.nextDouble() < 0.6 ? 1 : 0;
        for (int i = 0; i < big.length; i++) big[i] = r.nextDouble() < 0.6 ? 1 : 0;
        Estimate s = Bootstrap.meanCi(small, 0.95, 2000, 7);
        Estimate b = Bootstrap.meanCi(big, 0.95, 2000, 7);
        assertTrue(s.low() <= s.mean() && s.mean() <= s.high());
        assertTrue(b.halfWidth() < s.halfWidth() / 3, s + " vs " + b);
        // binomial standard error for p~0.6, n=2000 is ~0.011 -> 95% half width ~0.0215
        assertEquals(1.96 * Math.sqrt(b.mean() * (1 - b.mean()) / big.length), b.halfWidth(), 0.004);
        assertEquals(s, Bootstrap.meanCi(small, 0.95, 2000, 7), "seeded: same interval every time");
        double[] cont = new double[50];
        for (int i = 0; i < cont.length; i++) cont[i] = r.nextDouble();
        assertNotEquals(Bootstrap.meanCi(cont, 0.95, 2000, 7), Bootstrap.meanCi(cont, 0.95, 2000, 8), "another seed, other resamples");
    }

    @Test
    void bootstrapEdges() {
        Estimate constant = Bootstrap.meanCi(new double[]{0.5, 0.5, 0.5}, 0.9, 100, 1);
        assertEquals(0.5, constant.low());
        assertEquals(0.5, constant.high());
        assertTrue(Double.isNaN(Bootstrap.meanCi(new double[0], 0.95, 10, 1).mean()));
        assertEquals(2.5, Bootstrap.quantile(new double[]{1, 2, 3, 4}, 0.5));
        assertEquals(1.3, Bootstrap.quantile(new double[]{1, 2, 3, 4}, 0.1), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.meanCi(new double[]{1}, 1.0, 10, 1));
    }

    @Test
    void pairedComparisonDetectsAConsistentImprovement() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 200;
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            double difficulty = r.nextDouble();
            a[i] = difficulty < 0.5 ? 1 : 0;
            b[i] = difficulty < 0.6 ? 1 : 0; // B solves everything A does, plus ~10% more
        }
        PairedComparison.Result res = PairedComparison.compare(a, b, 11);
        assertTrue(res.diff().mean() > 0.05);
        assertTrue(res.diff().low() > 0, res.diff().toString());
        assertTrue(res.pPermutation() < 0.01, "p=" + res.pPermutation());
        assertTrue(res.pSign() < 0.01);
        assertEquals(0, res.losses());
        assertTrue(res.bBetter(0.05));
        PairedComparison.Result same = PairedComparison.compare(a, a.clone(), 11);
        assertEquals(1.0, same.pPermutation());
        assertEquals(1.0, same.pSign());
        assertEquals(n, same.ties());
    }

    @Test
    void exactPermutationAndSignTestByHand() {
        // d = [1, 1, 1, -1]: sums over the 16 sign flips: |s| >= 2 happens for 10 of them -> p = 10/16
        double[] a = {0, 0, 0, 1}, b = {1, 1, 1, 0};
        PairedComparison.Result res = PairedComparison.compare(a, b, 1);
        assertEquals(10.0 / 16, res.pPermutation(), 1e-12);
        // sign test, 3 wins 1 loss: 2 * P(X <= 1 | n=4) = 2 * 5/16
        assertEquals(10.0 / 16, res.pSign(), 1e-12);
        assertEquals(1.0, PairedComparison.signP(2, 2));
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.compare(new double[2], new double[3], 1));
    }
}
