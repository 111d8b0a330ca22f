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
 * <p>The tensor is repacked at load time into a layout built for the kernels (the mapped bytes are not
 * read again): per row, blocks go in pairs (A, B), and each pair's 64 nibbles fill 8 ints where int j holds
 * quad j (elements 4j..4j+3) of both blocks as a0|a1<<4|b0<<8|b1<<12|a2<<16|a3<<20|b2<<24|b3<<28. One 256-bit
 * load then gives both blocks, and each block's two weight-pair vectors for the 32-bit multiply trick
 * ({@link #quadSums}) are a shift and a mask away: A = v & 0x000F000F, (v >>> 4) & ..; B = (v >>> 8) & ..,
 * (v >>> 12) & ... A row with an odd block count ends with a half-filled pair. Scales and minimums are
 * kept as floats (fp16 to fp32 is exact, so d_w * d_a is ggml's value), 24 bytes per block instead of 20.
 */
public final class Q4_1Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int BLOCK_BYTES = 20;
    private static final int PAIR_MASK = 0x000F000F;

    /** Activation rows from which a partial group of 8 is cheaper in {@link Q4_1BatchKernel} (lab: 5-6). */
    private static final int GROUP_MIN = 6;
    private final int nb;
    /** Bytes of one repacked row: 32 per pair of blocks. */
    private final long packedRowBytes;
    /** The repacked nibbles, off the heap (a multi-GB model must load with the default heap). */
    private final MemorySegment packed;
    /** Per block (row-major): d and m as floats. */
    private final float[] scales, mins;

    public Q4_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_1, rows, cols, data);
        nb = cols / 32;
        packedRowBytes = 32L * ((nb + 1) / 2);
        packed = Arena.ofAuto().allocate(packedRowBytes * rows, 32);
        scales = new float[rows * nb];
        mins = new float[rows * nb];
        repack();
    }

    private void repack() {
        int[] q = new int[64];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < nb; k++) {
                long p = r * rowBytes + (long) k * BLOCK_BYTES;
                scales[r * nb + k] = half(p);
                mins[r * nb + k] = half(p + 2);
                int o = 32 * (k & 1);
                for (int t = 0; t < 16; t++) {
                    int b = data.get(ValueLayout.JAVA_BYTE, p + 4 + t) & 0xFF;
                    q[o + t] = b & 0x0F;
                    q[o + t + 16] = b >>> 4;
                }
                if ((k & 1) == 1 || k == nb - 1) {
                    if ((k & 1) == 0) java.util.Arrays.fill(q, 32, 64, 0);
                    long dst = r * packedRowBytes + 32L * (k / 2);
                    for (int j = 0; j < 8; j++) {
                        int a = 4 * j, b = 32 + 4 * j;
                        int v = q[a] | q[a + 1] << 4 | q[b] << 8 | q[b + 1] << 12
                                | q[a + 2] << 16 | q[a + 3] << 20 | q[b + 2] << 24 | q[b + 3] << 28;
                        packed.set(ValueLayout.JAVA_INT_UNALIGNED, dst + 4L * j, v);
                    }
                }
            }
        }
    }

    /** Element i (0..31) of block k of row r, from the repacked copy. */
    private int nibble(int r, int k, int i) {
        int v = packed.get(ValueLayout.JAVA_INT_UNALIGNED, r * packedRowBytes + 32L * (k / 2) + 4L * (i >> 2));
        int e = i & 3; // a0 a1 at bits 0, 4; a2 a3 at 16, 20; block B 8 bits higher
        int shift = (e < 2 ? 4 * e : 16 + 4 * (e - 2)) + 8 * (k & 1);
        return (v >>> shift) & 0x0F;
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_1; }

    /** Kernels, dotReference and dequantizeRow read only the repacked copy. */
    @Override
    public boolean repacked() { return true; }

    /**
     * The 8 quad sums of one block (lane j = exact sum of w*a over elements 4j..4j+3, ggml's AVX2 lane
     * grouping) as floats. Two products per 32-bit multiply: a weight int holding w0 + (w2 << 16) times an
     * activation int a2 + (a0 << 16) (see {@link Activations#pairs}) has w0*a0 + w2*a2 in bits 16-31 and
     * w0*a2 (|.| < 2^15) below; adding the w1/w3 product and 2^15 then shifting by 16 leaves the quad sum.
     */
    private static FloatVector quadSums(IntVector w02, IntVector x02, IntVector w13, IntVector x13) {
        IntVector t = w02.mul(x02).add(w13.mul(x13));
        return (FloatVector) t.add(0x8000).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
    }

    private IntVector load(long offset) {
        return IntVector.fromMemorySegment(I, packed, offset, ByteOrder.LITTLE_ENDIAN);
    }

    private static IntVector pairs(IntVector v, int shift) {
        return (shift == 0 ? v : v.lanewise(VectorOperators.LSHR, shift)).and(PAIR_MASK);
    }

    /**
     * Rows {@code row} and {@code row + 1} against activation row {@code b}, sharing its loads; each row's
     * arithmetic is exactly {@link #dot}'s (ggml's): lane chains fma(quad, d_w * d_a, acc) in block order,
     * the min chain fma(m, s, sum), then hsum_float_8 + sum.
     */
    private void dot2(int row, Activations a, int b, float[] o, int oi, int stride) {
        long p0 = row * packedRowBytes, p1 = p0 + packedRowBytes;
        int[] x = a.pairs;
        float[] ad = a.d, as = a.s, ws = scales, wm = mins;
        int xo = a.rowOffset(b) / 2, bo = a.blockOffset(b), s0 = row * nb, s1 = s0 + nb;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float m0 = 0, m1 = 0;
        for (int k = 0; k < nb; k++) {
            // one block per iteration (a block pair's int vector is loaded twice, from L1): a loop body with
            // more Vector API calls hits C2's NodeCountInliningCutoff and loses the intrinsics
            long off = 16L * (k & ~1);
            int sh = 8 * (k & 1);
            IntVector x02 = IntVector.fromArray(I, x, xo + 16 * k), x13 = IntVector.fromArray(I, x, xo + 16 * k + 8);
            float da = ad[bo + k], sa = as[bo + k];
            IntVector v0 = load(p0 + off).lanewise(VectorOperators.LSHR, sh), v1 = load(p1 + off).lanewise(VectorOperators.LSHR, sh);
            acc0 = quadSums(v0.and(PAIR_MASK), x02, v0.lanewise(VectorOperators.LSHR, 4).and(PAIR_MASK), x13)
                    .fma(FloatVector.broadcast(F, ws[s0 + k] * da), acc0);
            acc1 = quadSums(v1.and(PAIR_MASK), x02, v1.lanewise(VectorOperators.LSHR, 4).and(PAIR_MASK), x13)
                    .fma(FloatVector.broadcast(F, ws[s1 + k] * da), acc1);
            m0 = Math.fma(wm[s0 + k], sa, m0); // ggml's compiler contracts summs += m * s
            m1 = Math.fma(wm[s1 + k], sa, m1);
        }
        o[oi] = GgmlSums.hsum8(acc0) + m0;
        o[oi + stride] = GgmlSums.hsum8(acc1) + m1;
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long p0 = row * packedRowBytes;
        int[] x = a.pairs;
        float[] ad = a.d, as = a.s, ws = scales, wm = mins;
        int xo = a.rowOffset(b) / 2, bo = a.blockOffset(b), s0 = row * nb;
        FloatVector acc = FloatVector.zero(F);
        float m = 0;
        for (int k = 0; k < nb; k++) {
            IntVector v = load(p0 + 16L * (k & ~1));
            int sh = 8 * (k & 1);
            acc = quadSums(pairs(v, sh), IntVector.fromArray(I, x, xo + 16 * k), pairs(v, sh + 4), IntVector.fromArray(I, x, xo + 16 * k + 8))
                    .fma(FloatVector.broadcast(F, ws[s0 + k] * ad[bo + k]), acc);
            m = Math.fma(wm[s0 + k], as[bo + k], m);
        }
        return GgmlSums.hsum8(acc) + m;
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        dotEach(r0, r1, a, 0, out, outCol0);
    }

    /** Activation rows b0.. one at a time, two weight rows per pass (sharing the activation loads). */
    private void dotEach(int r0, int r1, Activations a, int b0, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int b = b0; b < a.rows; b++) {
            int r = r0;
            for (; r + 1 < r1; r += 2) dot2(r, a, b, o, b * oc + outCol0 + r, 1);
            if (r < r1) o[b * oc + outCol0 + r] = dot(r, a, b);
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
        dotEach(r0, r1, a, grouped, out, outCol0);
    }

    /**
     * Row {@code row}'s weight-pair ints for {@link Q4_1BatchKernel}: per block k, out[16k + j] = w[4j] + (w[4j+2] << 16)
     * and out[16k + 8 + j] = w[4j+1] + (w[4j+3] << 16) (a row with an odd block count gets a zero block at the end).
     */
    void weightPairs(int row, int[] out) {
        long p = row * packedRowBytes;
        for (int kk = 0; kk < (nb + 1) / 2; kk++) {
            IntVector v = load(p + 32L * kk);
            v.and(PAIR_MASK).intoArray(out, 32 * kk);
            v.lanewise(VectorOperators.LSHR, 4).and(PAIR_MASK).intoArray(out, 32 * kk + 8);
            v.lanewise(VectorOperators.LSHR, 8).and(PAIR_MASK).intoArray(out, 32 * kk + 16);
            v.lanewise(VectorOperators.LSHR, 12).and(PAIR_MASK).intoArray(out, 32 * kk + 24);
        }
    }

    /** For rows q0..q3 and every block k: scales[8 * (i * nb + k) + lane] = d_w(row qi, k) * dt[dOff + 8k + lane]. */
    void scaleVectors(int q0, int q1, int q2, int q3, float[] dt, int dOff, float[] out) {
        float[] ws = scales;
        for (int k = 0; k < nb; k++) {
            FloatVector da = FloatVector.fromArray(F, dt, dOff + 8 * k);
            da.mul(ws[q0 * nb + k]).intoArray(out, 8 * k);
            da.mul(ws[q1 * nb + k]).intoArray(out, 8 * (nb + k));
            da.mul(ws[q2 * nb + k]).intoArray(out, 8 * (2 * nb + k));
            da.mul(ws[q3 * nb + k]).intoArray(out, 8 * (3 * nb + k));
        }
    }

    /** The per-block minimums as floats, row-major (nb per row). */
    float[] minsArray() { return mins; }

    @Override
    public float dotReference(int row, Activations a, int b) {
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < nb; k++) {
            int sumi = 0;
            for (int i = 0; i < 32; i++) sumi += nibble(row, k, i) * a.qBytes[xo + k * 32 + i];
            sum += sumi * (scales[row * nb + k] * a.d[bo + k]) + mins[row * nb + k] * a.s[bo + k];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        for (int k = 0; k < nb; k++) {
            float d = scales[row * nb + k], m = mins[row * nb + k];
            for (int i = 0; i < 32; i++) out[offset + k * 32 + i] = d * nibble(row, k, i) + m;
        }
    }
}
