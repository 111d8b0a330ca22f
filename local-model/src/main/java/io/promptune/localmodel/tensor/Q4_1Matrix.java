package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_1 weights (blocks of 32: half scale d, half minimum m, 16 bytes of nibbles; value = d * nibble + m)
 * with Q8_1 activations, as ggml_vec_dot_q4_1_q8_1: d_w*d_a*sum(q_w*q_a) + m_w*s_a per block.
 */
public final class Q4_1Matrix extends WeightMatrix implements BlockRowKernel.Decoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    private static final int BLOCK_BYTES = 20;

    public Q4_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_1, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_1; }

    private static final VectorShuffle<Integer> DUP = VectorShuffle.fromValues(I, 0, 1, 2, 3, 0, 1, 2, 3);
    private static final IntVector NIBBLE_SHIFT = IntVector.fromArray(I, new int[]{0, 0, 0, 0, 4, 4, 4, 4}, 0);

    /** The 16 nibble bytes as 8 int lanes: lanes 0-3 hold the low nibbles (elements 0-15), lanes 4-7 the high ones. */
    private IntVector nibbleLanes(long offset) {
        IntVector v = (IntVector) IntVector.fromMemorySegment(I4, data, offset, ByteOrder.LITTLE_ENDIAN).reinterpretShape(I, 0);
        return v.rearrange(DUP).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
    }

    /** Nibble k (0..3) of each lane as floats: lane j = element 4j+k of the block. */
    private static FloatVector nibble(IntVector lanes, int k) {
        return (FloatVector) lanes.lanewise(VectorOperators.LSHR, 8 * k).and(0x0F).convert(VectorOperators.I2F, 0);
    }

    /** Lanes 1-4 of a whole-block load (the 16 nibble bytes) spread as {@link #nibbleLanes} does. */
    private static final VectorShuffle<Integer> BLOCK_NIBBLES = VectorShuffle.fromValues(I, 1, 2, 3, 4, 1, 2, 3, 4);

    /**
     * The 8 quad sums of one block (lane j = exact sum of w*a over elements 4j..4j+3, ggml's AVX2 lane
     * grouping) as floats. Two products per 32-bit multiply: a weight int holding w0 + (w2 << 16) times an
     * activation int a2 + (a0 << 16) (see {@link Activations#pairs}) has w0*a0 + w2*a2 in bits 16-31 and
     * w0*a2 (|.| < 2^15) below; adding the w1/w3 product and 2^15 then shifting by 16 leaves the quad sum.
     */
    private static FloatVector quadSums(IntVector v, int[] m, int mi) {
        return quadSums(v, IntVector.fromArray(I, m, mi), IntVector.fromArray(I, m, mi + 8));
    }

    private static FloatVector quadSums(IntVector v, IntVector ma, IntVector mb) {
        IntVector t = v.and(0x000F000F).mul(ma).add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).mul(mb));
        return (FloatVector) t.add(0x8000).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
    }

    /**
     * Rows {@code row} and {@code row + 1} against the single activation row, sharing its loads; each row's
     * arithmetic is exactly {@link #dot}'s. Neither row may be the tensor's last: every block is read with
     * one 32-byte load, which for a row's last block runs into the next row.
     */
    private void dot2(int row, Activations a, float[] o, int oi) {
        long base0 = row * rowBytes, base1 = base0 + rowBytes;
        int[] m = a.pairs;
        float[] ad = a.d, as = a.s;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float mins0 = 0, mins1 = 0;
        for (int k = 0; k < cols / 32; k++) {
            long off = (long) k * BLOCK_BYTES;
            IntVector ma = IntVector.fromArray(I, m, 16 * k), mb = IntVector.fromArray(I, m, 16 * k + 8);
            float da = ad[k], sa = as[k];
            IntVector raw0 = IntVector.fromMemorySegment(I, data, base0 + off, ByteOrder.LITTLE_ENDIAN);
            IntVector raw1 = IntVector.fromMemorySegment(I, data, base1 + off, ByteOrder.LITTLE_ENDIAN);
            int h0 = raw0.lane(0), h1 = raw1.lane(0);
            acc0 = quadSums(raw0.rearrange(BLOCK_NIBBLES).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT), ma, mb)
                    .fma(FloatVector.broadcast(F, Float.float16ToFloat((short) h0) * da), acc0);
            acc1 = quadSums(raw1.rearrange(BLOCK_NIBBLES).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT), ma, mb)
                    .fma(FloatVector.broadcast(F, Float.float16ToFloat((short) h1) * da), acc1);
            mins0 = Math.fma(Float.float16ToFloat((short) (h0 >>> 16)), sa, mins0);
            mins1 = Math.fma(Float.float16ToFloat((short) (h1 >>> 16)), sa, mins1);
        }
        o[oi] = GgmlSums.hsum8(acc0) + mins0;
        o[oi + 1] = GgmlSums.hsum8(acc1) + mins1;
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        int[] m = a.pairs;
        float[] ad = a.d, as = a.s;
        int mo = a.rowOffset(b) / 2;
        int bo = a.blockOffset(b);
        int last = cols / 32 - 1;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int k = 0; k < last; k++) {
            // one 32-byte load: the 4-byte header (d, m) in lane 0, the nibbles in lanes 1-4 (the rest is the next block)
            long p = base + (long) k * BLOCK_BYTES;
            IntVector raw = IntVector.fromMemorySegment(I, data, p, ByteOrder.LITTLE_ENDIAN);
            int h = raw.lane(0);
            IntVector v = raw.rearrange(BLOCK_NIBBLES).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
            acc = quadSums(v, m, mo + 16 * k).fma(FloatVector.broadcast(F, Float.float16ToFloat((short) h) * ad[bo + k]), acc);
            mins = Math.fma(Float.float16ToFloat((short) (h >>> 16)), as[bo + k], mins); // ggml's compiler contracts summs += m * s
        }
        long p = base + (long) last * BLOCK_BYTES; // the row's last block: separate loads, never past the tensor's end
        acc = quadSums(nibbleLanes(p + 4), m, mo + 16 * last).fma(FloatVector.broadcast(F, half(p) * ad[bo + last]), acc);
        mins = Math.fma(half(p + 2), as[bo + last], mins);
        return GgmlSums.hsum8(acc) + mins;
    }

    @Override
    public BlockRowKernel.Combine combine() { return BlockRowKernel.Combine.LANES_PLUS_MINS; }

    @Override
    public void decodeBlocks(int row, float[] wq, float[] wd, float[] wm) {
        long base = row * rowBytes;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            IntVector w = nibbleLanes(p + 4);
            for (int j = 0; j < 4; j++) nibble(w, j).intoArray(wq, 32 * k + 8 * j);
            wd[k] = half(p);
            wm[k] = half(p + 2);
        }
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        int r = r0;
        if (a.rows == 1) {
            for (; r + 1 < r1 && r + 1 < rows - 1; r += 2) dot2(r, a, o, outCol0 + r);
        }
        for (; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        long base = row * rowBytes;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + 4 + j) & 0xFF;
                sumi += (q & 0x0F) * a.qBytes[xo + k * 32 + j];
                sumi += (q >>> 4) * a.qBytes[xo + k * 32 + j + 16];
            }
            sum += sumi * (half(p) * a.d[bo + k]) + half(p + 2) * a.s[bo + k];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        long base = row * rowBytes;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            float d = half(p), m = half(p + 2);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + 4 + j) & 0xFF;
                out[offset + k * 32 + j] = d * (q & 0x0F) + m;
                out[offset + k * 32 + j + 16] = d * (q >>> 4) + m;
            }
        }
    }
}
