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
 * Q4_1 weights (blocks of 32: half scale d, half minimum m, 16 bytes of nibbles; value = d * nibble + m)
 * with Q8_1 activations, as ggml_vec_dot_q4_1_q8_1: d_w*d_a*sum(q_w*q_a) + m_w*s_a per block.
 */
public final class Q4_1Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int BLOCK_BYTES = 20;

    public Q4_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_1, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_1; }

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
        float mins = 0;
        for (int k = 0; k < nb; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            int xi = xo + k * 32;
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, p + 4, ByteOrder.LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, p + 12, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = toFloats(q0.and((byte) 0x0F)).mul(FloatVector.fromArray(F, x, xi));
            s = toFloats(q1.and((byte) 0x0F)).fma(FloatVector.fromArray(F, x, xi + 8), s);
            s = toFloats(q0.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xi + 16), s);
            s = toFloats(q1.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xi + 24), s);
            acc = s.fma(FloatVector.broadcast(F, half(p) * a.d[bo + k]), acc);
            mins += half(p + 2) * a.s[bo + k];
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
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
