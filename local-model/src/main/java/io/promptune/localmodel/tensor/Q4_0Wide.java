package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
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
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    /** Lanes 0-7: 16-row vectors take group g's 8 lanes from a masked load and g+1's from a load 8 ints early, blended. */
    private static final VectorMask<Integer> LOW = VectorMask.fromLong(I16, 0xFF);
    private static final VectorMask<Short> LOW_S = VectorMask.fromLong(S16, 0xFF);
    /**
     * A nibble n at bits 16-19 ORed into 1.0f is the float 1 + n / 128: how every kernel here takes weights to floats
     * (a shift and an and-or per 16 values, no int-to-float conversion). For a block, S = sum((1 + n / 128) * a) =
     * A + N / 128 with A the block's activation sum ({@link Activations#blockSums}) and N = sum(n * a): every product
     * and partial sum is a multiple of 2^-7 below 2^13 in magnitude (|a| <= 127, as Q8_0 quantization keeps it), so S
     * is exact in any order, and 128 S - 136 A = N - 8 A is exactly the block's integer total of (q - 8) * a (one fma).
     */
    private static final int FIELD = 0x000F0000, ONE = 0x3F800000;

    private Q4_0Wide() { }

    /**
     * Group g of a 4-group panel whose groups end at g1, or a stand-in past the end (its results are not written): group
     * 1 or later, since the blended loads of a panel's second and fourth groups start 8 ints before the group's first
     * block (the kernels need matrices of 16+ rows).
     */
    private static int panel(int g, int g1) {
        return g < g1 ? g : Math.max(g1 - 1, 1);
    }

    /** Blocks per column chunk of {@link #floatTiles}: 32 weight rows x 8 blocks of floats = 32 KB, in L1 while the batch runs over it. */
    private static final int CHUNK_BLOCKS = 8;

    /** A thread's float tile chunk and its scales (from 64-byte aligned offsets), the batch's accumulators, row offsets. */
    private static final class Scratch {
        final float[] tile = new float[32 * 32 * CHUNK_BLOCKS + 16];
        final float[] scales = new float[32 * CHUNK_BLOCKS + 16];
        final int tileAt = HeapAlignment.firstAligned(tile, 64), scalesAt = HeapAlignment.firstAligned(scales, 64);
        final int[] xs = new int[8], ds = new int[8];
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
     * Batches from 8 rows on float FMAs: four 8-row groups (two 16-lane vectors) decoded to floats 1 + n / 128 chunk
     * by chunk of columns, then every activation row against them, eight per {@link #tile8} call (a last four or fewer
     * through {@link #tile4}): per block the exact integer total of (q - 8) * a ({@link #FIELD}), then
     * res = fma(total, d_w * d_a, res) in block order, llama.cpp's chain (as {@link Q4_0Matrix}'s tiles).
     */
    static void floatTiles(int[] nib, short[] hs, int nb, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        Scratch sc = SCRATCH.get();
        float[] tile = sc.tile, ts = sc.scales, q = a.q, ad = a.d, o = out.data();
        int rows8 = (a.rows + 7) & ~7, last = a.rows - 1, oc = out.cols(), t0 = sc.tileAt, s0 = sc.scalesAt;
        int[] xs = sc.xs, ds = sc.ds, as = a.blockSums();
        float[] res = sc.results(32 * rows8);
        int cols = a.cols, whole8 = a.rows & ~7;
        float[] x = sc.fours.of(a, whole8);
        int ro = sc.resultsAt;
        int g1 = (r1 + 7) >> 3;
        for (int g = r0 >> 3; g < g1; g += 4) {
            java.util.Arrays.fill(res, ro, ro + 32 * rows8, 0f);
            for (int k0 = 0; k0 < nb; k0 += CHUNK_BLOCKS) {
                int kn = Math.min(CHUNK_BLOCKS, nb - k0);
                decode(nib, hs, g * nb + k0, panel(g + 1, g1) * nb + k0, panel(g + 2, g1) * nb + k0, panel(g + 3, g1) * nb + k0,
                        kn, tile, t0, ts, s0);
                for (int b = 0; b < whole8; b += 8) {
                    for (int i = 0; i < 8; i++) ds[i] = a.blockOffset(b + i) + k0;
                    int ia = (b / 4 * cols + 32 * k0) * 4;
                    tile8(tile, t0, ts, s0, kn, x, ia, ia + 4 * cols, ad, as, ds, res, ro + 32 * b);
                }
                for (int b = whole8; b < a.rows; b += 4) {
                    for (int i = 0; i < 4; i++) {
                        int row = Math.min(b + i, last);
                        xs[i] = a.rowOffset(row) + 32 * k0;
                        ds[i] = a.blockOffset(row) + k0;
                    }
                    tile4(tile, t0, ts, s0, kn, q, xs[0], xs[1], xs[2], xs[3], ad, as, ds, res, ro + 32 * b);
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
     * Blocks 0..kn-1 of the four groups from qa..qd (their first block's index) as the floats 1 + n / 128 (nibble n;
     * {@link #registerTiles} explains the form and its exact totals): tile[((kk * 32 + j) * 2 + i / 2) * 16 + 8 * (i % 2) + l]
     * = value j of block kk of the panel's group i, row l; its scales (d_w) likewise. 512-bit vectors of 16 rows (two
     * groups, {@link #rows4}'s blended loads): a shift and an and-or per 16 values.
     */
    private static void decode(int[] nib, short[] hs, int qa, int qb, int qc, int qd, int kn, float[] tile, int t0, float[] ts, int s0) {
        for (int kk = 0; kk < kn; kk++) {
            for (int v = 0; v < 4; v++) {
                int u = 8 * v;
                IntVector ha = IntVector.fromArray(I16, nib, 32 * (qb + kk) + u - 8).blend(IntVector.fromArray(I16, nib, 32 * (qa + kk) + u, LOW), LOW);
                IntVector hb = IntVector.fromArray(I16, nib, 32 * (qd + kk) + u - 8).blend(IntVector.fromArray(I16, nib, 32 * (qc + kk) + u, LOW), LOW);
                IntVector la = ha.lanewise(VectorOperators.LSHL, 16), lb = hb.lanewise(VectorOperators.LSHL, 16);
                for (int j = 0; j < 4; j++) { // fields j (la, lb) and j + 4 (ha, hb): values 4v + (j >> 1) + 16 (j & 1) and 2 more
                    int t = t0 + (kk * 32 + 4 * v + (j >> 1) + 16 * (j & 1)) * 32;
                    la.and(FIELD).or(ONE).reinterpretAsFloats().intoArray(tile, t);
                    lb.and(FIELD).or(ONE).reinterpretAsFloats().intoArray(tile, t + 16);
                    ha.and(FIELD).or(ONE).reinterpretAsFloats().intoArray(tile, t + 64);
                    hb.and(FIELD).or(ONE).reinterpretAsFloats().intoArray(tile, t + 80);
                    la = la.lanewise(VectorOperators.LSHR, 4);
                    lb = lb.lanewise(VectorOperators.LSHR, 4);
                    ha = ha.lanewise(VectorOperators.LSHR, 4);
                    hb = hb.lanewise(VectorOperators.LSHR, 4);
                }
            }
            scales16(hs, qa + kk, qb + kk).mul(0x1p112f).intoArray(ts, s0 + kk * 32);
            scales16(hs, qc + kk, qd + kk).mul(0x1p112f).intoArray(ts, s0 + kk * 32 + 16);
        }
    }

    /** The half scales of blocks qa (lanes 0-7) and qb (8-15) as floats times 2^-112 ({@link Q4_0Matrix#HALF_BITS}). */
    private static FloatVector scales16(short[] hs, int qa, int qb) {
        return (FloatVector) ((IntVector) ShortVector.fromArray(S16, hs, 8 * qb - 8).blend(ShortVector.fromArray(S16, hs, 8 * qa, LOW_S), LOW_S)
                .convertShape(VectorOperators.S2I, I16, 0)).lanewise(VectorOperators.LSHL, 13).and(Q4_0Matrix.HALF_BITS).reinterpretAsFloats();
    }

    /**
     * Four activation rows (quantized values at x0..x3 of {@link Activations#q}, scales at d0..d3) against a decoded
     * chunk of 32 weight rows: res[r + 32i + lane] for row i, in block order.
     */
    private static void tile4(float[] tile, int t0, float[] ts, int s0, int kn, float[] q, int x0, int x1, int x2, int x3, float[] ad,
                              int[] as, int[] ds, float[] res, int r) {
        int d0 = ds[0], d1 = ds[1], d2 = ds[2], d3 = ds[3];
        for (int kk = 0; kk < kn; kk++) {
            FloatVector s00 = FloatVector.zero(FW), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            int xk = 32 * kk;
            for (int j = 0; j < 32; j++) {
                int t = t0 + (xk + j) * 32;
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
            FloatVector dw0 = FloatVector.fromArray(FW, ts, s0 + xk), dw1 = FloatVector.fromArray(FW, ts, s0 + xk + 16);
            float e0 = ad[d0 + kk], e1 = ad[d1 + kk], e2 = ad[d2 + kk], e3 = ad[d3 + kk];
            float m0 = -136f * as[d0 + kk], m1 = -136f * as[d1 + kk], m2 = -136f * as[d2 + kk], m3 = -136f * as[d3 + kk];
            s00.fma(128f, m0).fma(dw0.mul(e0), FloatVector.fromArray(FW, res, r)).intoArray(res, r);
            s01.fma(128f, m0).fma(dw1.mul(e0), FloatVector.fromArray(FW, res, r + 16)).intoArray(res, r + 16);
            s10.fma(128f, m1).fma(dw0.mul(e1), FloatVector.fromArray(FW, res, r + 32)).intoArray(res, r + 32);
            s11.fma(128f, m1).fma(dw1.mul(e1), FloatVector.fromArray(FW, res, r + 48)).intoArray(res, r + 48);
            s20.fma(128f, m2).fma(dw0.mul(e2), FloatVector.fromArray(FW, res, r + 64)).intoArray(res, r + 64);
            s21.fma(128f, m2).fma(dw1.mul(e2), FloatVector.fromArray(FW, res, r + 80)).intoArray(res, r + 80);
            s30.fma(128f, m3).fma(dw0.mul(e3), FloatVector.fromArray(FW, res, r + 96)).intoArray(res, r + 96);
            s31.fma(128f, m3).fma(dw1.mul(e3), FloatVector.fromArray(FW, res, r + 112)).intoArray(res, r + 112);
        }
    }

    /**
     * {@link #tile4} for eight activation rows, interleaved by {@link FourRows} (rows 0-3 from ia, 4-7 from ib, so the
     * broadcasts share two base registers), scales at ds[0..7]: 16 accumulators, 2 weight loads and 8 broadcasts per 16 FMAs.
     */
    private static void tile8(float[] tile, int t0, float[] ts, int s0, int kn, float[] x, int ia, int ib, float[] ad, int[] as, int[] ds, float[] res, int r) {
        for (int kk = 0; kk < kn; kk++) {
            FloatVector s00 = FloatVector.zero(FW), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            FloatVector s40 = s00, s41 = s00, s50 = s00, s51 = s00, s60 = s00, s61 = s00, s70 = s00, s71 = s00;
            int xk = 32 * kk;
            for (int j = 0; j < 32; j++) {
                int t = t0 + (xk + j) * 32, xa = ia + 4 * (xk + j), xb = ib + 4 * (xk + j);
                FloatVector w0 = FloatVector.fromArray(FW, tile, t), w1 = FloatVector.fromArray(FW, tile, t + 16);
                FloatVector a = FloatVector.broadcast(FW, x[xa]);
                s00 = w0.fma(a, s00);
                s01 = w1.fma(a, s01);
                a = FloatVector.broadcast(FW, x[xa + 1]);
                s10 = w0.fma(a, s10);
                s11 = w1.fma(a, s11);
                a = FloatVector.broadcast(FW, x[xa + 2]);
                s20 = w0.fma(a, s20);
                s21 = w1.fma(a, s21);
                a = FloatVector.broadcast(FW, x[xa + 3]);
                s30 = w0.fma(a, s30);
                s31 = w1.fma(a, s31);
                a = FloatVector.broadcast(FW, x[xb]);
                s40 = w0.fma(a, s40);
                s41 = w1.fma(a, s41);
                a = FloatVector.broadcast(FW, x[xb + 1]);
                s50 = w0.fma(a, s50);
                s51 = w1.fma(a, s51);
                a = FloatVector.broadcast(FW, x[xb + 2]);
                s60 = w0.fma(a, s60);
                s61 = w1.fma(a, s61);
                a = FloatVector.broadcast(FW, x[xb + 3]);
                s70 = w0.fma(a, s70);
                s71 = w1.fma(a, s71);
            }
            FloatVector dw0 = FloatVector.fromArray(FW, ts, s0 + xk), dw1 = FloatVector.fromArray(FW, ts, s0 + xk + 16);
            float e = ad[ds[0] + kk], m = -136f * as[ds[0] + kk];
            s00.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r)).intoArray(res, r);
            s01.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 16)).intoArray(res, r + 16);
            e = ad[ds[1] + kk];
            m = -136f * as[ds[1] + kk];
            s10.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 32)).intoArray(res, r + 32);
            s11.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 48)).intoArray(res, r + 48);
            e = ad[ds[2] + kk];
            m = -136f * as[ds[2] + kk];
            s20.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 64)).intoArray(res, r + 64);
            s21.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 80)).intoArray(res, r + 80);
            e = ad[ds[3] + kk];
            m = -136f * as[ds[3] + kk];
            s30.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 96)).intoArray(res, r + 96);
            s31.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 112)).intoArray(res, r + 112);
            e = ad[ds[4] + kk];
            m = -136f * as[ds[4] + kk];
            s40.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 128)).intoArray(res, r + 128);
            s41.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 144)).intoArray(res, r + 144);
            e = ad[ds[5] + kk];
            m = -136f * as[ds[5] + kk];
            s50.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 160)).intoArray(res, r + 160);
            s51.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 176)).intoArray(res, r + 176);
            e = ad[ds[6] + kk];
            m = -136f * as[ds[6] + kk];
            s60.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 192)).intoArray(res, r + 192);
            s61.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 208)).intoArray(res, r + 208);
            e = ad[ds[7] + kk];
            m = -136f * as[ds[7] + kk];
            s70.fma(128f, m).fma(dw0.mul(e), FloatVector.fromArray(FW, res, r + 224)).intoArray(res, r + 224);
            s71.fma(128f, m).fma(dw1.mul(e), FloatVector.fromArray(FW, res, r + 240)).intoArray(res, r + 240);
        }
    }

    /**
     * Batches of 4-7 rows with the weights decoded in registers, no tile in memory ({@link #rows4}): per block, each
     * weight int of 16 rows gives its 8 nibbles as the floats 1 + n / 128 ({@link #FIELD}: one shift and one and-or
     * per 16 values, shared by the four activation rows), then the exact block total and res = fma(total, d_w * d_a,
     * res) in block order, llama.cpp's chain. Against the 256-bit window products (a 16-bit multiply and an add per
     * 16 MACs per row) and the float tiles' decode to memory (which pays from 8 rows): lab, 8 matrices 5632x2048,
     * batch 4, 1 thread, GMAC/s: windows 22-24, this 31-32; batch 7 (two calls, one padded) 25 vs 31.
     */
    static void registerTiles(int[] nib, short[] hs, int nb, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        Scratch sc = SCRATCH.get();
        int rows4 = (a.rows + 3) & ~3, last = a.rows - 1, cols = a.cols, oc = out.cols(), g1 = (r1 + 7) >> 3;
        float[] x = sc.fours.of(a, rows4), ad = a.d, o = out.data(), res = sc.results(32 * rows4);
        int[] as = a.blockSums(), ds = sc.ds;
        int ro = sc.resultsAt;
        for (int g = r0 >> 3; g < g1; g += 4) {
            int qa = g * nb, qb = panel(g + 1, g1) * nb, qc = panel(g + 2, g1) * nb, qd = panel(g + 3, g1) * nb;
            java.util.Arrays.fill(res, ro, ro + 32 * rows4, 0f);
            for (int b = 0; b < a.rows; b += 4) {
                for (int i = 0; i < 4; i++) ds[i] = a.blockOffset(Math.min(b + i, last));
                rows4(nib, hs, nb, qa, qb, qc, qd, x, b * cols, as, ad, ds, res, ro + 32 * b);
            }
            int l0 = Math.max(0, r0 - 8 * g), l1 = Math.min(32, r1 - 8 * g);
            for (int b = 0; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g;
                for (int l = l0; l < l1; l++) o[ob + l] = res[ro + 32 * b + l];
            }
        }
    }

    /**
     * Four activation rows ({@link FourRows}-interleaved from ia; block offsets ds[0..3]) against 32 weight rows: the
     * first blocks of groups g..g+3 at qa..qd (16 rows per vector: qa, qb in one, qc, qd in the other), into
     * res[r + 32i + lane] for row i. Per weight int the low fields come from the vector shifted left by 16 and the
     * high ones from the vector itself, each moved down 4 bits per step (immediate shifts; a shift by 4j compiled to
     * a shift by register and ran 29 instead of 32 GMAC/s; all 8 fields written out made C1 give up, "out of virtual
     * registers", and the method stayed in slow code). Accumulators in registers across the block's 32 values.
     */
    private static void rows4(int[] nib, short[] hs, int nb, int qa, int qb, int qc, int qd, float[] x, int ia,
                              int[] as, float[] ad, int[] ds, float[] res, int r) {
        for (int k = 0; k < nb; k++) {
            FloatVector s00 = FloatVector.zero(FW), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            for (int v = 0; v < 4; v++) {
                int u = 8 * v;
                IntVector ha = IntVector.fromArray(I16, nib, 32 * (qb + k) + u - 8).blend(IntVector.fromArray(I16, nib, 32 * (qa + k) + u, LOW), LOW);
                IntVector hb = IntVector.fromArray(I16, nib, 32 * (qd + k) + u - 8).blend(IntVector.fromArray(I16, nib, 32 * (qc + k) + u, LOW), LOW);
                IntVector la = ha.lanewise(VectorOperators.LSHL, 16), lb = hb.lanewise(VectorOperators.LSHL, 16);
                for (int j = 0; j < 4; j++) {
                    int c = ia + 4 * (32 * k + 4 * v + (j >> 1) + 16 * (j & 1));
                    FloatVector fa = la.and(FIELD).or(ONE).reinterpretAsFloats();
                    FloatVector fb = lb.and(FIELD).or(ONE).reinterpretAsFloats();
                    FloatVector a;
                    a = FloatVector.broadcast(FW, x[c + 0]);
                    s00 = fa.fma(a, s00);
                    s01 = fb.fma(a, s01);
                    a = FloatVector.broadcast(FW, x[c + 1]);
                    s10 = fa.fma(a, s10);
                    s11 = fb.fma(a, s11);
                    a = FloatVector.broadcast(FW, x[c + 2]);
                    s20 = fa.fma(a, s20);
                    s21 = fb.fma(a, s21);
                    a = FloatVector.broadcast(FW, x[c + 3]);
                    s30 = fa.fma(a, s30);
                    s31 = fb.fma(a, s31);
                    fa = ha.and(FIELD).or(ONE).reinterpretAsFloats();
                    fb = hb.and(FIELD).or(ONE).reinterpretAsFloats();
                    a = FloatVector.broadcast(FW, x[c + 8]);
                    s00 = fa.fma(a, s00);
                    s01 = fb.fma(a, s01);
                    a = FloatVector.broadcast(FW, x[c + 9]);
                    s10 = fa.fma(a, s10);
                    s11 = fb.fma(a, s11);
                    a = FloatVector.broadcast(FW, x[c + 10]);
                    s20 = fa.fma(a, s20);
                    s21 = fb.fma(a, s21);
                    a = FloatVector.broadcast(FW, x[c + 11]);
                    s30 = fa.fma(a, s30);
                    s31 = fb.fma(a, s31);
                    la = la.lanewise(VectorOperators.LSHR, 4);
                    lb = lb.lanewise(VectorOperators.LSHR, 4);
                    ha = ha.lanewise(VectorOperators.LSHR, 4);
                    hb = hb.lanewise(VectorOperators.LSHR, 4);
                }
            }
            // scales16 written out: called here it cost a quarter of the speed (32 -> 23 GMAC/s)
            FloatVector dwa = (FloatVector) ((IntVector) ShortVector.fromArray(S16, hs, 8 * (qb + k) - 8).blend(ShortVector.fromArray(S16, hs, 8 * (qa + k), LOW_S), LOW_S)
                    .convertShape(VectorOperators.S2I, I16, 0)).lanewise(VectorOperators.LSHL, 13).and(Q4_0Matrix.HALF_BITS).reinterpretAsFloats();
            FloatVector dwb = (FloatVector) ((IntVector) ShortVector.fromArray(S16, hs, 8 * (qd + k) - 8).blend(ShortVector.fromArray(S16, hs, 8 * (qc + k), LOW_S), LOW_S)
                    .convertShape(VectorOperators.S2I, I16, 0)).lanewise(VectorOperators.LSHL, 13).and(Q4_0Matrix.HALF_BITS).reinterpretAsFloats();
            int d;
            float e, m;
            d = ds[0] + k;
            e = ad[d] * 0x1p112f;
            m = -136f * as[d];
            s00.fma(128f, m).fma(dwa.mul(e), FloatVector.fromArray(FW, res, r + 0)).intoArray(res, r + 0);
            s01.fma(128f, m).fma(dwb.mul(e), FloatVector.fromArray(FW, res, r + 16)).intoArray(res, r + 16);
            d = ds[1] + k;
            e = ad[d] * 0x1p112f;
            m = -136f * as[d];
            s10.fma(128f, m).fma(dwa.mul(e), FloatVector.fromArray(FW, res, r + 32)).intoArray(res, r + 32);
            s11.fma(128f, m).fma(dwb.mul(e), FloatVector.fromArray(FW, res, r + 48)).intoArray(res, r + 48);
            d = ds[2] + k;
            e = ad[d] * 0x1p112f;
            m = -136f * as[d];
            s20.fma(128f, m).fma(dwa.mul(e), FloatVector.fromArray(FW, res, r + 64)).intoArray(res, r + 64);
            s21.fma(128f, m).fma(dwb.mul(e), FloatVector.fromArray(FW, res, r + 80)).intoArray(res, r + 80);
            d = ds[3] + k;
            e = ad[d] * 0x1p112f;
            m = -136f * as[d];
            s30.fma(128f, m).fma(dwa.mul(e), FloatVector.fromArray(FW, res, r + 96)).intoArray(res, r + 96);
            s31.fma(128f, m).fma(dwb.mul(e), FloatVector.fromArray(FW, res, r + 112)).intoArray(res, r + 112);
        }
    }
}
