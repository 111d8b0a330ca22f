package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix x matrix products for the 32-element block types whose dot product is "exact integer block sums
 * per lane, times a scale" (Q4_0 now; Q4_1 and Q8_0 have their own batch kernels): a tile of weight rows is
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

    /** How a type's dot product combines its block sums. */
    enum Combine {
        /** Lanes accumulate sum * scale with fused multiply-adds; ggml's hsum_float_8 at the end. */
        LANES,
        /** Each block sum reduced to a scalar first, then accumulated with scalar fused multiply-adds (repacked Q4_0). */
        REDUCED
    }

    /** A type that can decode a row into block form. */
    interface Decoder {
        /**
         * Writes row {@code row}: {@code wq} gets its values as integer-valued floats, each block of 32 in
         * {@link Activations#quads} order (index 8k + j holds element 4j + k); {@code wd} the per-block scale.
         */
        void decodeBlocks(int row, float[] wq, float[] wd);

        Combine combine();
    }

    private BlockRowKernel() { }

    /** A thread's decoded tile, kept between calls (allocating it per call was most of a decode step's garbage). */
    private static final class TileScratch {
        float[][] wq = new float[TILE][0], wd = new float[TILE][0];
        /** {@link #reducedRows}' per-tile results: 16 activation rows for each of the tile's weight rows. */
        final float[] lanes = new float[TILE * 16];

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
        if (dec.combine() == Combine.REDUCED) {
            reducedRows(dec, r0, r1, a, out, outCol0, cols);
            return;
        }
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

    /**
     * REDUCED mode (one scalar fma per block and (weight row, activation row)), vectorised across 8
     * activation rows: lane b of the block sum vector is activation row b's exact block total, computed
     * from the row-grouped activations ({@link Activations#quadsByRowGroup}) with one broadcast weight per
     * value, so no horizontal sums are needed. Per lane it is the fma(total, d_w * d_a, acc) chain in block
     * order of llama.cpp's repacked Q4_0 kernels (as {@link Q4_0Matrix}'s matrix-vector path), so results are identical.
     */
    private static void reducedRows(Decoder dec, int r0, int r1, Activations a, FloatBatch out, int outCol0, int cols) {
        int nb = cols / 32;
        float[] xt = a.quadsByRowGroup(), dt = a.scalesByRowGroup(), o = out.data();
        TileScratch ts = TILE_SCRATCH.get().fit(cols);
        float[] w0 = ts.wq[0], w1 = ts.wq[1], w2 = ts.wq[2], w3 = ts.wq[3];
        float[] d0 = ts.wd[0], d1 = ts.wd[1], d2 = ts.wd[2], d3 = ts.wd[3];
        float[] lanes = ts.lanes;
        int oc = out.cols();
        for (int t0 = r0; t0 < r1; t0 += 4) {
            int n = Math.min(4, r1 - t0);
            // a short tile repeats its last row; only the tile's real rows are written out
            dec.decodeBlocks(t0, w0, d0);
            dec.decodeBlocks(t0 + Math.min(1, n - 1), w1, d1);
            dec.decodeBlocks(t0 + Math.min(2, n - 1), w2, d2);
            dec.decodeBlocks(t0 + Math.min(3, n - 1), w3, d3);
            int groups = (a.rows + 7) / 8, g = 0;
            for (; g + 2 <= groups; g += 2) {
                reducedTile2(w0, d0, w1, d1, w2, d2, w3, d3, xt, g * cols * 8, dt, g * nb * 8, nb, lanes);
                for (int i = 0; i < n; i++) {
                    for (int l = 0; l < 16 && 8 * g + l < a.rows; l++) o[(8 * g + l) * oc + outCol0 + t0 + i] = lanes[16 * i + l];
                }
            }
            if (g < groups) {
                reducedTile(w0, d0, w1, d1, w2, d2, w3, d3, xt, g * cols * 8, dt, g * nb * 8, nb, lanes);
                for (int i = 0; i < n; i++) {
                    for (int l = 0; l < 8 && 8 * g + l < a.rows; l++) o[(8 * g + l) * oc + outCol0 + t0 + i] = lanes[8 * i + l];
                }
            }
        }
    }

    /**
     * {@link #reducedTile} for two row groups (16 activation rows, groups at {@code xo} and {@code xo + 8 * cols}):
     * each broadcast weight feeds two fmas, 6 loads per 8 fmas instead of 10. Results into lanes[16i + r] for
     * weight row i and activation row r of the pair. The block sums are exact integers in any order; per lane the
     * fma(total, d_a * d_w, acc) chain runs in block order with the accumulators kept in {@code lanes} (as the
     * repacked GEMV does, so that C2 need not carry 8 more vectors across the block loop).
     */
    private static void reducedTile2(float[] w0, float[] d0, float[] w1, float[] d1, float[] w2, float[] d2, float[] w3, float[] d3,
                                     float[] xt, int xo, float[] dt, int dOff, int nb, float[] lanes) {
        int xo1 = xo + 8 * 32 * nb, dOff1 = dOff + 8 * nb;
        java.util.Arrays.fill(lanes, 0, 64, 0f);
        for (int k = 0; k < nb; k++) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
            int wi = 32 * k, xi = xo + 8 * wi, yi = xo1 + 8 * wi;
            for (int i = 0; i < 32; i++) {
                FloatVector x = FloatVector.fromArray(F, xt, xi + 8 * i);
                FloatVector y = FloatVector.fromArray(F, xt, yi + 8 * i);
                FloatVector b0 = FloatVector.broadcast(F, w0[wi + i]), b1 = FloatVector.broadcast(F, w1[wi + i]);
                FloatVector b2 = FloatVector.broadcast(F, w2[wi + i]), b3 = FloatVector.broadcast(F, w3[wi + i]);
                s0 = b0.fma(x, s0);
                u0 = b0.fma(y, u0);
                s1 = b1.fma(x, s1);
                u1 = b1.fma(y, u1);
                s2 = b2.fma(x, s2);
                u2 = b2.fma(y, u2);
                s3 = b3.fma(x, s3);
                u3 = b3.fma(y, u3);
            }
            FloatVector da = FloatVector.fromArray(F, dt, dOff + 8 * k), db = FloatVector.fromArray(F, dt, dOff1 + 8 * k);
            s0.fma(da.mul(d0[k]), FloatVector.fromArray(F, lanes, 0)).intoArray(lanes, 0);
            u0.fma(db.mul(d0[k]), FloatVector.fromArray(F, lanes, 8)).intoArray(lanes, 8);
            s1.fma(da.mul(d1[k]), FloatVector.fromArray(F, lanes, 16)).intoArray(lanes, 16);
            u1.fma(db.mul(d1[k]), FloatVector.fromArray(F, lanes, 24)).intoArray(lanes, 24);
            s2.fma(da.mul(d2[k]), FloatVector.fromArray(F, lanes, 32)).intoArray(lanes, 32);
            u2.fma(db.mul(d2[k]), FloatVector.fromArray(F, lanes, 40)).intoArray(lanes, 40);
            s3.fma(da.mul(d3[k]), FloatVector.fromArray(F, lanes, 48)).intoArray(lanes, 48);
            u3.fma(db.mul(d3[k]), FloatVector.fromArray(F, lanes, 56)).intoArray(lanes, 56);
        }
    }

    /** Four weight rows against 8 activation rows (one per lane); results into lanes[8i + lane] for weight row i. */
    private static void reducedTile(float[] w0, float[] d0, float[] w1, float[] d1, float[] w2, float[] d2, float[] w3, float[] d3,
                                    float[] xt, int xo, float[] dt, int dOff, int nb, float[] lanes) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int k = 0; k < nb; k++) {
            // two partial sums per weight row (even / odd values): integer-valued, so their sum is exact
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
            int wi = 32 * k, xi = xo + 8 * wi;
            for (int i = 0; i < 32; i += 2) {
                FloatVector x = FloatVector.fromArray(F, xt, xi + 8 * i);
                FloatVector y = FloatVector.fromArray(F, xt, xi + 8 * i + 8);
                s0 = FloatVector.broadcast(F, w0[wi + i]).fma(x, s0);
                s1 = FloatVector.broadcast(F, w1[wi + i]).fma(x, s1);
                s2 = FloatVector.broadcast(F, w2[wi + i]).fma(x, s2);
                s3 = FloatVector.broadcast(F, w3[wi + i]).fma(x, s3);
                u0 = FloatVector.broadcast(F, w0[wi + i + 1]).fma(y, u0);
                u1 = FloatVector.broadcast(F, w1[wi + i + 1]).fma(y, u1);
                u2 = FloatVector.broadcast(F, w2[wi + i + 1]).fma(y, u2);
                u3 = FloatVector.broadcast(F, w3[wi + i + 1]).fma(y, u3);
            }
            FloatVector da = FloatVector.fromArray(F, dt, dOff + 8 * k);
            acc0 = s0.add(u0).fma(da.mul(d0[k]), acc0);
            acc1 = s1.add(u1).fma(da.mul(d1[k]), acc1);
            acc2 = s2.add(u2).fma(da.mul(d2[k]), acc2);
            acc3 = s3.add(u3).fma(da.mul(d3[k]), acc3);
        }
        acc0.intoArray(lanes, 0);
        acc1.intoArray(lanes, 8);
        acc2.intoArray(lanes, 16);
        acc3.intoArray(lanes, 24);
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
