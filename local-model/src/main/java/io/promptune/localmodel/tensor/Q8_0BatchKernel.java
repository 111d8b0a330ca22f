package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 weights times a batch of Q8_0 activation rows (prefill, larger batched decodes) with float FMAs on
 * exact integers, an SGEMM-style micro-kernel: two weight rows are widened once into integer-valued floats
 * ({@link Activations#quads} order: vector v of a block holds element 4j + v in lane j) and then meet
 * every activation row, two at a time, so each loaded vector feeds two products. int8 x int8 products and
 * sums of four are exact in float, so lane j of {@code w0*a0 + w1*a1 + w2*a2 + w3*a3} is exactly ggml's
 * quad sum of elements 4j..4j+3 whatever the order; then {@code fma(d_w * d_a, quad, acc)} per block in
 * block order and hsum_float_8, as tinyBLAS_Q0_AVX (and ggml_vec_dot_q8_0_q8_0): bit-identical to
 * {@link Q8_0Matrix#dot}.
 *
 * <p>Why floats: the Vector API has no vpmaddubsw/vpmaddwd, and the int16 formulation costs ~12-14 vector
 * ops per (weight row, activation row, block) where this one costs 4 multiply/FMAs plus the scaled FMA.
 * The block scale products d_w * d_a of a 2x2 tile are computed 8 blocks per vector multiply before the
 * tile's loop, which then broadcasts them from memory. Rows are widened a panel at a time (at most
 * {@link #PANEL_FLOATS}, L2-sized) and each activation pair passes over the whole panel while it is in L1:
 * re-reading the batch's float activations from L3 for every row pair cost most of the gain.
 */
final class Q8_0BatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    private Q8_0BatchKernel() { }

    /** A thread's widened row pair and a tile's scale products, kept between calls. */
    private static final class Scratch {
        float[] wq = new float[0], wd = new float[0], sc = new float[0];

        Scratch fit(int nb, int pairs) {
            if (wd.length < 2 * nb * pairs) {
                wq = new float[64 * nb * pairs];
                wd = new float[2 * nb * pairs];
            }
            if (sc.length < 4 * nb) sc = new float[4 * nb];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Widened weights kept per thread at most (floats): the panel stays in L2 while activation pairs pass over it. */
    private static final int PANEL_FLOATS = 32 * 1024;

    /** {@code out[b][outCol0 + r] = dot(r, a, b)} for rows [r0, r1) and every activation row b. */
    static void dotRows(Q8_0Matrix w, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int nb = w.cols() / 32, oc = out.cols(), rows = a.rows;
        int pairs = Math.max(1, PANEL_FLOATS / (64 * nb)); // row pairs per panel
        Scratch s = SCRATCH.get().fit(nb, pairs);
        float[] wq = s.wq, wd = s.wd, sc = s.sc, x = a.quads, ad = a.d, o = out.data();
        for (int p0 = r0; p0 < r1; p0 += 2 * pairs) {
            int p1 = Math.min(r1, p0 + 2 * pairs);
            for (int r = p0, i = 0; r < p1; r += 2, i++) w.widenPair(r, r + 1 < p1 ? r + 1 : r, wq, 64 * nb * i, wd, 2 * nb * i);
            int b = 0;
            for (; b + 2 <= rows; b += 2) {
                int xa = a.rowOffset(b), da = a.blockOffset(b);
                for (int r = p0, i = 0; r < p1; r += 2, i++) {
                    scaleProducts(wd, 2 * nb * i, ad, da, da + nb, nb, sc);
                    twoByTwo(wq, 64 * nb * i, sc, nb, x, xa, xa + nb * 32, o, b * oc + outCol0 + r, oc, r + 1 < p1);
                }
            }
            if (b < rows) {
                int xa = a.rowOffset(b), da = a.blockOffset(b);
                for (int r = p0, i = 0; r < p1; r += 2, i++) {
                    twoByOne(wq, 64 * nb * i, wd, 2 * nb * i, nb, x, xa, ad, da, o, b * oc + outCol0 + r, r + 1 < p1);
                }
            }
        }
    }

    /** sc[i * 2nb + j * nb + k] = wd[i * nb + k] * ad[act j's block k]: the tile's d_w * d_a, each rounded once as in ggml. */
    private static void scaleProducts(float[] wd, int wo, float[] ad, int da, int db, int nb, float[] sc) {
        int k = 0;
        for (int n = F.loopBound(nb); k < n; k += F.length()) {
            FloatVector d0 = FloatVector.fromArray(F, wd, wo + k), d1 = FloatVector.fromArray(F, wd, wo + nb + k);
            FloatVector e0 = FloatVector.fromArray(F, ad, da + k), e1 = FloatVector.fromArray(F, ad, db + k);
            d0.mul(e0).intoArray(sc, k);
            d0.mul(e1).intoArray(sc, nb + k);
            d1.mul(e0).intoArray(sc, 2 * nb + k);
            d1.mul(e1).intoArray(sc, 3 * nb + k);
        }
        for (; k < nb; k++) {
            sc[k] = wd[wo + k] * ad[da + k];
            sc[nb + k] = wd[wo + k] * ad[db + k];
            sc[2 * nb + k] = wd[wo + nb + k] * ad[da + k];
            sc[3 * nb + k] = wd[wo + nb + k] * ad[db + k];
        }
    }

    /**
     * The widened pair (row 0 at wq[64k], row 1 at wq[64k + 32]) times activation rows xa and xb (quads
     * layout). Writes o[oa] (row 0, act a), o[oa + 1] (row 1, act a), o[oa + oc], o[oa + oc + 1] (act b);
     * the row-1 outputs only when {@code two}.
     */
    private static void twoByTwo(float[] wq, int wo, float[] sc, int nb, float[] x, int xa, int xb, float[] o, int oa, int oc, boolean two) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
        for (int k = 0; k < nb; k++) {
            int w = wo + 64 * k, x0 = xa + 32 * k, x1 = xb + 32 * k;
            FloatVector w0 = FloatVector.fromArray(F, wq, w), w1 = FloatVector.fromArray(F, wq, w + 32);
            FloatVector a0 = FloatVector.fromArray(F, x, x0), a1 = FloatVector.fromArray(F, x, x1);
            FloatVector q00 = w0.mul(a0), q01 = w0.mul(a1), q10 = w1.mul(a0), q11 = w1.mul(a1);
            for (int t = 8; t < 32; t += 8) { // a loop: C2 schedules it better than the same code unrolled by hand
                w0 = FloatVector.fromArray(F, wq, w + t);
                w1 = FloatVector.fromArray(F, wq, w + 32 + t);
                a0 = FloatVector.fromArray(F, x, x0 + t);
                a1 = FloatVector.fromArray(F, x, x1 + t);
                q00 = w0.fma(a0, q00); q01 = w0.fma(a1, q01); q10 = w1.fma(a0, q10); q11 = w1.fma(a1, q11);
            }
            c00 = q00.fma(FloatVector.broadcast(F, sc[k]), c00);
            c01 = q01.fma(FloatVector.broadcast(F, sc[nb + k]), c01);
            c10 = q10.fma(FloatVector.broadcast(F, sc[2 * nb + k]), c10);
            c11 = q11.fma(FloatVector.broadcast(F, sc[3 * nb + k]), c11);
        }
        o[oa] = GgmlSums.hsum8(c00);
        o[oa + oc] = GgmlSums.hsum8(c01);
        if (two) {
            o[oa + 1] = GgmlSums.hsum8(c10);
            o[oa + oc + 1] = GgmlSums.hsum8(c11);
        }
    }

    /** The widened pair times one activation row (a batch's odd last row): o[oa], and o[oa + 1] when {@code two}. */
    private static void twoByOne(float[] wq, int wo, float[] wd, int so, int nb, float[] x, int xa, float[] ad, int da, float[] o, int oa, boolean two) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0;
        for (int k = 0; k < nb; k++) {
            int w = wo + 64 * k, x0 = xa + 32 * k;
            FloatVector a = FloatVector.fromArray(F, x, x0);
            FloatVector q0 = FloatVector.fromArray(F, wq, w).mul(a), q1 = FloatVector.fromArray(F, wq, w + 32).mul(a);
            for (int t = 8; t < 32; t += 8) {
                a = FloatVector.fromArray(F, x, x0 + t);
                q0 = FloatVector.fromArray(F, wq, w + t).fma(a, q0);
                q1 = FloatVector.fromArray(F, wq, w + 32 + t).fma(a, q1);
            }
            float e = ad[da + k];
            c0 = q0.fma(FloatVector.broadcast(F, wd[so + k] * e), c0);
            c1 = q1.fma(FloatVector.broadcast(F, wd[so + nb + k] * e), c1);
        }
        o[oa] = GgmlSums.hsum8(c0);
        if (two) o[oa + 1] = GgmlSums.hsum8(c1);
    }
}
