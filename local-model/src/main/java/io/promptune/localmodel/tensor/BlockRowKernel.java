package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix x matrix products for the 32-element block types whose dot product is "exact integer block sums
 * per lane, times a scale" (Q4_0 with rows % 8 != 0 now; repacked Q4_0, Q4_1 and Q8_0 have their own batch kernels): a tile of weight rows is
 * decoded once into floats, then every activation row of the batch is dotted against the decoded tile. Decoding is what dominates the
 * matrix x vector kernels; here it is paid once per weight row instead of once per (row, activation row).
 *
 * <p>Results equal {@link WeightMatrix#dot} bit for bit: the per-lane block sums are exact integers (so
 * the order inside a block does not matter) and the scaled accumulation runs lane by lane in block order.
 */
final class BlockRowKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Weight rows decoded at a time: each activation row is read once per tile. */
    private static final int TILE = 4;

    /** A type that can decode a row into block form. */
    interface Decoder {
        /**
         * Writes row {@code row}: {@code wq} gets its values as integer-valued floats, each block of 32 in
         * {@link Activations#quads} order (index 8k + j holds element 4j + k); {@code wd} the per-block scale.
         */
        void decodeBlocks(int row, float[] wq, float[] wd);
    }

    private BlockRowKernel() { }

    /** A thread's decoded tile, kept between calls (allocating it per call was most of a decode step's garbage). */
    private static final class TileScratch {
        float[][] wq = new float[TILE][0], wd = new float[TILE][0];

        TileScratch fit(int cols) {
            if (wq[0].length < cols) {
                wq = new float[TILE][cols];
                wd = new float[TILE][cols / 32];
            }
            return this;
        }
    }

    private static final ThreadLocal<TileScratch> TILE_SCRATCH = ThreadLocal.withInitial(TileScratch::new);

    static void dotRows(WeightMatrix w, Decoder dec, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int cols = w.cols(), nb = cols / 32;
        TileScratch ts = TILE_SCRATCH.get().fit(cols);
        float[][] wq = ts.wq, wd = ts.wd;
        float[] o = out.data(), x = a.quads, ad = a.d;
        int oc = out.cols();
        for (int t0 = r0; t0 < r1; t0 += TILE) {
            int n = Math.min(TILE, r1 - t0);
            for (int i = 0; i < n; i++) dec.decodeBlocks(t0 + i, wq[i], wd[i]);
            for (int b = 0; b < a.rows; b++) {
                int xo = a.rowOffset(b), bo = a.blockOffset(b), ob = b * oc + outCol0 + t0;
                int i = 0;
                for (; i + 2 <= n; i += 2) lanes2(wq[i], wd[i], wq[i + 1], wd[i + 1], x, xo, ad, bo, nb, o, ob + i);
                if (i < n) o[ob + i] = lanes1(wq[i], wd[i], x, xo, ad, bo, nb);
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
}
