package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static io.promptune.localmodel.tensor.Q4_KMatrix.B;
import static io.promptune.localmodel.tensor.Q4_KMatrix.F;
import static io.promptune.localmodel.tensor.Q4_KMatrix.toFloats;

/**
 * Q5_K weights (Q4_K's layout plus 32 bytes of fifth bits before the nibbles; for 64-element group g
 * the low half takes bit 2g of qh[l], the high half bit 2g+1) with Q8_K activations, as
 * ggml_vec_dot_q5_K_q8_K. Lane sums stay below 2^24, so the integer parts are exact.
 */
public final class Q5_KMatrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 176;

    public Q5_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q5_K, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_K; }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        int[] sc = new int[8], m = new int[8];
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int k = 0; k < cols / 256; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            int xi = xo + k * 256;
            Q4_KMatrix.scalesAndMins(data, p + 4, sc, m);
            FloatVector bs = FloatVector.zero(F);
            for (int g = 0; g < 4; g++) {
                long q = p + 48 + 32L * g;
                int xg = xi + 64 * g;
                FloatVector lo = FloatVector.zero(F), hi = FloatVector.zero(F);
                for (int c = 0; c < 4; c++) {
                    ByteVector v = ByteVector.fromMemorySegment(B, data, q + 8 * c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector h = ByteVector.fromMemorySegment(B, data, p + 16 + 8 * c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector h0 = h.lanewise(VectorOperators.LSHR, 2 * g).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
                    ByteVector h1 = h.lanewise(VectorOperators.LSHR, 2 * g + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
                    lo = toFloats(v.and((byte) 0x0F).or(h0)).fma(FloatVector.fromArray(F, x, xg + 8 * c), lo);
                    hi = toFloats(v.lanewise(VectorOperators.LSHR, 4).or(h1)).fma(FloatVector.fromArray(F, x, xg + 32 + 8 * c), hi);
                }
                bs = lo.fma(FloatVector.broadcast(F, sc[2 * g]), bs);
                bs = hi.fma(FloatVector.broadcast(F, sc[2 * g + 1]), bs);
            }
            float da = a.d[bo + k];
            acc = bs.fma(FloatVector.broadcast(F, half(p) * da), acc);
            mins += half(p + 2) * da * Q4_KMatrix.minTerm(a, bo + k, m);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        long base = row * rowBytes;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        int[] sc = new int[8], m = new int[8];
        float sum = 0;
        for (int k = 0; k < cols / 256; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            Q4_KMatrix.scalesAndMins(data, p + 4, sc, m);
            int sumq = 0;
            for (int j = 0; j < 8; j++) {
                int isum = 0;
                for (int l = 0; l < 32; l++) {
                    int qv = data.get(ValueLayout.JAVA_BYTE, p + 48 + (j / 2) * 32 + l) & 0xFF;
                    int hv = data.get(ValueLayout.JAVA_BYTE, p + 16 + l) & 0xFF;
                    int q = ((j % 2 == 0) ? qv & 0xF : qv >>> 4) + (((hv >>> j) & 1) << 4);
                    isum += q * a.qBytes[xo + k * 256 + 32 * j + l];
                }
                sumq += sc[j] * isum;
            }
            int summ = 0;
            for (int j = 0; j < 16; j++) summ += (int) a.s[(bo + k) * 16 + j] * m[j / 2];
            float da = a.d[bo + k];
            sum += half(p) * da * sumq - half(p + 2) * da * summ;
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        QuantFormats.of(type).dequantize(data, row * rowBytes, cols, out, offset);
    }
}
