package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
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
public final class Q4_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int BLOCK_BYTES = 18;

    public Q4_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_0, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_0; }

    private static FloatVector toFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        int nb = cols / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            int xi = xo + k * 32;
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, p + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, p + 10, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = toFloats(q0.and((byte) 0x0F).sub((byte) 8)).mul(FloatVector.fromArray(F, x, xi));
            s = toFloats(q1.and((byte) 0x0F).sub((byte) 8)).fma(FloatVector.fromArray(F, x, xi + 8), s);
            s = toFloats(q0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).fma(FloatVector.fromArray(F, x, xi + 16), s);
            s = toFloats(q1.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).fma(FloatVector.fromArray(F, x, xi + 24), s);
            acc = s.fma(FloatVector.broadcast(F, half(p) * a.d[bo + k]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
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
