package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;


/**
 * Q5_K weights (Q4_K's layout plus 32 bytes of fifth bits before the nibbles; for 64-element group g
 * the low half takes bit 2g of qh[l], the high half bit 2g+1) with Q8_K activations, as
 * ggml_vec_dot_q5_K_q8_K; see {@link KQuantMatrix}.
 */
public final class Q5_KMatrix extends KQuantMatrix {
    public Q5_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q5_K, rows, cols, data);
    }

    @Override
    float d(long p) { return half(p); }

    @Override
    float dmin(long p) { return half(p + 2); }

    @Override
    void decode(long p, float[] w, int[] mins) {
        int[] sc = new int[8];
        Q4_KMatrix.scalesAndMins(data, p + 4, sc, mins);
        for (int g = 0; g < 4; g++) {
            FloatVector s0 = FloatVector.broadcast(F, sc[2 * g]), s1 = FloatVector.broadcast(F, sc[2 * g + 1]);
            for (int c = 0; c < 4; c++) {
                ByteVector v = ByteVector.fromMemorySegment(B, data, p + 48 + 32L * g + 8 * c, ByteOrder.LITTLE_ENDIAN);
                ByteVector h = ByteVector.fromMemorySegment(B, data, p + 16 + 8 * c, ByteOrder.LITTLE_ENDIAN);
                ByteVector h0 = h.lanewise(VectorOperators.LSHR, 2 * g).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
                ByteVector h1 = h.lanewise(VectorOperators.LSHR, 2 * g + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
                toFloats(v.and((byte) 0x0F).or(h0)).mul(s0).intoArray(w, 64 * g + 8 * c);
                toFloats(v.lanewise(VectorOperators.LSHR, 4).or(h1)).mul(s1).intoArray(w, 64 * g + 32 + 8 * c);
            }
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
        int[] sc = new int[8], m = new int[8];
        float sum = 0;
        for (int k = 0; k < cols / 256; k++) {
            long p = base + (long) k * type.bytesPerBlock();
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

}
