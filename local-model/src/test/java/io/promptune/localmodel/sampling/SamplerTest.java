package io.promptune.localmodel.sampling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    static float[] logProbs(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) l[i] = (float) Math.log(p[i]);
        return l;
    }

    static SamplingParams plain(double t) {
        return new SamplingParams(t, 0, 1.0, 0.0, 1.0, 64, 0, 0, 42L);
    }

    @Test
    void greedyPicksTheMostLikely() {
        assertEquals(2, new Sampler(SamplingParams.greedy()).sample(new float[]{0.1f, -3f, 2.5f, 2.4f}));
    }

    @Test
    void samplesFollowTheDistributionAtTemperatureOne() {
        Sampler s = new Sampler(plain(1.0));
        int[] counts = new int[3];
        int n = 30000;
        for (int i = 0; i < n; i++) counts[s.sample(logProbs(0.5, 0.3, 0.2))]++;
        assertEquals(0.5, counts[0] / (double) n, 0.015);
        assertEquals(0.3, counts[1] / (double) n, 0.015);
        assertEquals(0.2, counts[2] / (double) n, 0.015);
    }

    @Test
    void lowTemperatureSharpens() {
        Sampler s = new Sampler(plain(0.25));
        int top = 0;
        for (int i = 0; i < 5000; i++) if (s.sample(logProbs(0.5, 0.3, 0.2)) == 0) top++;
        // p^(1/T) normalised: 0.5^4 / (0.5^4 + 0.3^4 + 0.2^4) = 0.8546
        assertEquals(0.8546, top / 5000.0, 0.02);
    }

    @Test
    void sameSeedSameSequence() {
        int[] a = new int[50], b = new int[50];
        Sampler s1 = new Sampler(plain(1.0).withSeed(9L)), s2 = new Sampler(plain(1.0).withSeed(9L));
        for (int i = 0; i < 50; i++) {
            a[i] = s1.sample(logProbs(0.25, 0.25, 0.25, 0.25));
            b[i] = s2.sample(logProbs(0.25, 0.25, 0.25, 0.25));
        }
        assertArrayEquals(a, b);
    }

    @Test
    void topKKeepsOnlyTheBestK() {
        Sampler s = new Sampler(plain(1.0).withTopK(2));
        for (int i = 0; i < 2000; i++) assertTrue(s.sample(logProbs(0.3, 0.05, 0.35, 0.3)) != 1);
        boolean sawThree = false;
        for (int i = 0; i < 2000; i++) {
            int t = s.sample(logProbs(0.3, 0.05, 0.35, 0.3));
            assertTrue(t == 0 || t == 2 || t == 3);
            sawThree |= t == 3;
        }
        // ties at the cut keep the lower id (0), so 3 is never chosen
        assertTrue(!sawThree);
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        Sampler s = new Sampler(plain(1.0).withTopP(0.75));
        // sorted 0.5, 0.3, 0.2: 0.5 < 0.75, 0.8 >= 0.75 -> keep two
        for (int i = 0; i < 3000; i++) assertTrue(s.sample(logProbs(0.2, 0.5, 0.3)) != 0);
    }

    @Test
    void minPDropsUnlikelyTokensBeforeTemperature() {
        Sampler s = new Sampler(plain(5.0).withMinP(0.5));
        // 0.2 < 0.5 * 0.45: dropped even though the high temperature would flatten it
        for (int i = 0; i < 3000; i++) assertTrue(s.sample(logProbs(0.45, 0.35, 0.2)) != 2);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        Sampler s = new Sampler(SamplingParams.greedy().withRepeatPenalty(1.5, 64));
        s.accept(0);
        float[] l = {2.0f, 1.5f, -1f};
        assertEquals(1, s.sample(l)); // 2.0 / 1.5 = 1.33 < 1.5
        assertEquals(2.0f / 1.5f, l[0], 1e-6);
        Sampler neg = new Sampler(SamplingParams.greedy().withRepeatPenalty(2.0, 64));
        neg.accept(1);
        float[] m = {-1.5f, -1f};
        assertEquals(0, neg.sample(m)); // -1 * 2 = -2 < -1.5
    }

    @Test
    void repetitionPenaltyOnlyLooksAtTheLastN() {
        Sampler s = new Sampler(SamplingParams.greedy().withRepeatPenalty(10, 2));
        s.accept(0);
        s.accept(1);
        s.accept(1);
        assertEquals(0, s.sample(new float[]{2.0f, 1.0f})); // token 0 is outside the window
    }

    @Test
    void frequencyAndPresencePenaltiesSubtract() {
        Sampler s = new Sampler(SamplingParams.greedy().withFrequencyPenalty(0.5).withPresencePenalty(0.25));
        s.accept(0);
        s.accept(0);
        float[] l = {3.0f, 1.9f};
        s.sample(l);
        assertEquals(3.0f - 2 * 0.5f - 0.25f, l[0], 1e-6);
        assertEquals(1.9f, l[1], 0f);
    }

    @Test
    void invalidParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withMinP(1.5));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withTopK(-1));
    }

    @Test
    void partialTopKSelectionAgreesWithAFullSort() {
        java.util.Random r = new java.util.Random(3);
        float[] l = new float[5000];
        for (int i = 0; i < l.length; i++) l[i] = (float) r.nextGaussian();
        int[] top = Sampler.topCandidates(l, 40);
        int[] all = Sampler.topCandidates(l, 0);
        assertArrayEquals(java.util.Arrays.copyOf(all, 40), top);
        for (int i = 1; i < all.length; i++) assertTrue(l[all[i - 1]] >= l[all[i]]);
    }
}
