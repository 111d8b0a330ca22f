package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;


/**
 * Q6_K weights (super-blocks of 256: ql[128] low nibbles, qh[64] high bit pairs, 16 int8 scales, half d;
 * value = d * scale_j * (q - 32)) with Q8_K activations, as ggml_vec_dot_q6_K_q8_K. Per 128 values,
 * byte l of ql/qh feeds elements l, l+32, l+64 and l+96; see {@link KQuantMatrix}.
 */
public final class Q6_KMatrix extends KQuantMatrix {
    public Q6_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q6_K, rows, cols, data);
    }

    private static ByteVector six(ByteVector low4, ByteVector high, int shift) {
        return low4.or(high.lanewise(VectorOperators.LSHR, shift).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
    }

    @Override
    float d(long p) { return half(p + 208); }

    @Override
    float dmin(long p) { return 0f; }

    @Override
    void decode(long p, float[] w, int[] mins) {
        for (int h = 0; h < 2; h++) {
            long ql = p + 64L * h, qh = p + 128 + 32L * h, sc = p + 192 + 8L * h;
            for (int c = 0; c < 4; c++) {
                long s = sc + c / 2; // one int8 scale per 16 values
                ByteVector lo = ByteVector.fromMemorySegment(B, data, ql + 8 * c, ByteOrder.LITTLE_ENDIAN);
                ByteVector hi = ByteVector.fromMemorySegment(B, data, ql + 32 + 8 * c, ByteOrder.LITTLE_ENDIAN);
                ByteVector hh = ByteVector.fromMemorySegment(B, data, qh + 8 * c, ByteOrder.LITTLE_ENDIAN);
                int o = 128 * h + 8 * c;
                toFloats(six(lo.and((byte) 0x0F), hh, 0)).mul(data.get(ValueLayout.JAVA_BYTE, s)).intoArray(w, o);
                toFloats(six(hi.and((byte) 0x0F), hh, 2)).mul(data.get(ValueLayout.JAVA_BYTE, s + 2)).intoArray(w, o + 32);
                toFloats(six(lo.lanewise(VectorOperators.LSHR, 4), hh, 4)).mul(data.get(ValueLayout.JAVA_BYTE, s + 4)).intoArray(w, o + 64);
                toFloats(six(hi.lanewise(VectorOperators.LSHR, 4), hh, 6)).mul(data.get(ValueLayout.JAVA_BYTE, s + 6)).intoArray(w, o + 96);
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
        float sum = 0;
        int[] q = new int[256];
        for (int k = 0; k < cols / 256; k++) {
            long p = base + (long) k * type.bytesPerBlock();
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int lo = data.get(ValueLayout.JAVA_BYTE, p + 64 * h + l) & 0xFF;
                    int hi = data.get(ValueLayout.JAVA_BYTE, p + 64 * h + 32 + l) & 0xFF;
                    int hh = data.get(ValueLayout.JAVA_BYTE, p + 128 + 32 * h + l) & 0xFF;
                    q[128 * h + l] = ((lo & 0xF) | ((hh & 3) << 4)) - 32;
                    q[128 * h + l + 32] = ((hi & 0xF) | (((hh >> 2) & 3) << 4)) - 32;
                    q[128 * h + l + 64] = ((lo >>> 4) | (((hh >> 4) & 3) << 4)) - 32;
                    q[128 * h + l + 96] = ((hi >>> 4) | (((hh >> 6) & 3) << 4)) - 32;
                }
            }
            int sumq = 0;
            for (int j = 0; j < 16; j++) {
                int isum = 0;
                for (int l = 0; l < 16; l++) isum += q[16 * j + l] * a.qBytes[xo + k * 256 + 16 * j + l];
                sumq += data.get(ValueLayout.JAVA_BYTE, p + 192 + j) * isum;
            }
            sum += half(p + 208) * a.d[bo + k] * sumq;
        }
        return sum;
    }

}
