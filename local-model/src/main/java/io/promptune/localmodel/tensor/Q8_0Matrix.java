package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q8_0 weights (blocks of 32: half scale d, 32 int8) with Q8_0 activations, as ggml_vec_dot_q8_0_q8_0:
 * per block the integer dot product times d_w * d_a. The int8 products are summed exactly in float lanes,
 * grouped per lane and reduced as ggml's AVX2 code does (see {@link Activations#quads}).
 */
public final class Q8_0Matrix extends WeightMatrix implements BlockRowKernel.Decoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final int BLOCK_BYTES = 34;

    public Q8_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q8_0, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_0; }

    /** Signed byte k (0..3) of each int lane, as floats: lane j = weight 4j+k of the block. */
    static FloatVector byteOfLanes(IntVector w, int k) {
        IntVector v = k == 3 ? w : w.lanewise(VectorOperators.LSHL, 24 - 8 * k);
        return (FloatVector) v.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
    }

    /**
     * The 8 quad sums of the block whose 32 weight bytes start at {@code q} (lane j = exact sum over
     * elements 4j..4j+3, ggml's AVX2 grouping) as floats: bytes sign-extended into 16-bit lanes, 16-bit
     * products summed in pairs (|b0*a0 + b1*a1| <= 2 * 127 * 127 fits), then the two halves of each int.
     */
    private FloatVector quadSums(long q, short[] x, int xi) {
        ShortVector xEven = ShortVector.fromArray(S, x, xi), xOdd = ShortVector.fromArray(S, x, xi + 16);
        ShortVector s = IntVector.fromMemorySegment(I, data, q, ByteOrder.LITTLE_ENDIAN).reinterpretAsShorts();
        ShortVector even = s.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8); // bytes 4j, 4j+2
        ShortVector odd = s.lanewise(VectorOperators.ASHR, 8);                                    // bytes 4j+1, 4j+3
        IntVector u = even.mul(xEven).add(odd.mul(xOdd)).reinterpretAsInts();
        IntVector quad = u.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u.lanewise(VectorOperators.ASHR, 16));
        return (FloatVector) quad.convert(VectorOperators.I2F, 0);
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        short[] x = a.wordPairs;
        float[] ad = a.d;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        int nb = cols / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            acc = quadSums(p + 2, x, xo + 32 * k).fma(FloatVector.broadcast(F, half(p) * ad[bo + k]), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    @Override
    public BlockRowKernel.Combine combine() { return BlockRowKernel.Combine.LANES; }

    @Override
    public void decodeBlocks(int row, float[] wq, float[] wd, float[] wm) {
        long base = row * rowBytes;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            IntVector w = IntVector.fromMemorySegment(I, data, p + 2, ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < 4; j++) byteOfLanes(w, j).intoArray(wq, 32 * k + 8 * j);
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
            for (int j = 0; j < 32; j++) sumi += data.get(ValueLayout.JAVA_BYTE, p + 2 + j) * a.qBytes[xo + k * 32 + j];
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
            for (int j = 0; j < 32; j++) out[offset + k * 32 + j] = d * data.get(ValueLayout.JAVA_BYTE, p + 2 + j);
        }
    }
}
