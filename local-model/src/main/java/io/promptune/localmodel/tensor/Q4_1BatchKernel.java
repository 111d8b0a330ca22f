package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_1 x Q8_1 for a batch of activation rows (prefill, batched decode), with the activation rows in the
 * vector lanes: 8 rows per group ({@link Activations#pairsByRowGroup}, the last group zero-padded), a tile
 * of 4 weight rows whose weight-pair ints (the {@link Q4_1Matrix} repacked nibbles, masked) are broadcast
 * against them. A 32-bit multiply gives two exact products per lane (see {@link Q4_1Matrix#quadSums}), so a
 * block's quad j for 8 activation rows costs two multiplies and no horizontal sums.
 *
 * <p>Per (weight row, activation row) this is exactly ggml_vec_dot_q4_1_q8_1's arithmetic: lane j's chain
 * fma(quad_j, d_w * d_a, acc_j) in block order (one lane j at a time, all blocks, so 4 accumulators stay
 * in registers), the min chain fma(m_w, s_a, sum) in block order, then hsum_float_8(acc) + sum.
 */
final class Q4_1BatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int TILE = 4;

    private Q4_1BatchKernel() { }

    /** A thread's tile: weight pairs, scale vectors, lane accumulators; kept between calls. */
    private static final class Scratch {
        int[] w0 = new int[0], w1 = w0, w2 = w0, w3 = w0;
        float[] scales = new float[0];
        final float[] accs = new float[TILE * 64];
        final float[] lanes = new float[TILE * 8];

        Scratch fit(int nb) {
            int n = 32 * ((nb + 1) / 2);
            if (w0.length < n) {
                w0 = new int[n];
                w1 = new int[n];
                w2 = new int[n];
                w3 = new int[n];
                scales = new float[TILE * nb * 8];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Weight rows [r0, r1) against activation rows [0, batchRows) (all groups but the last full). */
    static void dotRows(Q4_1Matrix w, int r0, int r1, Activations a, int batchRows, FloatBatch out, int outCol0) {
        int nb = w.cols() / 32, groups = (batchRows + 7) / 8, oc = out.cols();
        int[] xt = a.pairsByRowGroup();
        float[] dt = a.scalesByRowGroup(), st = a.sumsByRowGroup(), o = out.data();
        Scratch s = SCRATCH.get().fit(nb);
        int[] w0 = s.w0, w1 = s.w1, w2 = s.w2, w3 = s.w3;
        float[] scales = s.scales, accs = s.accs, lanes = s.lanes;
        for (int t0 = r0; t0 < r1; t0 += TILE) {
            int n = Math.min(TILE, r1 - t0);
            // a short tile repeats its last row; only the tile's real rows are written out
            int q0 = t0, q1 = t0 + Math.min(1, n - 1), q2 = t0 + Math.min(2, n - 1), q3 = t0 + Math.min(3, n - 1);
            w.weightPairs(q0, w0);
            w.weightPairs(q1, w1);
            w.weightPairs(q2, w2);
            w.weightPairs(q3, w3);
            for (int g = 0; g < groups; g++) {
                int dOff = g * nb * 8;
                w.scaleVectors(q0, q1, q2, q3, dt, dOff, scales);
                int xo = g * nb * 128;
                for (int j = 0; j < 8; j++) laneJ(j, w0, w1, w2, w3, xt, xo, scales, nb, accs);
                minsAndSum(accs, 0, w, q0, st, dOff, nb, lanes, 0);
                minsAndSum(accs, 64, w, q1, st, dOff, nb, lanes, 8);
                minsAndSum(accs, 128, w, q2, st, dOff, nb, lanes, 16);
                minsAndSum(accs, 192, w, q3, st, dOff, nb, lanes, 24);
                int rowsHere = Math.min(8, batchRows - 8 * g);
                for (int i = 0; i < n; i++) {
                    int ob = 8 * g * oc + outCol0 + t0 + i;
                    for (int l = 0; l < rowsHere; l++) o[ob + l * oc] = lanes[8 * i + l];
                }
            }
        }
    }

    /**
     * ggml lane j of four weight rows for 8 activation rows: the lane's whole block-order chain
     * fma(quad_j, d_w * d_a, acc). The quad's 4 products are exact integers (any order).
     */
    private static void laneJ(int j, int[] w0, int[] w1, int[] w2, int[] w3, int[] xt, int xo, float[] scales, int nb, float[] accs) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int k = 0; k < nb; k++) {
            int wi = 16 * k + j, xi = xo + 128 * k + 8 * j;
            IntVector x02 = IntVector.fromArray(I, xt, xi), x13 = IntVector.fromArray(I, xt, xi + 64);
            acc0 = quad(w0, wi, x02, x13).fma(FloatVector.fromArray(F, scales, 8 * k), acc0);
            acc1 = quad(w1, wi, x02, x13).fma(FloatVector.fromArray(F, scales, 8 * (nb + k)), acc1);
            acc2 = quad(w2, wi, x02, x13).fma(FloatVector.fromArray(F, scales, 8 * (2 * nb + k)), acc2);
            acc3 = quad(w3, wi, x02, x13).fma(FloatVector.fromArray(F, scales, 8 * (3 * nb + k)), acc3);
        }
        acc0.intoArray(accs, 8 * j);
        acc1.intoArray(accs, 64 + 8 * j);
        acc2.intoArray(accs, 128 + 8 * j);
        acc3.intoArray(accs, 192 + 8 * j);
    }

    /** Quad j of one weight row's block for 8 activation rows, as floats. */
    private static FloatVector quad(int[] w, int wi, IntVector x02, IntVector x13) {
        IntVector t = x02.mul(w[wi]).add(x13.mul(w[wi + 8]));
        return (FloatVector) t.add(0x8000).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
    }

    /** A weight row's min chain fma(m, s, sum) in block order, then hsum_float_8 of its 8 lane accumulators + sum. */
    private static void minsAndSum(float[] accs, int ao, Q4_1Matrix w, int row, float[] st, int dOff, int nb, float[] lanes, int lo) {
        float[] m = w.minsArray();
        int mo = row * nb;
        FloatVector mins = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) mins = FloatVector.broadcast(F, m[mo + k]).fma(FloatVector.fromArray(F, st, dOff + 8 * k), mins);
        FloatVector t0 = FloatVector.fromArray(F, accs, ao).add(FloatVector.fromArray(F, accs, ao + 32));
        FloatVector t1 = FloatVector.fromArray(F, accs, ao + 8).add(FloatVector.fromArray(F, accs, ao + 40));
        FloatVector t2 = FloatVector.fromArray(F, accs, ao + 16).add(FloatVector.fromArray(F, accs, ao + 48));
        FloatVector t3 = FloatVector.fromArray(F, accs, ao + 24).add(FloatVector.fromArray(F, accs, ao + 56));
        t0.add(t2).add(t1.add(t3)).add(mins).intoArray(lanes, lo);
    }
}
