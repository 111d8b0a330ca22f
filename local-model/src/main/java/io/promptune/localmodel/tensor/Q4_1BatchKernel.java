package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_1 x Q8_1 for a batch of activation rows (prefill, batched decode), with the activation rows in the
 * vector lanes: 8 rows per group ({@link Activations#pairsByRowGroup}, the last group zero-padded), a tile
 * of 4 weight rows whose weight-pair ints (the {@link Q4_1Matrix} repacked nibbles, masked, extracted once
 * per 8-row weight group) are broadcast against them. A 32-bit multiply gives two exact products per lane
 * (see {@link Q4_1Matrix}), so a block's quad j for 8 activation rows costs two multiplies and no
 * horizontal sums.
 *
 * <p>Per (weight row, activation row) this is exactly ggml_vec_dot_q4_1_q8_1's arithmetic: lane j's chain
 * fma(quad_j, d_w * d_a, acc_j) in block order (one lane j at a time, all blocks, so 4 accumulators stay
 * in registers), the min chain fma(m_w, s_a, sum) in block order, then hsum_float_8(acc) + sum.
 */
final class Q4_1BatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int TILE = 4;
    /**
     * Operand vectors: the kernels call lanewise(op, vector), never the convenience methods, and store only results
     * of lanewise (x + -0 == x for every float x), so that no Vector API call dispatches through the JDK's call sites
     * shared by 256- and 512-bit vectors (see Q4_1Matrix's note on its PAIRS; speed.md, session 12 jit).
     */
    private static final IntVector ROUND = IntVector.broadcast(IntVector.SPECIES_256, 0x8000);
    private static final FloatVector NEG_ZERO = FloatVector.broadcast(FloatVector.SPECIES_256, -0f);
    /** A shift count as a vector: lanewise(shift, int) dispatches through a JDK call site shared by both vector shapes. */
    private static final IntVector BY16 = IntVector.broadcast(IntVector.SPECIES_256, 16);

    private Q4_1BatchKernel() { }

    /** A thread's arrays: a weight group's pairs, scales and minimums (as floats), a tile's scale vectors and lane accumulators. */
    private static final class Scratch {
        float[] pairs = new float[0];
        float[] dm = new float[0], scales = dm;
        final float[] accs = new float[TILE * 128];
        final float[] lanes = new float[TILE * 16];
        final float[] mins = new float[TILE * 16];

        Scratch fit(int nb) {
            if (pairs.length < 128 * nb) {
                pairs = new float[128 * nb];
                dm = new float[16 * nb];
                scales = new float[TILE * nb * 16];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Weight rows [r0, r1) against activation rows [0, batchRows) (all groups but the last full), at this machine's width. */
    static void dotRows(Q4_1Matrix w, int r0, int r1, Activations a, int batchRows, FloatBatch out, int outCol0) {
        dotRows(w, r0, r1, a, batchRows, out, outCol0, VectorWidth.WIDE);
    }

    /**
     * As above; {@code wide}: pairs of 8-row activation groups go through the 512-bit tile (16 activation rows in
     * the lanes, each lane doing exactly what it does in the 256-bit tile), a last odd group through the 256-bit one.
     */
    static void dotRows(Q4_1Matrix w, int r0, int r1, Activations a, int batchRows, FloatBatch out, int outCol0, boolean wide) {
        int nb = w.cols() / 32, groups = (batchRows + 7) / 8, oc = out.cols();
        int[] xt = a.pairsByRowGroup();
        float[] dt = a.scalesByRowGroup(), st = a.sumsByRowGroup(), o = out.data();
        Scratch s = SCRATCH.get().fit(nb);
        float[] wp = s.pairs;
        float[] scales = s.scales, accs = s.accs, lanes = s.lanes, mins = s.mins;
        for (int wg = r0 >> 3; wg < (r1 + 7) >> 3; wg++) {
            w.groupPairs(wg, wp);
            float[] ws = s.dm;
            w.groupScales(wg, ws);
            for (int t = 0; t < 8; t += TILE) {
                int t0 = 8 * wg + t, lo = Math.max(r0, t0), hi = Math.min(r1, t0 + TILE);
                if (lo >= hi) continue; // padding rows past the tensor's last row are computed, never written
                for (int g = 0; g < groups; g++) {
                    int width = wide && g % 2 == 0 && g + 1 < groups ? 16 : 8;
                    if (width == 16) tileWide(wp, ws, t, xt, dt, st, g / 2, nb, scales, accs, mins, lanes);
                    else tile(wp, ws, t, xt, dt, st, g, nb, scales, accs, mins, lanes);
                    int rowsHere = Math.min(width, batchRows - 8 * g);
                    for (int r = lo; r < hi; r++) {
                        int ob = 8 * g * oc + outCol0 + r, i = r - t0;
                        for (int l = 0; l < rowsHere; l++) o[ob + l * oc] = lanes[width * i + l];
                    }
                    if (width == 16) g++;
                }
            }
        }
    }

    /**
     * Rows t..t+3 of the weight group against activation group g, into lanes[8i + l] (weight row t + i,
     * activation row 8g + l). One method with the whole tile so that C2 compiles it as its own unit: inlined
     * into {@link #dotRows} with the group extraction it exceeded C2's node budget (NodeCountInliningCutoff)
     * and lost the vector intrinsics (lab: 3.5 GMAC/s instead of 15).
     */
    private static void tile(float[] wp, float[] ws, int t, int[] xt, float[] dt, float[] st, int g, int nb,
                             float[] scales, float[] accs, float[] mins, float[] lanes) {
        int dOff = Activations.rowGroupOffset(g, nb), xo = Activations.rowGroupOffset(g, 16 * nb);
        scaleVectors(ws, t, nb, dt, dOff, scales);
        lanes(wp, t, xt, xo, scales, nb, accs);
        minsAndSums(accs, ws, 8 + t, st, dOff, nb, mins, lanes);
    }

    /** {@link #tile} for 16-row activation group g2 (8-row groups 2 * g2 and 2 * g2 + 1), into lanes[16i + l]. */
    private static void tileWide(float[] wp, float[] ws, int t, int[] xt, float[] dt, float[] st, int g2, int nb,
                                 float[] scales, float[] accs, float[] mins, float[] lanes) {
        int dOff = g2 * nb * 16, xo = g2 * nb * 256;
        scaleVectorsWide(ws, t, nb, dt, dOff, scales);
        lanesWide(wp, t, xt, xo, scales, nb, accs);
        minsAndSumsWide(accs, ws, 8 + t, st, dOff, nb, mins, lanes);
    }

    /**
     * For the tile's rows t..t+3 of the weight group and every block k: scales[8 * (i * nb + k) + lane] =
     * d_w(t + i, k) * dt[dOff + 8k + lane], with d_w(t + i, k) at ws[wd + 16k + i].
     */
    private static void scaleVectors(float[] ws, int wd, int nb, float[] dt, int dOff, float[] out) {
        for (int k = 0; k < nb; k++) {
            FloatVector da = FloatVector.fromArray(F, dt, dOff + 16 * k);
            int d = wd + 16 * k;
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ws[d])).intoArray(out, 8 * k);
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ws[d + 1])).intoArray(out, 8 * (nb + k));
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ws[d + 2])).intoArray(out, 8 * (2 * nb + k));
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ws[d + 3])).intoArray(out, 8 * (3 * nb + k));
        }
    }

    /**
     * ggml lanes j = 0..7 of the tile's four weight rows for 8 activation rows, one lane j at a time: the lane's
     * whole block-order chain fma(quad_j, d_w * d_a, acc) (the quad's 4 products are exact integers, any order).
     * Its bytecode is kept above C2's FreqInlineSize (325) so that it stays a compilation unit of its own.
     */
    private static void lanes(float[] wp, int t, int[] xt, int xo, float[] scales, int nb, float[] accs) {
        if (wp.length < 128 * nb || xt.length < xo + 256 * nb - 8 || scales.length < 32 * nb || t + TILE > 8) {
            throw new IllegalArgumentException("Q4_1 tile of " + nb + " blocks does not fit its arrays");
        }
        for (int j = 0; j < 8; j++) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int k = 0; k < nb; k++) {
                int wi = 8 * (16 * k + j) + t, xi = xo + 256 * k + 16 * j;
                IntVector x02 = IntVector.fromArray(I, xt, xi), x13 = IntVector.fromArray(I, xt, xi + 128);
                // quad j of weight row t + i for the 8 activation rows (its x13 weight pair 64 on; pair bits as floats,
                // see Q4_1Matrix#groupPairs), written out: no helper returning a vector
                acc0 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 64]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F, scales, 8 * k), acc0);
                acc1 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 1]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 65]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F, scales, 8 * (nb + k)), acc1);
                acc2 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 2]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 66]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F, scales, 8 * (2 * nb + k)), acc2);
                acc3 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 3]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F, wp[wi + 67]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F, scales, 8 * (3 * nb + k)), acc3);
            }
            acc0.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(accs, 8 * j);
            acc1.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(accs, 64 + 8 * j);
            acc2.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(accs, 128 + 8 * j);
            acc3.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(accs, 192 + 8 * j);
        }
    }

    /**
     * The tile's 4 weight rows (m_w(t + i, k) at ws[wm + 16k + i]): each row's min chain fma(m, s, sum) in block
     * order, the 4 chains side by side (one after another they were 4 dependent fma chains of nb steps), then
     * hsum_float_8 of the row's 8 lane accumulators + its sum into lanes[8i..]. The sums go through {@code mins}
     * so that one hsum call site serves the 4 rows: 4 inlined copies pushed {@link #tile}'s compile past C2's
     * NodeCountInliningCutoff and the last two hsums became calls returning boxed vectors.
     */
    private static void minsAndSums(float[] accs, float[] ws, int wm, float[] st, int dOff, int nb, float[] mins, float[] lanes) {
        FloatVector m0 = FloatVector.zero(F), m1 = m0, m2 = m0, m3 = m0;
        for (int k = 0; k < nb; k++) {
            FloatVector sa = FloatVector.fromArray(F, st, dOff + 16 * k);
            int m = wm + 16 * k;
            m0 = FloatVector.broadcast(F, ws[m]).lanewise(VectorOperators.FMA, sa, m0);
            m1 = FloatVector.broadcast(F, ws[m + 1]).lanewise(VectorOperators.FMA, sa, m1);
            m2 = FloatVector.broadcast(F, ws[m + 2]).lanewise(VectorOperators.FMA, sa, m2);
            m3 = FloatVector.broadcast(F, ws[m + 3]).lanewise(VectorOperators.FMA, sa, m3);
        }
        m0.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(mins, 0);
        m1.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(mins, 8);
        m2.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(mins, 16);
        m3.lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(mins, 24);
        for (int i = 0; i < TILE; i++) {
            int ao = 64 * i; // hsum_float_8 of the row's 8 lane accumulators: (j + j+4), then pairs, then the last two
            FloatVector t0 = FloatVector.fromArray(F, accs, ao).lanewise(VectorOperators.ADD, FloatVector.fromArray(F, accs, ao + 32));
            FloatVector t1 = FloatVector.fromArray(F, accs, ao + 8).lanewise(VectorOperators.ADD, FloatVector.fromArray(F, accs, ao + 40));
            FloatVector t2 = FloatVector.fromArray(F, accs, ao + 16).lanewise(VectorOperators.ADD, FloatVector.fromArray(F, accs, ao + 48));
            FloatVector t3 = FloatVector.fromArray(F, accs, ao + 24).lanewise(VectorOperators.ADD, FloatVector.fromArray(F, accs, ao + 56));
            t0.lanewise(VectorOperators.ADD, t2).lanewise(VectorOperators.ADD, t1.lanewise(VectorOperators.ADD, t3)).lanewise(VectorOperators.ADD, FloatVector.fromArray(F, mins, 8 * i)).intoArray(lanes, 8 * i);
        }
    }

    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final IntVector ROUND16 = IntVector.broadcast(I16, 0x8000);
    private static final FloatVector NEG_ZERO16 = FloatVector.broadcast(F16, -0f);
    private static final IntVector BY16_16 = IntVector.broadcast(I16, 16);

    /** {@link #scaleVectors} for 16 activation rows: scales[16 * (i * nb + k) + lane]. */
    private static void scaleVectorsWide(float[] ws, int wd, int nb, float[] dt, int dOff, float[] out) {
        for (int k = 0; k < nb; k++) {
            FloatVector da = FloatVector.fromArray(F16, dt, dOff + 16 * k);
            int d = wd + 16 * k;
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ws[d])).intoArray(out, 16 * k);
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ws[d + 1])).intoArray(out, 16 * (nb + k));
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ws[d + 2])).intoArray(out, 16 * (2 * nb + k));
            da.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ws[d + 3])).intoArray(out, 16 * (3 * nb + k));
        }
    }

    /** {@link #lanes} for 16 activation rows: accs[128 * i + 16 * j + lane]. */
    private static void lanesWide(float[] wp, int t, int[] xt, int xo, float[] scales, int nb, float[] accs) {
        if (wp.length < 128 * nb || xt.length < xo + 256 * nb || scales.length < 64 * nb || t + TILE > 8) {
            throw new IllegalArgumentException("Q4_1 tile of " + nb + " blocks does not fit its arrays");
        }
        for (int j = 0; j < 8; j++) {
            FloatVector acc0 = FloatVector.zero(F16), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int k = 0; k < nb; k++) {
                int wi = 8 * (16 * k + j) + t, xi = xo + 256 * k + 16 * j;
                IntVector x02 = IntVector.fromArray(I16, xt, xi), x13 = IntVector.fromArray(I16, xt, xi + 128);
                acc0 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 64]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F16, scales, 16 * k), acc0);
                acc1 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 1]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 65]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F16, scales, 16 * (nb + k)), acc1);
                acc2 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 2]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 66]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F16, scales, 16 * (2 * nb + k)), acc2);
                acc3 = ((FloatVector) x02.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 3]).reinterpretAsInts())
                        .lanewise(VectorOperators.ADD, x13.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, wp[wi + 67]).reinterpretAsInts()))
                        .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0))
                        .lanewise(VectorOperators.FMA, FloatVector.fromArray(F16, scales, 16 * (3 * nb + k)), acc3);
            }
            acc0.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(accs, 16 * j);
            acc1.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(accs, 128 + 16 * j);
            acc2.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(accs, 256 + 16 * j);
            acc3.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(accs, 384 + 16 * j);
        }
    }

    /** {@link #minsAndSums} for 16 activation rows, into lanes[16i..]. */
    private static void minsAndSumsWide(float[] accs, float[] ws, int wm, float[] st, int dOff, int nb, float[] mins, float[] lanes) {
        FloatVector m0 = FloatVector.zero(F16), m1 = m0, m2 = m0, m3 = m0;
        for (int k = 0; k < nb; k++) {
            FloatVector sa = FloatVector.fromArray(F16, st, dOff + 16 * k);
            int m = wm + 16 * k;
            m0 = FloatVector.broadcast(F16, ws[m]).lanewise(VectorOperators.FMA, sa, m0);
            m1 = FloatVector.broadcast(F16, ws[m + 1]).lanewise(VectorOperators.FMA, sa, m1);
            m2 = FloatVector.broadcast(F16, ws[m + 2]).lanewise(VectorOperators.FMA, sa, m2);
            m3 = FloatVector.broadcast(F16, ws[m + 3]).lanewise(VectorOperators.FMA, sa, m3);
        }
        m0.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(mins, 0);
        m1.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(mins, 16);
        m2.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(mins, 32);
        m3.lanewise(VectorOperators.ADD, NEG_ZERO16).intoArray(mins, 48);
        for (int i = 0; i < TILE; i++) {
            int ao = 128 * i; // hsum_float_8 as Q4_1Matrix.hsum, in 16 lanes
            FloatVector t0 = FloatVector.fromArray(F16, accs, ao).lanewise(VectorOperators.ADD, FloatVector.fromArray(F16, accs, ao + 64));
            FloatVector t1 = FloatVector.fromArray(F16, accs, ao + 16).lanewise(VectorOperators.ADD, FloatVector.fromArray(F16, accs, ao + 80));
            FloatVector t2 = FloatVector.fromArray(F16, accs, ao + 32).lanewise(VectorOperators.ADD, FloatVector.fromArray(F16, accs, ao + 96));
            FloatVector t3 = FloatVector.fromArray(F16, accs, ao + 48).lanewise(VectorOperators.ADD, FloatVector.fromArray(F16, accs, ao + 112));
            t0.lanewise(VectorOperators.ADD, t2).lanewise(VectorOperators.ADD, t1.lanewise(VectorOperators.ADD, t3)).lanewise(VectorOperators.ADD, FloatVector.fromArray(F16, mins, 16 * i)).intoArray(lanes, 16 * i);
        }
    }
}
