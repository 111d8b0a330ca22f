package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_1 weights (blocks of 32: half scale d, half minimum m, 16 bytes of nibbles; value = d * nibble + m)
 * with Q8_1 activations, as ggml_vec_dot_q4_1_q8_1: d_w*d_a*sum(q_w*q_a) + m_w*s_a per block.
 *
 * <p>The tensor is repacked at load time (the mapped bytes are not read again) with 8 rows interleaved per
 * block, as llama.cpp's block_q4_0x8 does for Q4_0, so that the matrix-vector kernel ({@link #groupDot}) runs
 * 8 rows in the 8 lanes: one off-heap stream, per 8-row group first nb blocks of 64 bytes = the 8 rows' d as
 * floats (fp16 to fp32 is exact, so d_w * d_a is ggml's value) and their 8 m as floats, then 4 sections v of
 * nb vectors of 8 ints, where vector (v, k) lane l holds quads 2v and 2v+1 (elements 8v..8v+7) of row l's
 * block k as a0|a1<<4|b0<<8|b1<<12|a2<<16|a3<<20|b2<<24|b3<<28. The kernel reads each section front to
 * back in its own pass, so the group streams sequentially. Each quad's two weight-pair vectors for the 32-bit
 * multiply trick ({@link #quadSums}) are then a shift and a mask away: quad 2v = v & 0x000F000F,
 * (v >>> 4) & ..; quad 2v+1 = (v >>> 8) & .., (v >>> 12) & ... The last group of a row count that is not a
 * multiple of 8 is zero-padded (its padding rows are computed, never written). 24 bytes per row and block.
 */
public final class Q4_1Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK_BYTES = 20;
    private static final int PAIR_MASK = 0x000F000F;
    /** Bytes of one 8-row group's block in {@link #packed}: 8 d, 8 m (floats), 32 nibble ints. */
    private static final int GROUP_BLOCK = 192;

    /** Activation rows from which a partial group of 8 is cheaper in {@link Q4_1BatchKernel} (lab: 5-6). */
    static final int GROUP_MIN = 6;
    private final int nb;
    /** Bytes of one 8-row group: nb * {@link #GROUP_BLOCK}. */
    private final long groupBytes;
    /** The repacked tensor, off the heap (a multi-GB model must load with the default heap). */
    private final MemorySegment packed;

    public Q4_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_1, rows, cols, data);
        nb = cols / 32;
        groupBytes = (long) nb * GROUP_BLOCK;
        packed = Arena.ofAuto().allocate(groupBytes * ((rows + 7) / 8), 64);
        repack();
    }

    private void repack() {
        int[] q = new int[32];
        for (int r = 0; r < rows; r++) {
            int l = r & 7;
            for (int k = 0; k < nb; k++) {
                long p = r * rowBytes + (long) k * BLOCK_BYTES, dst = (r >> 3) * groupBytes;
                packed.set(FLOAT_LE, dst + 64L * k + 4L * l, half(p));
                packed.set(FLOAT_LE, dst + 64L * k + 32 + 4L * l, half(p + 2));
                for (int t = 0; t < 16; t++) {
                    int b = data.get(ValueLayout.JAVA_BYTE, p + 4 + t) & 0xFF;
                    q[t] = b & 0x0F;
                    q[t + 16] = b >>> 4;
                }
                for (int v = 0; v < 4; v++) {
                    int a = 8 * v, b = a + 4;
                    int x = q[a] | q[a + 1] << 4 | q[b] << 8 | q[b + 1] << 12
                            | q[a + 2] << 16 | q[a + 3] << 20 | q[b + 2] << 24 | q[b + 3] << 28;
                    packed.set(INT_LE, nibbles(dst, v, k) + 4L * l, x);
                }
            }
        }
    }

    /** Offset of nibble vector (v, k) of the group at {@code base}. */
    private long nibbles(long base, int v, int k) {
        return base + 64L * nb + 32L * ((long) v * nb + k);
    }

    /** Element i (0..31) of block k of row r, from the repacked copy. */
    private int nibble(int r, int k, int i) {
        int v = packed.get(INT_LE, nibbles((r >> 3) * groupBytes, i >> 3, k) + 4L * (r & 7));
        int e = i & 3; // a0 a1 at bits 0, 4; a2 a3 at 16, 20; the odd quad 8 bits higher
        int shift = (e < 2 ? 4 * e : 16 + 4 * (e - 2)) + 8 * ((i >> 2) & 1);
        return (v >>> shift) & 0x0F;
    }

    private float scale(int r, int k) { return packed.get(FLOAT_LE, (r >> 3) * groupBytes + 64L * k + 4L * (r & 7)); }

    private float min(int r, int k) { return packed.get(FLOAT_LE, (r >> 3) * groupBytes + 64L * k + 32 + 4L * (r & 7)); }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_1; }

    /** Kernels, dotReference and dequantizeRow read only the repacked copy. */
    @Override
    public boolean repacked() { return true; }

    /**
     * One quad's sums for 8 lanes (lane = exact sum of w*a over the quad's 4 elements) as floats. Two products
     * per 32-bit multiply: a weight int holding w0 + (w2 << 16) times an activation int a2 + (a0 << 16) (see
     * {@link Activations#pairs}) has w0*a0 + w2*a2 in bits 16-31 and w0*a2 (|.| < 2^15) below; adding the w1/w3
     * product and 2^15 then shifting by 16 leaves the quad sum.
     */
    static FloatVector quadSums(IntVector w02, int x02, IntVector w13, int x13) {
        IntVector t = w02.mul(x02).add(w13.mul(x13));
        return (FloatVector) t.add(0x8000).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
    }

    private IntVector load(long offset) {
        return IntVector.fromMemorySegment(I, packed, offset, ByteOrder.LITTLE_ENDIAN);
    }

    /** A thread's per-call arrays: the group's scale vectors and lane accumulators. */
    private static final class Scratch {
        float[] scales = new float[0];
        final float[] accs = new float[64];

        Scratch fit(int nb) {
            if (scales.length < 8 * nb) scales = new float[8 * nb];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Rows 8g..8g+7 (in the lanes) against activation row {@code b}, each lane exactly ggml_vec_dot_q4_1_q8_1's
     * arithmetic for its row: ggml lane j's chain fma(quad_j, d_w * d_a, acc_j) in block order (one register per
     * j, filled two j at a time), the min chain fma(m, s, sum) in block order, then hsum_float_8(acc) + sum as
     * vector adds across the j registers.
     */
    private FloatVector groupDot(int g, Activations a, int b, Scratch s) {
        long base = g * groupBytes;
        int[] x = a.pairs;
        float[] ad = a.d, as = a.s, sc = s.scales, accs = s.accs;
        int xo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        FloatVector mins = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) {
            long p = base + 64L * k;
            FloatVector.fromMemorySegment(F, packed, p, ByteOrder.LITTLE_ENDIAN).mul(ad[bo + k]).intoArray(sc, 8 * k);
            mins = FloatVector.fromMemorySegment(F, packed, p + 32, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.broadcast(F, as[bo + k]), mins);
        }
        for (int v = 0; v < 4; v++) quadPair(nibbles(base, v, 0), x, xo + 2 * v, sc, accs, 16 * v);
        return hsum(accs, 0).add(mins);
    }

    /** ggml lanes 2v and 2v+1 of 8 rows over all blocks (section v's nibble vectors from {@code p} on). */
    private void quadPair(long p, int[] x, int xo, float[] sc, float[] accs, int ao) {
        FloatVector accA = FloatVector.zero(F), accB = accA;
        for (int k = 0; k < nb; k++) {
            IntVector w = load(p + 32L * k);
            int xi = xo + 16 * k;
            FloatVector d = FloatVector.fromArray(F, sc, 8 * k);
            accA = quadSums(w.and(PAIR_MASK), x[xi], w.lanewise(VectorOperators.LSHR, 4).and(PAIR_MASK), x[xi + 8]).fma(d, accA);
            accB = quadSums(w.lanewise(VectorOperators.LSHR, 8).and(PAIR_MASK), x[xi + 1],
                    w.lanewise(VectorOperators.LSHR, 12).and(PAIR_MASK), x[xi + 9]).fma(d, accB);
        }
        accA.intoArray(accs, ao);
        accB.intoArray(accs, ao + 8);
    }

    /**
     * hsum_float_8 of each lane's 8 ggml lanes (acc_j at accs[ao + 8j], rows in the lanes): (j + j+4), then
     * pairs, then the last two.
     */
    static FloatVector hsum(float[] accs, int ao) {
        FloatVector t0 = FloatVector.fromArray(F, accs, ao).add(FloatVector.fromArray(F, accs, ao + 32));
        FloatVector t1 = FloatVector.fromArray(F, accs, ao + 8).add(FloatVector.fromArray(F, accs, ao + 40));
        FloatVector t2 = FloatVector.fromArray(F, accs, ao + 16).add(FloatVector.fromArray(F, accs, ao + 48));
        FloatVector t3 = FloatVector.fromArray(F, accs, ao + 24).add(FloatVector.fromArray(F, accs, ao + 56));
        return t0.add(t2).add(t1.add(t3));
    }

    @Override
    public float dot(int row, Activations a, int b) {
        return groupDot(row >> 3, a, b, SCRATCH.get().fit(nb)).lane(row & 7);
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        dotEach(r0, r1, a, 0, out, outCol0);
    }

    /** Activation rows b0.. one at a time, 8 weight rows per pass; rows of [r0, r1) are written. */
    private void dotEach(int r0, int r1, Activations a, int b0, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        Scratch s = SCRATCH.get().fit(nb);
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            for (int b = b0; b < a.rows; b++) {
                FloatVector v = groupDot(g, a, b, s);
                int ob = b * oc + outCol0 + 8 * g;
                if (8 * g >= r0 && 8 * g + 8 <= r1) {
                    v.intoArray(o, ob);
                } else {
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) o[ob + l] = v.lane(l);
                }
            }
        }
    }

    /**
     * Batches: groups of 8 activation rows go through {@link Q4_1BatchKernel}, and so does a last partial
     * group of at least {@link #GROUP_MIN} rows; fewer rows are cheaper one at a time (a group's cost does
     * not shrink with its row count).
     */
    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int grouped = a.rows % 8 >= GROUP_MIN ? a.rows : a.rows / 8 * 8;
        if (grouped > 0) Q4_1BatchKernel.dotRows(this, r0, r1, a, grouped, out, outCol0);
        if (grouped < a.rows) dotEach(r0, r1, a, grouped, out, outCol0);
    }

    /**
     * Group g's weight-pair ints for {@link Q4_1BatchKernel}, rows in the lanes: per block k and quad j,
     * out[8 * (16k + j) + l] = w[4j] + (w[4j+2] << 16) and out[8 * (16k + 8 + j) + l] = w[4j+1] + (w[4j+3] << 16)
     * of row 8g + l.
     */
    void groupPairs(int g, int[] out) {
        long p = g * groupBytes;
        for (int k = 0; k < nb; k++) {
            for (int v = 0; v < 4; v++) {
                IntVector w = load(nibbles(p, v, k));
                int o = 8 * (16 * k + 2 * v);
                w.and(PAIR_MASK).intoArray(out, o);
                w.lanewise(VectorOperators.LSHR, 4).and(PAIR_MASK).intoArray(out, o + 64);
                w.lanewise(VectorOperators.LSHR, 8).and(PAIR_MASK).intoArray(out, o + 8);
                w.lanewise(VectorOperators.LSHR, 12).and(PAIR_MASK).intoArray(out, o + 72);
            }
        }
    }

    /** Group g's scales and minimums, rows in the lanes: d[8k + l], m[8k + l] of row 8g + l's block k. */
    void groupScales(int g, float[] d, float[] m) {
        long p = g * groupBytes;
        for (int k = 0; k < nb; k++) {
            FloatVector.fromMemorySegment(F, packed, p + 64L * k, ByteOrder.LITTLE_ENDIAN).intoArray(d, 8 * k);
            FloatVector.fromMemorySegment(F, packed, p + 64L * k + 32, ByteOrder.LITTLE_ENDIAN).intoArray(m, 8 * k);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < nb; k++) {
            int sumi = 0;
            for (int i = 0; i < 32; i++) sumi += nibble(row, k, i) * a.qBytes[xo + k * 32 + i];
            sum += sumi * (scale(row, k) * a.d[bo + k]) + min(row, k) * a.s[bo + k];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        for (int k = 0; k < nb; k++) {
            float d = scale(row, k), m = min(row, k);
            for (int i = 0; i < 32; i++) out[offset + k * 32 + i] = d * nibble(row, k, i) + m;
        }
    }
}
