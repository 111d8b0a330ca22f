package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.promptune.localmodel.tensor.KernelChecks.randomBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The K-quant kernels' 512-bit paths against their 256-bit paths and an exact scalar sum, called directly so both
 * widths run on any machine (512-bit species on an AVX2 machine are slow but correct; the sizes are small).
 */
class KQuantWideKernelTest {
    /**
     * Widened Q4_K weights (scale * nibble, 0..945) of a 32-row panel and interleaved activations (-128..127), at their
     * extremes and random: the 512-bit tiles against the 256-bit tile on each 16-row half and an exact sum.
     */
    @Test
    void q4kWideTilesGiveTheNarrowTilesExactTotals() {
        for (long seed = 1; seed <= 4; seed++) {
            Random r = new Random(seed);
            float[] w = new float[256 * 32], x = new float[3 * 1024 + 64];
            for (int i = 0; i < w.length; i++) w[i] = seed == 1 ? 945 : r.nextInt(64) * r.nextInt(16);
            for (int i = 0; i < x.length; i++) x[i] = seed == 1 ? -128 : r.nextInt(256) - 128;
            int x0 = 32, x1 = 32 + 2 * 1024; // not adjacent fours: the wide tile must read each from its own base
            float[] narrow = new float[1024], wide = new float[1024], wide4 = new float[1024], t = new float[256];
            for (int half = 0; half < 2; half++) {
                float[] w16 = new float[256 * 16];
                for (int v = 0; v < 256; v++) System.arraycopy(w, 32 * v + 16 * half, w16, 16 * v, 16);
                for (int f = 0; f < 2; f++) {
                    Q4_KBatchKernel.tile(w16, 0, x, f == 0 ? x0 : x1, t);
                    for (int h = 0; h < 4; h++) {
                        for (int row = 0; row < 4; row++) System.arraycopy(t, 64 * h + 16 * row, narrow, 512 * f + 128 * h + 32 * row + 16 * half, 16);
                    }
                }
            }
            assertArrayEquals(q4kReference(w, x, x0, x1), narrow, "256-bit tile vs exact sums, seed " + seed);
            float[] shifted = new float[w.length + 5]; // the panel from an offset (the kernels start it on a 64-byte boundary)
            System.arraycopy(w, 0, shifted, 5, w.length);
            Q4_KBatchKernel.tileWide(shifted, 5, x, x0, x1, wide);
            assertArrayEquals(narrow, wide, "seed " + seed);
            Q4_KBatchKernel.tileWide4(shifted, 5, x, x1, wide4);
            assertArrayEquals(java.util.Arrays.copyOfRange(narrow, 512, 1024), java.util.Arrays.copyOf(wide4, 512), "seed " + seed);
        }
    }

    /** tot[512f + 128h + 32r + i] = sum over e of w[(64h + e) * 32 + i] * x[(x0 or x1) + 256h + 4e + r]. */
    private static float[] q4kReference(float[] w, float[] x, int x0, int x1) {
        float[] t = new float[1024];
        for (int f = 0; f < 2; f++) {
            for (int h = 0; h < 4; h++) {
                for (int r = 0; r < 4; r++) {
                    for (int i = 0; i < 32; i++) {
                        long s = 0;
                        for (int e = 0; e < 64; e++) s += (long) w[(64 * h + e) * 32 + i] * (long) x[(f == 0 ? x0 : x1) + 256 * h + 4 * e + r];
                        t[512 * f + 128 * h + 32 * r + i] = s;
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
            Q6_KBatchKernel.tile(w, 0, x, x0, narrow);
            Q6_KBatchKernel.tile(w, 0, x, x1, second);
            System.arraycopy(second, 0, narrow, 64, 64);
            assertArrayEquals(q6kReference(w, x, x0, x1), narrow, "256-bit tile vs exact sums, seed " + seed);
            Q6_KBatchKernel.tileWide(w, 0, x, x0, x1, wide);
            assertArrayEquals(narrow, wide, "seed " + seed);
            Q6_KBatchKernel.tileWide4(w, 0, x, x1, wide4);
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

    /**
     * Q4_K through both widths' kernels from the heap copy: the GEMV (batch rows past the last four), the batch kernel
     * (whole fours; 32-row panels at 512 bits, so 8-56 rows cut panels), a row range cutting groups; every output equal
     * bit for bit to llama.cpp's repacked order.
     */
    @ParameterizedTest
    @CsvSource({"8, 256, 1", "16, 512, 3", "24, 768, 5", "40, 512, 12", "56, 256, 13", "8, 256, 4"})
    void q4kBothWidthsFollowLlamaCppOrderExactly(int rows, int cols, int batch) {
        Random rnd = new Random(rows * 31L + cols + batch);
        MemorySegment seg = MoreTypesKernelTest.randomBytes(GgmlType.Q4_K, rows, cols, rnd);
        Q4_KMatrix w = new Q4_KMatrix("w", rows, cols, seg, true);
        Activations a = w.activationFormat().prepare(randomBatch(batch, cols, rnd));
        for (boolean wide : new boolean[]{false, true}) {
            for (int[] range : new int[][]{{0, rows}, {3, rows - 5}}) {
                FloatBatch out = new FloatBatch(batch, rows);
                java.util.Arrays.fill(out.data(), Float.NaN);
                w.groupDots(wide, range[0], range[1], a, out, 0);
                for (int r = 0; r < rows; r++) {
                    for (int b = 0; b < batch; b++) {
                        String at = (wide ? "512" : "256") + "-bit rows " + range[0] + ".." + range[1] + " row " + r + " batch " + b;
                        if (r < range[0] || r >= range[1]) {
                            assertEquals(Float.NaN, out.get(b, r), 0f, at);
                        } else {
                            assertEquals(GgmlOrderKernelTest.repackedQ4K(seg, cols, r, a, b, b < batch - batch % 4), out.get(b, r), 0f, at);
                        }
                    }
                }
            }
        }
    }
}
