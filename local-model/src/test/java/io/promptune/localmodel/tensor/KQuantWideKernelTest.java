package io.promptune.localmodel.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The K-quant kernels' 512-bit paths against their 256-bit paths and an exact scalar sum, called directly so both
 * widths run on any machine (512-bit species on an AVX2 machine are slow but correct; the sizes are small).
 */
class KQuantWideKernelTest {
    /** Widened Q4_K weights (scale * nibble, 0..945) and interleaved activations (-128..127) at their extremes and random. */
    @Test
    void q4kWideTilesGiveTheNarrowTilesExactTotals() {
        for (long seed = 1; seed <= 4; seed++) {
            Random r = new Random(seed);
            float[] w = new float[256 * 16], x = new float[3 * 1024 + 64];
            for (int i = 0; i < w.length; i++) w[i] = seed == 1 ? 945 : r.nextInt(64) * r.nextInt(16);
            for (int i = 0; i < x.length; i++) x[i] = seed == 1 ? -128 : r.nextInt(256) - 128;
            int x0 = 32, x1 = 32 + 2 * 1024; // not adjacent fours: the wide tile must read each from its own base
            float[] narrow = new float[512], wide = new float[512], wide4 = new float[512];
            Q4_KBatchKernel.tile(w, x, x0, narrow);
            float[] second = new float[512];
            Q4_KBatchKernel.tile(w, x, x1, second);
            System.arraycopy(second, 0, narrow, 256, 256);
            assertArrayEquals(q4kReference(w, x, x0, x1), narrow, "256-bit tile vs exact sums, seed " + seed);
            Q4_KBatchKernel.tileWide(w, x, x0, x1, wide);
            assertArrayEquals(narrow, wide, "seed " + seed);
            Q4_KBatchKernel.tileWide4(w, x, x1, wide4);
            assertArrayEquals(java.util.Arrays.copyOfRange(narrow, 256, 512), java.util.Arrays.copyOf(wide4, 256), "seed " + seed);
        }
    }

    /** tot[64h + 16r + i] = sum over e of w[(64h + e) * 16 + i] * x[x0 + 256h + 4e + r]; the second four from 256. */
    private static float[] q4kReference(float[] w, float[] x, int x0, int x1) {
        float[] t = new float[512];
        for (int f = 0; f < 2; f++) {
            for (int h = 0; h < 4; h++) {
                for (int r = 0; r < 4; r++) {
                    for (int i = 0; i < 16; i++) {
                        long s = 0;
                        for (int e = 0; e < 64; e++) s += (long) w[(64 * h + e) * 16 + i] * (long) x[(f == 0 ? x0 : x1) + 256 * h + 4 * e + r];
                        t[256 * f + 64 * h + 16 * r + i] = s;
                    }
                }
            }
        }
        return t;
    }

    /** Widened Q6_K weights (sc * (q - 32): |.| <= 4096) and activations (-127..127), extremes (chunk sums of 2^24) and random. */
    @Test
    void q6kWideTilesGiveTheNarrowTilesExactTotals() {
        for (long seed = 1; seed <= 4; seed++) {
            Random r = new Random(seed);
            float[] w = new float[256 * 16], x = new float[3 * 1024 + 64];
            for (int i = 0; i < w.length; i++) w[i] = seed == 1 ? -128 * -32 : (r.nextInt(256) - 128) * (r.nextInt(64) - 32);
            for (int i = 0; i < x.length; i++) x[i] = seed == 1 ? 127 : r.nextInt(255) - 127;
            int x0 = 32, x1 = 32 + 2 * 1024;
            int[] narrow = new int[128], second = new int[128], wide = new int[128], wide4 = new int[128];
            Q6_KBatchKernel.tile(w, x, x0, narrow);
            Q6_KBatchKernel.tile(w, x, x1, second);
            System.arraycopy(second, 0, narrow, 64, 64);
            assertArrayEquals(q6kReference(w, x, x0, x1), narrow, "256-bit tile vs exact sums, seed " + seed);
            Q6_KBatchKernel.tileWide(w, x, x0, x1, wide, new float[128]);
            assertArrayEquals(narrow, wide, "seed " + seed);
            Q6_KBatchKernel.tileWide4(w, x, x1, wide4, new float[128]);
            assertArrayEquals(java.util.Arrays.copyOfRange(narrow, 64, 128), java.util.Arrays.copyOf(wide4, 64), "seed " + seed);
        }
    }

    /** total[16r + i] = sum over e < 256 of w[16e + i] * x[x0 + 4e + r] (chunks of 32 e: x0 + 128c + 4e); the second four from 64. */
    private static int[] q6kReference(float[] w, float[] x, int x0, int x1) {
        int[] t = new int[128];
        for (int f = 0; f < 2; f++) {
            for (int r = 0; r < 4; r++) {
                for (int i = 0; i < 16; i++) {
                    long s = 0;
                    for (int e = 0; e < 256; e++) s += (long) w[16 * e + i] * (long) x[(f == 0 ? x0 : x1) + 4 * e + r];
                    t[64 * f + 16 * r + i] = (int) s;
                }
            }
        }
        return t;
    }
}
