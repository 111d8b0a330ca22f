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
        /** {@link #reducedRows}' per-tile results: 8 activation rows for each of the tile's weight rows. */
        final float[] lanes = new float[TILE * 8];
        /** {@link #minsRows}' 8 lane accumulators (8 activation rows each) per weight row of the tile. */
        final float[] accs = new float[TILE * 64];
        private float[] scales = new float[0];

        /** {@link #minsRows}' d_w * d_a vectors, per weight row of the tile and block. */
        float[] scales(int n) {
            if (scales.length < n) scales = new float[n];
            return scales;
        }

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
        if (mode == Combine.REDUCED) {
            reducedRows(dec, r0, r1, a, out, outCol0, cols);
            return;
        }
        int b0 = 0;
        if (mode == Combine.LANES_PLUS_MINS && a.rows >= 8) {
            minsRows(dec, r0, r1, a, out, outCol0, cols);
            b0 = a.rows / 8 * 8;
            if (b0 == a.rows) return;
        }
        TileScratch ts = TILE_SCRATCH.get().fit(cols);
        float[][] wq = ts.wq, wd = ts.wd, wm = ts.wm;
        float[] o = out.data(), x = a.quads, ad = a.d, as = a.s;
        int oc = out.cols();
        for (int t0 = r0; t0 < r1; t0 += TILE) {
            int n = Math.min(TILE, r1 - t0);
            for (int i = 0; i < n; i++) dec.decodeBlocks(t0 + i, wq[i], wd[i], wm[i]);
            for (int b = b0; b < a.rows; b++) {
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

    /**
     * REDUCED mode (one scalar fma per block and (weight row, activation row)), vectorised across 8
     * activation rows: lane b of the block sum vector is activation row b's exact block total, computed
     * from the row-grouped activations ({@link Activations#quadsByRowGroup}) with one broadcast weight per
     * value, so no horizontal sums are needed. Per lane it is the same fma(total, d_w * d_a, acc) chain in
     * block order as {@link #reduced}, so results are identical.
     */
    private static void reducedRows(Decoder dec, int r0, int r1, Activations a, FloatBatch out, int outCol0, int cols) {
        int nb = cols / 32;
        float[] xt = a.quadsByRowGroup(), dt = a.scalesByRowGroup(), o = out.data();
        TileScratch ts = TILE_SCRATCH.get().fit(cols);
        float[] w0 = ts.wq[0], w1 = ts.wq[1], w2 = ts.wq[2], w3 = ts.wq[3];
        float[] d0 = ts.wd[0], d1 = ts.wd[1], d2 = ts.wd[2], d3 = ts.wd[3], unused = ts.wm[0];
        float[] lanes = ts.lanes;
        int oc = out.cols();
        for (int t0 = r0; t0 < r1; t0 += 4) {
            int n = Math.min(4, r1 - t0);
            // a short tile repeats its last row; only the tile's real rows are written out
            dec.decodeBlocks(t0, w0, d0, unused);
            dec.decodeBlocks(t0 + Math.min(1, n - 1), w1, d1, unused);
            dec.decodeBlocks(t0 + Math.min(2, n - 1), w2, d2, unused);
            dec.decodeBlocks(t0 + Math.min(3, n - 1), w3, d3, unused);
            for (int g = 0; g < (a.rows + 7) / 8; g++) {
                reducedTile(w0, d0, w1, d1, w2, d2, w3, d3, xt, g * cols * 8, dt, g * nb * 8, nb, lanes);
                for (int i = 0; i < n; i++) {
                    for (int l = 0; l < 8 && 8 * g + l < a.rows; l++) o[(8 * g + l) * oc + outCol0 + t0 + i] = lanes[8 * i + l];
                }
            }
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

    /**
     * LANES_PLUS_MINS (Q4_1 x Q8_1) for the batch's whole groups of 8 activation rows, transposed: one vector
     * per ggml lane j whose lane l is activation row (8g + l)'s accumulator for lane j. Each weight value is
     * broadcast against 8 rows' activations (row-grouped quads), so a block's 8 quad sums for 8 rows cost 32
     * FMAs and no horizontal sums; hsum_float_8 becomes 7 vector adds in ggml's order. Per row it is exactly
     * {@link #lanesMins2}' arithmetic: exact integer quad sums, fma(quad, d_w * d_a, acc) in block order, the
     * min chain fma(m, s, sum) in block order, then hsum8(acc) + sum.
     */
    private static void minsRows(Decoder dec, int r0, int r1, Activations a, FloatBatch out, int outCol0, int cols) {
        int nb = cols / 32, groups = a.rows / 8, oc = out.cols();
        float[] xt = a.quadsByRowGroup(), dt = a.scalesByRowGroup(), st = a.sumsByRowGroup(), o = out.data();
        TileScratch ts = TILE_SCRATCH.get().fit(cols);
        float[] w0 = ts.wq[0], w1 = ts.wq[1], w2 = ts.wq[2], w3 = ts.wq[3];
        float[] d0 = ts.wd[0], d1 = ts.wd[1], d2 = ts.wd[2], d3 = ts.wd[3];
        float[] m0 = ts.wm[0], m1 = ts.wm[1], m2 = ts.wm[2], m3 = ts.wm[3];
        float[] scales = ts.scales(4 * nb * 8), accs = ts.accs, lanes = ts.lanes;
        for (int t0 = r0; t0 < r1; t0 += 4) {
            int n = Math.min(4, r1 - t0);
            // a short tile repeats its last row; only the tile's real rows are written out
            dec.decodeBlocks(t0, w0, d0, m0);
            dec.decodeBlocks(t0 + Math.min(1, n - 1), w1, d1, m1);
            dec.decodeBlocks(t0 + Math.min(2, n - 1), w2, d2, m2);
            dec.decodeBlocks(t0 + Math.min(3, n - 1), w3, d3, m3);
            for (int g = 0; g < groups; g++) {
                int xo = g * cols * 8, dOff = g * nb * 8;
                for (int k = 0; k < nb; k++) {
                    FloatVector da = FloatVector.fromArray(F, dt, dOff + 8 * k);
                    da.mul(d0[k]).intoArray(scales, 8 * k);
                    da.mul(d1[k]).intoArray(scales, 8 * (nb + k));
                    da.mul(d2[k]).intoArray(scales, 8 * (2 * nb + k));
                    da.mul(d3[k]).intoArray(scales, 8 * (3 * nb + k));
                }
                for (int j = 0; j < 8; j++) laneJ(j, w0, w1, w2, w3, xt, xo, scales, nb, accs);
                minsAndSum(accs, 0, m0, st, dOff, nb, lanes, 0);
                minsAndSum(accs, 64, m1, st, dOff, nb, lanes, 8);
                minsAndSum(accs, 128, m2, st, dOff, nb, lanes, 16);
                minsAndSum(accs, 192, m3, st, dOff, nb, lanes, 24);
                for (int i = 0; i < n; i++) {
                    int ob = 8 * g * oc + outCol0 + t0 + i;
                    for (int l = 0; l < 8; l++) o[ob + l * oc] = lanes[8 * i + l];
                }
            }
        }
    }

    /**
     * ggml lane j of four weight rows for 8 activation rows: the lane's whole block-order chain
     * fma(quad_j, d_w * d_a, acc) (lanes are independent, so one lane at a time keeps 4 accumulators in
     * registers instead of 32). Exact integer quads: the 4 products' order does not matter.
     */
    private static void laneJ(int j, float[] w0, float[] w1, float[] w2, float[] w3, float[] xt, int xo, float[] scales, int nb,
                              float[] accs) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int k = 0; k < nb; k++) {
            int wi = 32 * k + j, xi = xo + 256 * k + 8 * j;
            FloatVector x0 = FloatVector.fromArray(F, xt, xi), x1 = FloatVector.fromArray(F, xt, xi + 64);
            FloatVector x2 = FloatVector.fromArray(F, xt, xi + 128), x3 = FloatVector.fromArray(F, xt, xi + 192);
            acc0 = quad(w0, wi, x0, x1, x2, x3).fma(FloatVector.fromArray(F, scales, 8 * k), acc0);
            acc1 = quad(w1, wi, x0, x1, x2, x3).fma(FloatVector.fromArray(F, scales, 8 * (nb + k)), acc1);
            acc2 = quad(w2, wi, x0, x1, x2, x3).fma(FloatVector.fromArray(F, scales, 8 * (2 * nb + k)), acc2);
            acc3 = quad(w3, wi, x0, x1, x2, x3).fma(FloatVector.fromArray(F, scales, 8 * (3 * nb + k)), acc3);
        }
        acc0.intoArray(accs, 8 * j);
        acc1.intoArray(accs, 64 + 8 * j);
        acc2.intoArray(accs, 128 + 8 * j);
        acc3.intoArray(accs, 192 + 8 * j);
    }

    /** One quad of one weight row for 8 activation rows (x0..x3: the rows' values at the quad's 4 positions). */
    private static FloatVector quad(float[] w, int wi, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        FloatVector q = FloatVector.broadcast(F, w[wi]).mul(x0);
        q = FloatVector.broadcast(F, w[wi + 8]).fma(x1, q);
        q = FloatVector.broadcast(F, w[wi + 16]).fma(x2, q);
        return FloatVector.broadcast(F, w[wi + 24]).fma(x3, q);
    }

    /** A weight row's min chain fma(m, s, sum) in block order, then hsum_float_8 of its 8 lane accumulators + sum. */
    private static void minsAndSum(float[] accs, int ao, float[] m, float[] st, int dOff, int nb, float[] lanes, int lo) {
        FloatVector mins = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) mins = FloatVector.broadcast(F, m[k]).fma(FloatVector.fromArray(F, st, dOff + 8 * k), mins);
        FloatVector t0 = FloatVector.fromArray(F, accs, ao).add(FloatVector.fromArray(F, accs, ao + 32));
        FloatVector t1 = FloatVector.fromArray(F, accs, ao + 8).add(FloatVector.fromArray(F, accs, ao + 40));
        FloatVector t2 = FloatVector.fromArray(F, accs, ao + 16).add(FloatVector.fromArray(F, accs, ao + 48));
        FloatVector t3 = FloatVector.fromArray(F, accs, ao + 24).add(FloatVector.fromArray(F, accs, ao + 56));
        t0.add(t2).add(t1.add(t3)).add(mins).intoArray(lanes, lo);
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
