package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q5_1 weights (blocks of 32: half d, half m, 32 fifth bits, 16 bytes of nibbles; value = d * q + m)
 * with Q8_1 activations, as ggml_vec_dot_q5_1_q8_1: d_w*d_a*sum(q_w*q_a) + m_w*s_a per block.
 */
public final class Q5_1Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int BLOCK_BYTES = 24;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Q5_1Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q5_1, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_1; }

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
            int qh = data.get(INT_LE, p + 4);
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, p + 8, ByteOrder.LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, p + 16, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = Q5_0Matrix.toFloats(q0.and((byte) 0x0F).or(Q5_0Matrix.highBits(qh, 0))).mul(FloatVector.fromArray(F, x, xi));
            s = Q5_0Matrix.toFloats(q1.and((byte) 0x0F).or(Q5_0Matrix.highBits(qh, 8))).fma(FloatVector.fromArray(F, x, xi + 8), s);
            s = Q5_0Matrix.toFloats(q0.lanewise(VectorOperators.LSHR, 4).or(Q5_0Matrix.highBits(qh, 16))).fma(FloatVector.fromArray(F, x, xi + 16), s);
            s = Q5_0Matrix.toFloats(q1.lanewise(VectorOperators.LSHR, 4).or(Q5_0Matrix.highBits(qh, 24))).fma(FloatVector.fromArray(F, x, xi + 24), s);
            acc = s.fma(FloatVector.broadcast(F, half(p) * a.d[bo + k]), acc);
            mins += half(p + 2) * a.s[bo + k];
        }
        return GgmlSums.hsum8(acc) + mins;
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
            int qh = data.get(INT_LE, p + 4);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + 8 + j) & 0xFF;
                sumi += ((q & 0x0F) | (((qh >>> j) & 1) << 4)) * a.qBytes[xo + k * 32 + j];
                sumi += ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) * a.qBytes[xo + k * 32 + j + 16];
            }
            sum += sumi * (half(p) * a.d[bo + k]) + half(p + 2) * a.s[bo + k];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        QuantFormats.of(type).dequantize(data, row * rowBytes, cols, out, offset);
    }
}
