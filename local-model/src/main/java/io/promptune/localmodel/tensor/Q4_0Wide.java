package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Q4_0Matrix}'s 512-bit kernel for large batches (prompts) over its heap copy, on AVX-512 machines
 * ({@link VectorWidth#WIDE}): float FMAs on 16 lanes, two per cycle on such cores (a lab loop of independent 512-bit
 * FMAs ran 91 GMAC/s per core, 256-bit ones 48), where the 16-bit multiplies of the 256-bit kernels gain nothing from
 * 512 bits (on Intel cores a 512-bit vpmullw or shift issues on one port, a 256-bit one on two). Results are exactly
 * the 256-bit kernels': per (weight row, activation row) the exact block totals and llama.cpp's fma chain.
 */
final class Q4_0Wide {
    private static final VectorSpecies<Float> FW = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    /** As {@link Q4_0Matrix}'s: a half sign-extended and shifted left by 13, masked, is the float d * 2^-112. */
    private static final int HALF_BITS = 0x8FFFE000;

    private Q4_0Wide() { }

    /** The half scales of block q (8 rows) as floats times 2^-112. */
    private static FloatVector scales(short[] hs, int q) {
        return (FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I8, 0))
                .lanewise(VectorOperators.LSHL, 13).and(HALF_BITS).reinterpretAsFloats();
    }

    /** Blocks per column chunk of {@link #floatTiles}: 32 weight rows x 8 blocks of floats = 32 KB, in L1 while the batch runs over it. */
    private static final int CHUNK_BLOCKS = 8;

    /** A thread's float tile chunk, its scales and the batch's accumulators ({@link #floatTiles}). */
    private static final class Scratch {
        final float[] tile = new float[32 * 32 * CHUNK_BLOCKS];
        final float[] scales = new float[32 * CHUNK_BLOCKS];
        float[] results = new float[0];

        float[] results(int n) {
            if (results.length < n) results = new float[n];
            return results;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Batches on float FMAs: four 8-row groups (two 16-lane vectors) decoded to floats (q - 8) chunk by chunk of
     * columns, then every activation row against them, four per {@link #tile4} call: per block the exact integer total
     * of (q - 8) * a as a float sum (every partial sum is an integer below 2^24, so exact in any order), then
     * res = fma(total, d_w * d_a, res) in block order, llama.cpp's chain (as {@link Q4_0Matrix}'s tiles).
     */
    static void floatTiles(int[] nib, short[] hs, int nb, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        Scratch sc = SCRATCH.get();
        float[] tile = sc.tile, ts = sc.scales, q = a.q, ad = a.d, o = out.data();
        int rows4 = (a.rows + 3) & ~3, last = a.rows - 1, oc = out.cols();
        float[] res = sc.results(32 * rows4);
        int g1 = (r1 + 7) >> 3;
        for (int g = r0 >> 3; g < g1; g += 4) {
            java.util.Arrays.fill(res, 0, 32 * rows4, 0f);
            for (int k0 = 0; k0 < nb; k0 += CHUNK_BLOCKS) {
                int kn = Math.min(CHUNK_BLOCKS, nb - k0);
                for (int i = 0; i < 4; i++) decode(nib, hs, Math.min(g + i, g1 - 1) * nb + k0, kn, i, tile, ts);
                for (int b = 0; b < a.rows; b += 4) {
                    int b1 = Math.min(b + 1, last), b2 = Math.min(b + 2, last), b3 = Math.min(b + 3, last);
                    tile4(tile, ts, kn, q, a.rowOffset(b) + 32 * k0, a.rowOffset(b1) + 32 * k0, a.rowOffset(b2) + 32 * k0,
                            a.rowOffset(b3) + 32 * k0, ad, a.blockOffset(b) + k0, a.blockOffset(b1) + k0, a.blockOffset(b2) + k0,
                            a.blockOffset(b3) + k0, res, 32 * b);
                }
            }
            int l0 = Math.max(0, r0 - 8 * g), l1 = Math.min(32, r1 - 8 * g);
            for (int b = 0; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g;
                for (int l = l0; l < l1; l++) o[ob + l] = res[32 * b + l];
            }
        }
    }

    /**
     * Blocks q0..q0+kn-1 of one group (the panel's group i: vector i / 2, lanes 8 * (i % 2)..) as floats (q - 8):
     * tile[((kk * 32 + j) * 2 + i / 2) * 16 + 8 * (i % 2) + l] = value j of block kk of row l; its scales (d_w) likewise.
     */
    private static void decode(int[] nib, short[] hs, int q0, int kn, int i, float[] tile, float[] ts) {
        int lane = 16 * (i >> 1) + 8 * (i & 1);
        for (int kk = 0; kk < kn; kk++) {
            int q = q0 + kk;
            for (int v = 0; v < 4; v++) {
                IntVector w = IntVector.fromArray(I8, nib, 32 * q + 8 * v);
                for (int b = 0; b < 4; b++) {
                    int j = 4 * v + b;
                    ((FloatVector) w.lanewise(VectorOperators.LSHR, 8 * b).and(15).sub(8).convert(VectorOperators.I2F, 0))
                            .intoArray(tile, (kk * 32 + j) * 32 + lane);
                    ((FloatVector) w.lanewise(VectorOperators.LSHR, 8 * b + 4).and(15).sub(8).convert(VectorOperators.I2F, 0))
                            .intoArray(tile, (kk * 32 + j + 16) * 32 + lane);
                }
            }
            scales(hs, q).mul(0x1p112f).intoArray(ts, kk * 32 + lane);
        }
    }

    /**
     * Four activation rows (quantized values at x0..x3 of {@link Activations#q}, scales at d0..d3) against a decoded
     * chunk of 32 weight rows: res[r + 32i + lane] for row i, in block order.
     */
    private static void tile4(float[] tile, float[] ts, int kn, float[] q, int x0, int x1, int x2, int x3, float[] ad,
                              int d0, int d1, int d2, int d3, float[] res, int r) {
        for (int kk = 0; kk < kn; kk++) {
            FloatVector s00 = FloatVector.zero(FW), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            int xk = 32 * kk;
            for (int j = 0; j < 32; j++) {
                int t = (xk + j) * 32;
                FloatVector w0 = FloatVector.fromArray(FW, tile, t), w1 = FloatVector.fromArray(FW, tile, t + 16);
                FloatVector a0 = FloatVector.broadcast(FW, q[x0 + xk + j]);
                s00 = w0.fma(a0, s00);
                s01 = w1.fma(a0, s01);
                FloatVector a1 = FloatVector.broadcast(FW, q[x1 + xk + j]);
                s10 = w0.fma(a1, s10);
                s11 = w1.fma(a1, s11);
                FloatVector a2 = FloatVector.broadcast(FW, q[x2 + xk + j]);
                s20 = w0.fma(a2, s20);
                s21 = w1.fma(a2, s21);
                FloatVector a3 = FloatVector.broadcast(FW, q[x3 + xk + j]);
                s30 = w0.fma(a3, s30);
                s31 = w1.fma(a3, s31);
            }
            FloatVector dw0 = FloatVector.fromArray(FW, ts, xk), dw1 = FloatVector.fromArray(FW, ts, xk + 16);
            float e0 = ad[d0 + kk], e1 = ad[d1 + kk], e2 = ad[d2 + kk], e3 = ad[d3 + kk];
            s00.fma(dw0.mul(e0), FloatVector.fromArray(FW, res, r)).intoArray(res, r);
            s01.fma(dw1.mul(e0), FloatVector.fromArray(FW, res, r + 16)).intoArray(res, r + 16);
            s10.fma(dw0.mul(e1), FloatVector.fromArray(FW, res, r + 32)).intoArray(res, r + 32);
            s11.fma(dw1.mul(e1), FloatVector.fromArray(FW, res, r + 48)).intoArray(res, r + 48);
            s20.fma(dw0.mul(e2), FloatVector.fromArray(FW, res, r + 64)).intoArray(res, r + 64);
            s21.fma(dw1.mul(e2), FloatVector.fromArray(FW, res, r + 80)).intoArray(res, r + 80);
            s30.fma(dw0.mul(e3), FloatVector.fromArray(FW, res, r + 96)).intoArray(res, r + 96);
            s31.fma(dw1.mul(e3), FloatVector.fromArray(FW, res, r + 112)).intoArray(res, r + 112);
        }
    }
}
