package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 weights times a batch of Q8_0 activation rows (prefill, batched decode), in the order llama.cpp
 * uses there: on x86 it does not repack Q8_0, and llamafile's tinyBLAS_Q0_AVX (taken for two or more
 * activation rows) keeps per output 8 float lanes, lane j accumulating fma(exact sum of block k's
 * elements 4j..4j+3, d_w * d_a, acc) in block order, then hsum - the same order as ggml_vec_dot_q8_0_q8_0,
 * so results equal {@link Q8_0Matrix#dot} bit for bit.
 *
 * <p>A tile of weight rows is widened once into integer-valued floats ({@link Activations#quads} order)
 * and kept in cache while every activation row passes over it; the inner kernel takes two weight rows
 * times two activation rows, so each loaded vector feeds two products. Products and quad sums are exact
 * integers in float lanes, so their order inside a block does not matter.
 */
final class Q8_0BatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Weight rows widened at a time: big enough to reuse each activation row, small enough to stay in L2. */
    private static final int TILE = 8;

    private Q8_0BatchKernel() { }

    /** A thread's widened tile, kept between calls. */
    private static final class Scratch {
        float[] wq = new float[0], wd = new float[0];

        Scratch fit(int cols) {
            if (wq.length < TILE * cols) {
                wq = new float[TILE * cols];
                wd = new float[TILE * (cols / 32)];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void dotRows(Q8_0Matrix w, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int cols = w.cols(), nb = cols / 32, oc = out.cols(), rows = a.rows;
        Scratch s = SCRATCH.get().fit(cols);
        float[] wq = s.wq, wd = s.wd, x = a.quads, ad = a.d, o = out.data();
        for (int t0 = r0; t0 < r1; t0 += TILE) {
            int n = Math.min(TILE, r1 - t0);
            for (int i = 0; i < n; i++) w.widenRow(t0 + i, wq, i * cols, wd, i * nb);
            int b = 0;
            for (; b + 2 <= rows; b += 2) {
                int xa = a.rowOffset(b), xb = xa + cols, da = a.blockOffset(b), db = da + nb;
                int oa = b * oc + outCol0 + t0, ob = oa + oc;
                int i = 0;
                for (; i + 2 <= n; i += 2) {
                    twoByTwo(wq, i * cols, wd, i * nb, cols, nb, x, xa, xb, ad, da, db, o, oa + i, ob + i);
                }
                if (i < n) {
                    o[oa + i] = one(wq, i * cols, wd, i * nb, nb, x, xa, ad, da);
                    o[ob + i] = one(wq, i * cols, wd, i * nb, nb, x, xb, ad, db);
                }
            }
            if (b < rows) {
                int xa = a.rowOffset(b), da = a.blockOffset(b), oa = b * oc + outCol0 + t0;
                for (int i = 0; i < n; i++) o[oa + i] = one(wq, i * cols, wd, i * nb, nb, x, xa, ad, da);
            }
        }
    }

    /**
     * Weight rows (w0, w0 + cols) times activation rows (xa, xb): four outputs, each with its own 8 lane
     * accumulators. Results go to o[oa], o[oa + 1] (activation row a) and o[ob], o[ob + 1] (row b).
     */
    private static void twoByTwo(float[] wq, int w0, float[] wd, int d0, int cols, int nb, float[] x, int xa, int xb,
                                 float[] ad, int da, int db, float[] o, int oa, int ob) {
        int w1 = w0 + cols, d1 = d0 + nb;
        FloatVector acc00 = FloatVector.zero(F), acc01 = acc00, acc10 = acc00, acc11 = acc00;
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k;
            FloatVector u = FloatVector.fromArray(F, wq, w0 + wi), v = FloatVector.fromArray(F, wq, w1 + wi);
            FloatVector p = FloatVector.fromArray(F, x, xa + wi), q = FloatVector.fromArray(F, x, xb + wi);
            FloatVector s00 = u.mul(p), s10 = v.mul(p), s01 = u.mul(q), s11 = v.mul(q);
            for (int t = 8; t < 32; t += 8) {
                u = FloatVector.fromArray(F, wq, w0 + wi + t);
                v = FloatVector.fromArray(F, wq, w1 + wi + t);
                p = FloatVector.fromArray(F, x, xa + wi + t);
                q = FloatVector.fromArray(F, x, xb + wi + t);
                s00 = u.fma(p, s00);
                s10 = v.fma(p, s10);
                s01 = u.fma(q, s01);
                s11 = v.fma(q, s11);
            }
            float e0 = wd[d0 + k], e1 = wd[d1 + k], fa = ad[da + k], fb = ad[db + k];
            acc00 = s00.fma(FloatVector.broadcast(F, e0 * fa), acc00);
            acc10 = s10.fma(FloatVector.broadcast(F, e1 * fa), acc10);
            acc01 = s01.fma(FloatVector.broadcast(F, e0 * fb), acc01);
            acc11 = s11.fma(FloatVector.broadcast(F, e1 * fb), acc11);
        }
        o[oa] = GgmlSums.hsum8(acc00);
        o[oa + 1] = GgmlSums.hsum8(acc10);
        o[ob] = GgmlSums.hsum8(acc01);
        o[ob + 1] = GgmlSums.hsum8(acc11);
    }

    /** One widened weight row times one activation row. */
    private static float one(float[] wq, int w0, float[] wd, int d0, int nb, float[] x, int xa, float[] ad, int da) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k;
            FloatVector s = FloatVector.fromArray(F, wq, w0 + wi).mul(FloatVector.fromArray(F, x, xa + wi));
            s = FloatVector.fromArray(F, wq, w0 + wi + 8).fma(FloatVector.fromArray(F, x, xa + wi + 8), s);
            s = FloatVector.fromArray(F, wq, w0 + wi + 16).fma(FloatVector.fromArray(F, x, xa + wi + 16), s);
            s = FloatVector.fromArray(F, wq, w0 + wi + 24).fma(FloatVector.fromArray(F, x, xa + wi + 24), s);
            acc = s.fma(FloatVector.broadcast(F, wd[d0 + k] * ad[da + k]), acc);
        }
        return GgmlSums.hsum8(acc);
    }
}
