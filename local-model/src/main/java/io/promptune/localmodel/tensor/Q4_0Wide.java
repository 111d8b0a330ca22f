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
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    // Operands as vectors: the kernels call lanewise(op, vector) only, and store only its results (Q4_0Matrix#groupDot says why)
    private static final FloatVector NEG_ZERO8 = FloatVector.broadcast(F8, -0f), TIMES_2_112 = FloatVector.broadcast(F8, 0x1p112f);
    private static final IntVector LOW4 = IntVector.broadcast(I8, 15), EIGHT = IntVector.broadcast(I8, 8);
    private static final IntVector HALF_MASK = IntVector.broadcast(I8, Q4_0Matrix.HALF_BITS);

    private Q4_0Wide() { }

    /** Blocks per column chunk of {@link #floatTiles}: 32 weight rows x 8 blocks of floats = 32 KB, in L1 while the batch runs over it. */
    private static final int CHUNK_BLOCKS = 8;

    /** A thread's float tile chunk and its scales (from 64-byte aligned offsets), the batch's accumulators, row offsets. */
    private static final class Scratch {
        final float[] tile = new float[32 * 32 * CHUNK_BLOCKS + 16];
        final float[] scales = new float[32 * CHUNK_BLOCKS + 16];
        final int tileAt = HeapAlignment.firstAligned(tile, 64), scalesAt = HeapAlignment.firstAligned(scales, 64);
        final int[] xs = new int[8], ds = new int[8];
        /** The tile kernels' accumulators (16 vectors, from a 64-byte aligned offset). */
        final float[] acc = new float[256 + 16];
        final int accAt = HeapAlignment.firstAligned(acc, 64);
        final FourRows fours = new FourRows();
        float[] results = new float[16];
        int resultsAt;

        float[] results(int n) {
            if (results.length < n + 16) {
                results = new float[n + 16];
                resultsAt = HeapAlignment.firstAligned(results, 64);
            }
            return results;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Batches on float FMAs: four 8-row groups (two 16-lane vectors) decoded to floats (q - 8) chunk by chunk of
     * columns, then every activation row against them, eight per {@link #tile8} call (a last four or fewer through
     * {@link #tile4}): per block the exact integer total of (q - 8) * a as a float sum (every partial sum is an
     * integer below 2^24, so exact in any order), then res = fma(total, d_w * d_a, res) in block order, llama.cpp's
     * chain (as {@link Q4_0Matrix}'s tiles).
     */
    static void floatTiles(int[] nib, short[] hs, int nb, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        Scratch sc = SCRATCH.get();
        float[] tile = sc.tile, ts = sc.scales, q = a.q, ad = a.d, o = out.data();
        int rows8 = (a.rows + 7) & ~7, last = a.rows - 1, oc = out.cols(), t0 = sc.tileAt, s0 = sc.scalesAt;
        int[] xs = sc.xs, ds = sc.ds;
        float[] res = sc.results(32 * rows8);
        int cols = a.cols, whole8 = a.rows & ~7;
        float[] x = sc.fours.of(a, whole8);
        int ro = sc.resultsAt;
        int g1 = (r1 + 7) >> 3;
        for (int g = r0 >> 3; g < g1; g += 4) {
            java.util.Arrays.fill(res, ro, ro + 32 * rows8, 0f);
            for (int k0 = 0; k0 < nb; k0 += CHUNK_BLOCKS) {
                int kn = Math.min(CHUNK_BLOCKS, nb - k0);
                for (int i = 0; i < 4; i++) decode(nib, hs, Math.min(g + i, g1 - 1) * nb + k0, kn, i, tile, t0, ts, s0);
                for (int b = 0; b < whole8; b += 8) {
                    for (int i = 0; i < 8; i++) ds[i] = a.blockOffset(b + i) + k0;
                    int ia = (b / 4 * cols + 32 * k0) * 4;
                    tile8(tile, t0, ts, s0, kn, x, ia, ia + 4 * cols, ad, ds, res, ro + 32 * b);
                }
                for (int b = whole8; b < a.rows; b += 4) {
                    for (int i = 0; i < 4; i++) {
                        int row = Math.min(b + i, last);
                        xs[i] = a.rowOffset(row) + 32 * k0;
                        ds[i] = a.blockOffset(row) + k0;
                    }
                    tile4(tile, t0, ts, s0, kn, q, xs[0], xs[1], xs[2], xs[3], ad, ds[0], ds[1], ds[2], ds[3], res, ro + 32 * b);
                }
            }
            int l0 = Math.max(0, r0 - 8 * g), l1 = Math.min(32, r1 - 8 * g);
            for (int b = 0; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g;
                for (int l = l0; l < l1; l++) o[ob + l] = res[ro + 32 * b + l];
            }
        }
    }

    /**
     * Blocks q0..q0+kn-1 of one group (the panel's group i: vector i / 2, lanes 8 * (i % 2)..) as floats (q - 8):
     * tile[((kk * 32 + j) * 2 + i / 2) * 16 + 8 * (i % 2) + l] = value j of block kk of row l; its scales (d_w) likewise.
     */
    private static void decode(int[] nib, short[] hs, int q0, int kn, int i, float[] tile, int t0, float[] ts, int s0) {
        int lane = 16 * (i >> 1) + 8 * (i & 1);
        for (int kk = 0; kk < kn; kk++) {
            int q = q0 + kk;
            for (int v = 0; v < 4; v++) {
                IntVector w = IntVector.fromArray(I8, nib, 32 * q + 8 * v);
                for (int b = 0; b < 4; b++) {
                    int j = 4 * v + b;
                    NEG_ZERO8.lanewise(VectorOperators.ADD, (FloatVector) w.lanewise(VectorOperators.LSHR, 8 * b).lanewise(VectorOperators.AND, LOW4).lanewise(VectorOperators.SUB, EIGHT).convertShape(VectorOperators.I2F, F8, 0))
                            .intoArray(tile, t0 + (kk * 32 + j) * 32 + lane);
                    NEG_ZERO8.lanewise(VectorOperators.ADD, (FloatVector) w.lanewise(VectorOperators.LSHR, 8 * b + 4).lanewise(VectorOperators.AND, LOW4).lanewise(VectorOperators.SUB, EIGHT).convertShape(VectorOperators.I2F, F8, 0))
                            .intoArray(tile, t0 + (kk * 32 + j + 16) * 32 + lane);
                }
            }
            // the half scales as floats times 2^-112 (Q4_0Matrix.HALF_BITS explains how), times 2^112
            ((FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I8, 0))
                    .lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, HALF_MASK).reinterpretShape(F8, 0)).lanewise(VectorOperators.MUL, TIMES_2_112).intoArray(ts, s0 + kk * 32 + lane);
        }
    }

    /**
     * Four activation rows (quantized values at x0..x3 of {@link Activations#q}, scales at d0..d3) against a decoded
     * chunk of 32 weight rows: res[r + 32i + lane] for row i, in block order.
     */
    private static void tile4(float[] tile, int t0, float[] ts, int s0, int kn, float[] q, int x0, int x1, int x2, int x3, float[] ad,
                              int d0, int d1, int d2, int d3, float[] res, int r) {
        for (int kk = 0; kk < kn; kk++) {
            FloatVector s00 = FloatVector.zero(FW), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            int xk = 32 * kk;
            for (int j = 0; j < 31; j++) {
                int t = t0 + (xk + j) * 32;
                FloatVector w0 = FloatVector.fromArray(FW, tile, t), w1 = FloatVector.fromArray(FW, tile, t + 16);
                FloatVector a0 = FloatVector.broadcast(FW, q[x0 + xk + j]);
                s00 = w0.lanewise(VectorOperators.FMA, a0, s00);
                s01 = w1.lanewise(VectorOperators.FMA, a0, s01);
                FloatVector a1 = FloatVector.broadcast(FW, q[x1 + xk + j]);
                s10 = w0.lanewise(VectorOperators.FMA, a1, s10);
                s11 = w1.lanewise(VectorOperators.FMA, a1, s11);
                FloatVector a2 = FloatVector.broadcast(FW, q[x2 + xk + j]);
                s20 = w0.lanewise(VectorOperators.FMA, a2, s20);
                s21 = w1.lanewise(VectorOperators.FMA, a2, s21);
                FloatVector a3 = FloatVector.broadcast(FW, q[x3 + xk + j]);
                s30 = w0.lanewise(VectorOperators.FMA, a3, s30);
                s31 = w1.lanewise(VectorOperators.FMA, a3, s31);
            }
            {
                // the last column out of the loop: the sums below are then fma results, not loop-carried vectors
                int j = 31;
                int t = t0 + (xk + j) * 32;
                FloatVector w0 = FloatVector.fromArray(FW, tile, t), w1 = FloatVector.fromArray(FW, tile, t + 16);
                FloatVector a0 = FloatVector.broadcast(FW, q[x0 + xk + j]);
                s00 = w0.lanewise(VectorOperators.FMA, a0, s00);
                s01 = w1.lanewise(VectorOperators.FMA, a0, s01);
                FloatVector a1 = FloatVector.broadcast(FW, q[x1 + xk + j]);
                s10 = w0.lanewise(VectorOperators.FMA, a1, s10);
                s11 = w1.lanewise(VectorOperators.FMA, a1, s11);
                FloatVector a2 = FloatVector.broadcast(FW, q[x2 + xk + j]);
                s20 = w0.lanewise(VectorOperators.FMA, a2, s20);
                s21 = w1.lanewise(VectorOperators.FMA, a2, s21);
                FloatVector a3 = FloatVector.broadcast(FW, q[x3 + xk + j]);
                s30 = w0.lanewise(VectorOperators.FMA, a3, s30);
                s31 = w1.lanewise(VectorOperators.FMA, a3, s31);
            }
            FloatVector dw0 = FloatVector.fromArray(FW, ts, s0 + xk), dw1 = FloatVector.fromArray(FW, ts, s0 + xk + 16);
            FloatVector e0 = FloatVector.broadcast(FW, ad[d0 + kk]), e1 = FloatVector.broadcast(FW, ad[d1 + kk]), e2 = FloatVector.broadcast(FW, ad[d2 + kk]), e3 = FloatVector.broadcast(FW, ad[d3 + kk]);
            dw0.lanewise(VectorOperators.MUL, e0).lanewise(VectorOperators.FMA, s00, FloatVector.fromArray(FW, res, r)).intoArray(res, r);
            dw1.lanewise(VectorOperators.MUL, e0).lanewise(VectorOperators.FMA, s01, FloatVector.fromArray(FW, res, r + 16)).intoArray(res, r + 16);
            dw0.lanewise(VectorOperators.MUL, e1).lanewise(VectorOperators.FMA, s10, FloatVector.fromArray(FW, res, r + 32)).intoArray(res, r + 32);
            dw1.lanewise(VectorOperators.MUL, e1).lanewise(VectorOperators.FMA, s11, FloatVector.fromArray(FW, res, r + 48)).intoArray(res, r + 48);
            dw0.lanewise(VectorOperators.MUL, e2).lanewise(VectorOperators.FMA, s20, FloatVector.fromArray(FW, res, r + 64)).intoArray(res, r + 64);
            dw1.lanewise(VectorOperators.MUL, e2).lanewise(VectorOperators.FMA, s21, FloatVector.fromArray(FW, res, r + 80)).intoArray(res, r + 80);
            dw0.lanewise(VectorOperators.MUL, e3).lanewise(VectorOperators.FMA, s30, FloatVector.fromArray(FW, res, r + 96)).intoArray(res, r + 96);
            dw1.lanewise(VectorOperators.MUL, e3).lanewise(VectorOperators.FMA, s31, FloatVector.fromArray(FW, res, r + 112)).intoArray(res, r + 112);
        }
    }

    /**
     * {@link #tile4} for eight activation rows, interleaved by {@link FourRows} (rows 0-3 from ia, 4-7 from ib, so the
     * broadcasts share two base registers), scales at ds[0..7]: 16 accumulators, 2 weight loads and 8 broadcasts per 16 FMAs.
     * <p>Shaped to compile without boxed vectors under {@code -XX:-UseTypeSpeculation} (KernelAllocationTest; {@code
     * Q4_0Matrix.groupDot} says why): {@code lanewise(op, vector)} only, and the block's last column out of the loop,
     * so the totals' fmas take fresh fma results rather than the loop-carried sums (with the loop-carried ones the
     * last totals' fma intrinsics failed and ran the JDK's Java fallback: 10 MB per token on TinyLlama). Sums in an
     * array instead (load, 4 fmas, store per 4 columns) ran 35% slower; the totals in a helper over stored sums, 10%.
     */
    private static void tile8(float[] tile, int t0, float[] ts, int s0, int kn, float[] x, int ia, int ib, float[] ad, int[] ds, float[] res, int r) {
        for (int kk = 0; kk < kn; kk++) {
            FloatVector s00 = FloatVector.zero(FW), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            FloatVector s40 = s00, s41 = s00, s50 = s00, s51 = s00, s60 = s00, s61 = s00, s70 = s00, s71 = s00;
            int xk = 32 * kk;
            for (int j = 0; j < 31; j++) {
                int t = t0 + (xk + j) * 32, xa = ia + 4 * (xk + j), xb = ib + 4 * (xk + j);
                FloatVector w0 = FloatVector.fromArray(FW, tile, t), w1 = FloatVector.fromArray(FW, tile, t + 16);
                FloatVector a = FloatVector.broadcast(FW, x[xa]);
                s00 = w0.lanewise(VectorOperators.FMA, a, s00);
                s01 = w1.lanewise(VectorOperators.FMA, a, s01);
                a = FloatVector.broadcast(FW, x[xa + 1]);
                s10 = w0.lanewise(VectorOperators.FMA, a, s10);
                s11 = w1.lanewise(VectorOperators.FMA, a, s11);
                a = FloatVector.broadcast(FW, x[xa + 2]);
                s20 = w0.lanewise(VectorOperators.FMA, a, s20);
                s21 = w1.lanewise(VectorOperators.FMA, a, s21);
                a = FloatVector.broadcast(FW, x[xa + 3]);
                s30 = w0.lanewise(VectorOperators.FMA, a, s30);
                s31 = w1.lanewise(VectorOperators.FMA, a, s31);
                a = FloatVector.broadcast(FW, x[xb]);
                s40 = w0.lanewise(VectorOperators.FMA, a, s40);
                s41 = w1.lanewise(VectorOperators.FMA, a, s41);
                a = FloatVector.broadcast(FW, x[xb + 1]);
                s50 = w0.lanewise(VectorOperators.FMA, a, s50);
                s51 = w1.lanewise(VectorOperators.FMA, a, s51);
                a = FloatVector.broadcast(FW, x[xb + 2]);
                s60 = w0.lanewise(VectorOperators.FMA, a, s60);
                s61 = w1.lanewise(VectorOperators.FMA, a, s61);
                a = FloatVector.broadcast(FW, x[xb + 3]);
                s70 = w0.lanewise(VectorOperators.FMA, a, s70);
                s71 = w1.lanewise(VectorOperators.FMA, a, s71);
            }
            {
                // the last column out of the loop: the sums below are then fma results, not loop-carried vectors
                int j = 31;
                int t = t0 + (xk + j) * 32, xa = ia + 4 * (xk + j), xb = ib + 4 * (xk + j);
                FloatVector w0 = FloatVector.fromArray(FW, tile, t), w1 = FloatVector.fromArray(FW, tile, t + 16);
                FloatVector a = FloatVector.broadcast(FW, x[xa]);
                s00 = w0.lanewise(VectorOperators.FMA, a, s00);
                s01 = w1.lanewise(VectorOperators.FMA, a, s01);
                a = FloatVector.broadcast(FW, x[xa + 1]);
                s10 = w0.lanewise(VectorOperators.FMA, a, s10);
                s11 = w1.lanewise(VectorOperators.FMA, a, s11);
                a = FloatVector.broadcast(FW, x[xa + 2]);
                s20 = w0.lanewise(VectorOperators.FMA, a, s20);
                s21 = w1.lanewise(VectorOperators.FMA, a, s21);
                a = FloatVector.broadcast(FW, x[xa + 3]);
                s30 = w0.lanewise(VectorOperators.FMA, a, s30);
                s31 = w1.lanewise(VectorOperators.FMA, a, s31);
                a = FloatVector.broadcast(FW, x[xb]);
                s40 = w0.lanewise(VectorOperators.FMA, a, s40);
                s41 = w1.lanewise(VectorOperators.FMA, a, s41);
                a = FloatVector.broadcast(FW, x[xb + 1]);
                s50 = w0.lanewise(VectorOperators.FMA, a, s50);
                s51 = w1.lanewise(VectorOperators.FMA, a, s51);
                a = FloatVector.broadcast(FW, x[xb + 2]);
                s60 = w0.lanewise(VectorOperators.FMA, a, s60);
                s61 = w1.lanewise(VectorOperators.FMA, a, s61);
                a = FloatVector.broadcast(FW, x[xb + 3]);
                s70 = w0.lanewise(VectorOperators.FMA, a, s70);
                s71 = w1.lanewise(VectorOperators.FMA, a, s71);
            }
            FloatVector dw0 = FloatVector.fromArray(FW, ts, s0 + xk), dw1 = FloatVector.fromArray(FW, ts, s0 + xk + 16);
            FloatVector e = FloatVector.broadcast(FW, ad[ds[0] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s00, FloatVector.fromArray(FW, res, r)).intoArray(res, r);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s01, FloatVector.fromArray(FW, res, r + 16)).intoArray(res, r + 16);
            e = FloatVector.broadcast(FW, ad[ds[1] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s10, FloatVector.fromArray(FW, res, r + 32)).intoArray(res, r + 32);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s11, FloatVector.fromArray(FW, res, r + 48)).intoArray(res, r + 48);
            e = FloatVector.broadcast(FW, ad[ds[2] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s20, FloatVector.fromArray(FW, res, r + 64)).intoArray(res, r + 64);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s21, FloatVector.fromArray(FW, res, r + 80)).intoArray(res, r + 80);
            e = FloatVector.broadcast(FW, ad[ds[3] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s30, FloatVector.fromArray(FW, res, r + 96)).intoArray(res, r + 96);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s31, FloatVector.fromArray(FW, res, r + 112)).intoArray(res, r + 112);
            e = FloatVector.broadcast(FW, ad[ds[4] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s40, FloatVector.fromArray(FW, res, r + 128)).intoArray(res, r + 128);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s41, FloatVector.fromArray(FW, res, r + 144)).intoArray(res, r + 144);
            e = FloatVector.broadcast(FW, ad[ds[5] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s50, FloatVector.fromArray(FW, res, r + 160)).intoArray(res, r + 160);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s51, FloatVector.fromArray(FW, res, r + 176)).intoArray(res, r + 176);
            e = FloatVector.broadcast(FW, ad[ds[6] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s60, FloatVector.fromArray(FW, res, r + 192)).intoArray(res, r + 192);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s61, FloatVector.fromArray(FW, res, r + 208)).intoArray(res, r + 208);
            e = FloatVector.broadcast(FW, ad[ds[7] + kk]);
            dw0.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s70, FloatVector.fromArray(FW, res, r + 224)).intoArray(res, r + 224);
            dw1.lanewise(VectorOperators.MUL, e).lanewise(VectorOperators.FMA, s71, FloatVector.fromArray(FW, res, r + 240)).intoArray(res, r + 240);
        }
    }
}
