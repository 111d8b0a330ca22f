package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix x matrix products for the 32-element block types whose dot product is "exact integer block sums
 * per lane, times a scale" (Q8_0, Q4_0, Q4_1): a tile of weight rows is decoded once into floats, then
 * every activation row of the batch is dotted against the decoded tile. Decoding is what dominates the
 * matrix x vector kernels; here it is paid once per weight row instead of once per (row, activation row).
 *
 * <p>Results equal {@link WeightMatrix#dot} bit for bit: the per-lane block sums are exact integers (so
 * the order inside a block does not matter) and the scaled accumulation runs lane by lane in block order.
 */
final class BlockRowKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Weight rows decoded at a time: each activation row is read once per tile. */
    private static final int TILE = 4;

    /** How a type's dot product combines its block sums. */
    enum Combine {
        /** Lanes accumulate sum * scale with fused multiply-adds; ggml's hsum_float_8 at the end. */
        LANES,
        /** LANES plus the sequential sum of min * activation-block-sum (Q4_1 with Q8_1). */
        LANES_PLUS_MINS,
        /** Each block sum reduced to a scalar first, then accumulated with scalar fused multiply-adds (repacked Q4_0). */
        REDUCED
    }

    /** A type that can decode a row into block form. */
    interface Decoder {
        /**
         * Writes row {@code row}: {@code wq} gets its values as integer-valued floats, each block of 32 in
         * {@link Activations#quads} order (index 8k + j holds element 4j + k); {@code wd} the per-block scale;
         * {@code wm} the per-block min (LANES_PLUS_MINS only).
         */
        void decodeBlocks(int row, float[] wq, float[] wd, float[] wm);

        Combine combine();
    }

    private BlockRowKernel() { }

    /** A thread's decoded tile, kept between calls (allocating it per call was most of a decode step's garbage). */
    private static final class TileScratch {
        float[][] wq = new float[TILE][0], wd = new float[TILE][0], wm = new float[TILE][0];

        TileScratch fit(int cols) {
            if (wq[0].length < cols) {
                wq = new float[TILE][cols];
                wd = new float[TILE][cols / 32];
                wm = new float[TILE][cols / 32];
            }
            return this;
        }
    }

    private static final ThreadLocal<TileScratch> TILE_SCRATCH = ThreadLocal.withInitial(TileScratch::new);

    static void dotRows(WeightMatrix w, Decoder dec, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int cols = w.cols(), nb = cols / 32;
        Combine mode = dec.combine();
        TileScratch ts = TILE_SCRATCH.get().fit(cols);
        float[][] wq = ts.wq, wd = ts.wd, wm = ts.wm;
        float[] o = out.data(), x = a.quads, ad = a.d, as = a.s;
        int oc = out.cols();
        for (int t0 = r0; t0 < r1; t0 += TILE) {
            int n = Math.min(TILE, r1 - t0);
            for (int i = 0; i < n; i++) dec.decodeBlocks(t0 + i, wq[i], wd[i], wm[i]);
            for (int b = 0; b < a.rows; b++) {
                int xo = a.rowOffset(b), bo = a.blockOffset(b), ob = b * oc + outCol0 + t0;
                int i = 0;
                if (mode == Combine.REDUCED) {
                    for (; i < n; i++) o[ob + i] = reduced(wq[i], wd[i], x, xo, ad, bo, nb);
                    continue;
                }
                boolean withMins = mode == Combine.LANES_PLUS_MINS;
                for (; i + 2 <= n; i += 2) {
                    if (withMins) lanesMins2(wq[i], wd[i], wm[i], wq[i + 1], wd[i + 1], wm[i + 1], x, xo, ad, as, bo, nb, o, ob + i);
                    else lanes2(wq[i], wd[i], wq[i + 1], wd[i + 1], x, xo, ad, bo, nb, o, ob + i);
                }
                if (i < n) {
                    float v = lanes1(wq[i], wd[i], x, xo, ad, bo, nb);
                    o[ob + i] = withMins ? v + mins(wm[i], as, bo, nb) : v;
                }
            }
        }
    }

    /** The exact per-lane integer sums of one block. */
    private static FloatVector blockSum(float[] w, int wi, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        FloatVector s = FloatVector.fromArray(F, w, wi).mul(x0);
        s = FloatVector.fromArray(F, w, wi + 8).fma(x1, s);
        s = FloatVector.fromArray(F, w, wi + 16).fma(x2, s);
        return FloatVector.fromArray(F, w, wi + 24).fma(x3, s);
    }

    /** Two weight rows against one activation row: the activation vectors are loaded once for both. */
    private static void lanes2(float[] wa, float[] da, float[] wb, float[] db, float[] x, int xo, float[] ad, int bo, int nb,
                               float[] o, int oi) {
        FloatVector accA = FloatVector.zero(F), accB = accA;
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k, xi = xo + wi;
            FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + 8);
            FloatVector x2 = FloatVector.fromArray(F, x, xi + 16), x3 = FloatVector.fromArray(F, x, xi + 24);
            float dx = ad[bo + k];
            accA = blockSum(wa, wi, x0, x1, x2, x3).fma(FloatVector.broadcast(F, da[k] * dx), accA);
            accB = blockSum(wb, wi, x0, x1, x2, x3).fma(FloatVector.broadcast(F, db[k] * dx), accB);
        }
        o[oi] = GgmlSums.hsum8(accA);
        o[oi + 1] = GgmlSums.hsum8(accB);
    }

    /** {@link #lanes2} plus each row's min term, accumulated in block order alongside. */
    private static void lanesMins2(float[] wa, float[] da, float[] ma, float[] wb, float[] db, float[] mb, float[] x, int xo,
                                   float[] ad, float[] as, int bo, int nb, float[] o, int oi) {
        FloatVector accA = FloatVector.zero(F), accB = accA;
        float sa = 0f, sb = 0f;
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k, xi = xo + wi;
            FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + 8);
            FloatVector x2 = FloatVector.fromArray(F, x, xi + 16), x3 = FloatVector.fromArray(F, x, xi + 24);
            float dx = ad[bo + k], s = as[bo + k];
            accA = blockSum(wa, wi, x0, x1, x2, x3).fma(FloatVector.broadcast(F, da[k] * dx), accA);
            accB = blockSum(wb, wi, x0, x1, x2, x3).fma(FloatVector.broadcast(F, db[k] * dx), accB);
            sa = Math.fma(ma[k], s, sa);
            sb = Math.fma(mb[k], s, sb);
        }
        o[oi] = GgmlSums.hsum8(accA) + sa;
        o[oi + 1] = GgmlSums.hsum8(accB) + sb;
    }

    private static float lanes1(float[] w, float[] d, float[] x, int xo, float[] ad, int bo, int nb) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k, xi = xo + wi;
            FloatVector s = blockSum(w, wi, FloatVector.fromArray(F, x, xi), FloatVector.fromArray(F, x, xi + 8),
                    FloatVector.fromArray(F, x, xi + 16), FloatVector.fromArray(F, x, xi + 24));
            acc = s.fma(FloatVector.broadcast(F, d[k] * ad[bo + k]), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    private static float reduced(float[] w, float[] d, float[] x, int xo, float[] ad, int bo, int nb) {
        float acc = 0f;
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k, xi = xo + wi;
            FloatVector s = blockSum(w, wi, FloatVector.fromArray(F, x, xi), FloatVector.fromArray(F, x, xi + 8),
                    FloatVector.fromArray(F, x, xi + 16), FloatVector.fromArray(F, x, xi + 24));
            acc = Math.fma(s.reduceLanes(VectorOperators.ADD), d[k] * ad[bo + k], acc);
        }
        return acc;
    }

    /** The min term in block order, as ggml accumulates it (contracted to fused multiply-adds). */
    private static float mins(float[] m, float[] as, int bo, int nb) {
        float s = 0f;
        for (int k = 0; k < nb; k++) s = Math.fma(m[k], as[bo + k], s);
        return s;
    }
}
