package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_K weights (super-blocks of 256: half d, half dmin, 12 bytes of 6-bit sub-block scales and mins,
 * 128 bytes of nibbles) with Q8_K activations, as ggml_vec_dot_q4_K_q8_K: per super-block
 * d*d_a*sum_j(scale_j * sum(q*a)) - dmin*d_a*sum_j(min_j * bsum_j); see {@link KQuantMatrix}.
 */
public final class Q4_KMatrix extends KQuantMatrix {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Q4_KMatrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q4_K, rows, cols, data);
    }

    /** Unpacks the 8 six-bit scales and mins stored in the 12 bytes at {@code p} (get_scale_min_k4). */
    static void scalesAndMins(MemorySegment data, long p, int[] sc, int[] m) {
        long b8 = data.get(LONG_LE, p);           // bytes 0-3: scales 0-3 (+ top bits of 4-7), 4-7: mins 0-3 (+ top bits)
        int b4 = data.get(INT_LE, p + 8);         // bytes 8-11: low nibbles of scales and mins 4-7
        for (int j = 0; j < 4; j++) {
            int lo = (int) (b8 >>> (8 * j)) & 0xFF;
            int mid = (int) (b8 >>> (8 * j + 32)) & 0xFF;
            int hi = (b4 >>> (8 * j)) & 0xFF;
            sc[j] = lo & 63;
            m[j] = mid & 63;
            sc[j + 4] = (hi & 0xF) | ((lo >> 6) << 4);
            m[j + 4] = (hi >> 4) | ((mid >> 6) << 4);
        }
    }

    @Override
    float d(long p) { return half(p); }

    @Override
    float dmin(long p) { return half(p + 2); }

    @Override
    void decode(long p, float[] w, int[] mins) {
        int[] sc = new int[8];
        scalesAndMins(data, p + 4, sc, mins);
        for (int g = 0; g < 4; g++) {
            FloatVector s0 = FloatVector.broadcast(F, sc[2 * g]), s1 = FloatVector.broadcast(F, sc[2 * g + 1]);
            for (int c = 0; c < 4; c++) {
                ByteVector v = ByteVector.fromMemorySegment(B, data, p + 16 + 32L * g + 8 * c, ByteOrder.LITTLE_ENDIAN);
                toFloats(v.and((byte) 0x0F)).mul(s0).intoArray(w, 64 * g + 8 * c);
                toFloats(v.lanewise(VectorOperators.LSHR, 4)).mul(s1).intoArray(w, 64 * g + 32 + 8 * c);
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
            scalesAndMins(data, p + 4, sc, m);
            int sumq = 0;
            for (int j = 0; j < 8; j++) {
                int isum = 0;
                for (int l = 0; l < 32; l++) {
                    int byteIdx = (j / 2) * 32 + l;
                    int qv = data.get(ValueLayout.JAVA_BYTE, p + 16 + byteIdx) & 0xFF;
                    int q = (j % 2 == 0) ? qv & 0xF : qv >>> 4;
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
