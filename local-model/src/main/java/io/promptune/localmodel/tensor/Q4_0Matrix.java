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
 * Q4_0 weights (blocks of 32: half scale d, 16 bytes of nibbles; value = d * (nibble - 8); low nibbles
 * are elements 0-15, high nibbles 16-31) with Q8_0 activations, as ggml_vec_dot_q4_0_q8_0.
 */
public final class Q4_0Matrix extends WeightMatrix implements BlockRowKernel.Decoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    private static final int BLOCK_BYTES = 18;

    private final boolean repackedNumerics;

    public Q4_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_0, rows, cols, data);
        this.repackedNumerics = rows % 8 == 0;
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_0; }

    private static final VectorShuffle<Integer> DUP = VectorShuffle.fromValues(I, 0, 1, 2, 3, 0, 1, 2, 3);
    private static final IntVector NIBBLE_SHIFT = IntVector.fromArray(I, new int[]{0, 0, 0, 0, 4, 4, 4, 4}, 0);

    /** The 16 nibble bytes as 8 int lanes: lanes 0-3 hold the low nibbles (elements 0-15), lanes 4-7 the high ones. */
    private IntVector nibbleLanes(long offset) {
        IntVector v = (IntVector) IntVector.fromMemorySegment(I4, data, offset, ByteOrder.LITTLE_ENDIAN).reinterpretShape(I, 0);
        return v.rearrange(DUP).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
    }

    /** Nibble k (0..3) of each lane as floats: lane j = element 4j+k of the block. */
    private static FloatVector nibble(IntVector lanes, int k) {
        return (FloatVector) lanes.lanewise(VectorOperators.LSHR, 8 * k).and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** Lanes 1-4 of a load starting 2 bytes before the block (the 16 nibble bytes) spread as {@link #nibbleLanes} does. */
    private static final VectorShuffle<Integer> BLOCK_NIBBLES = VectorShuffle.fromValues(I, 1, 2, 3, 4, 1, 2, 3, 4);

    /**
     * Per lane j, the exact quad sum of (q-8)*a over elements 4j..4j+3 times 2^16, plus a term below 2^15
     * in magnitude: two products per 32-bit multiply, as {@link Q4_1Matrix} explains (weights here are the
     * exact integers (n0-8) + (n2-8)*2^16). The whole block's sum times 2^16 still fits in an int.
     */
    private static IntVector scaledQuads(IntVector v, int[] m, int mi) {
        return v.and(0x000F000F).sub(0x00080008).mul(IntVector.fromArray(I, m, mi))
                .add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).sub(0x00080008).mul(IntVector.fromArray(I, m, mi + 8)));
    }

    /** The 8 quad sums (ggml's AVX2 lane grouping) as floats. */
    private static FloatVector quadSums(IntVector v, int[] m, int mi) {
        return (FloatVector) scaledQuads(v, m, mi).add(0x8000).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
    }

    /** The block's exact integer sum (as a float). */
    private static float blockSum(IntVector v, int[] m, int mi) {
        return (scaledQuads(v, m, mi).reduceLanes(VectorOperators.ADD) + 0x8000) >> 16;
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        int[] m = a.pairs;
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2;
        int bo = a.blockOffset(b);
        int last = cols / 32 - 1;
        // Blocks 1..last-1 (and block 0 unless it starts the tensor) come from one 32-byte load starting 2 bytes
        // early: the scale in lane 0's upper half, the nibbles in lanes 1-4. The row's last block is loaded
        // separately so no load runs past the tensor's end.
        int k0 = base == 0 ? 0 : -1; // the first block starting the tensor is loaded separately too
        if (repackedNumerics) {
            // llama.cpp repacks Q4_0 matrices with rows % 8 == 0 on AVX2 and accumulates one block sum at a time.
            float acc = 0f;
            if (k0 == 0 && last > 0) {
                acc = Math.fma(blockSum(nibbleLanes(base + 2), m, mo), half(base) * ad[bo], acc);
            }
            for (int k = k0 + 1; k < last; k++) {
                long p = base + (long) k * BLOCK_BYTES;
                IntVector raw = IntVector.fromMemorySegment(I, data, p - 2, ByteOrder.LITTLE_ENDIAN);
                float d = Float.float16ToFloat((short) (raw.lane(0) >>> 16));
                IntVector v = raw.rearrange(BLOCK_NIBBLES).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
                acc = Math.fma(blockSum(v, m, mo + 16 * k), d * ad[bo + k], acc);
            }
            long p = base + (long) last * BLOCK_BYTES;
            return Math.fma(blockSum(nibbleLanes(p + 2), m, mo + 16 * last), half(p) * ad[bo + last], acc);
        }
        FloatVector acc = FloatVector.zero(F);
        if (k0 == 0 && last > 0) {
            acc = quadSums(nibbleLanes(base + 2), m, mo).fma(FloatVector.broadcast(F, half(base) * ad[bo]), acc);
        }
        for (int k = k0 + 1; k < last; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            IntVector raw = IntVector.fromMemorySegment(I, data, p - 2, ByteOrder.LITTLE_ENDIAN);
            float d = Float.float16ToFloat((short) (raw.lane(0) >>> 16));
            IntVector v = raw.rearrange(BLOCK_NIBBLES).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
            acc = quadSums(v, m, mo + 16 * k).fma(FloatVector.broadcast(F, d * ad[bo + k]), acc);
        }
        long p = base + (long) last * BLOCK_BYTES;
        acc = quadSums(nibbleLanes(p + 2), m, mo + 16 * last).fma(FloatVector.broadcast(F, half(p) * ad[bo + last]), acc);
        return GgmlSums.hsum8(acc);
    }

    @Override
    public BlockRowKernel.Combine combine() {
        return repackedNumerics ? BlockRowKernel.Combine.REDUCED : BlockRowKernel.Combine.LANES;
    }

    @Override
    public void decodeBlocks(int row, float[] wq, float[] wd, float[] wm) {
        long base = row * rowBytes;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            IntVector w = nibbleLanes(p + 2);
            for (int j = 0; j < 4; j++) nibble(w, j).intoArray(wq, 32 * k + 8 * j);
            wd[k] = half(p);
        }
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
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
                int q = data.get(ValueLayout.JAVA_BYTE, p + 2 + j) & 0xFF;
                sumi += ((q & 0x0F) - 8) * a.qBytes[xo + k * 32 + j];
                sumi += ((q >>> 4) - 8) * a.qBytes[xo + k * 32 + j + 16];
            }
            sum += sumi * (half(p) * a.d[bo + k]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        long base = row * rowBytes;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            float d = half(p);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + 2 + j) & 0xFF;
                out[offset + k * 32 + j] = d * ((q & 0x0F) - 8);
                out[offset + k * 32 + j + 16] = d * ((q >>> 4) - 8);
            }
        }
    }
}
