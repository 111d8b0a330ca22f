package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
        super(name, GgmlType.Q4_K, rows, cols, data, Mins.FOUR_LANES);
    }

    /** Unpacks the 8 six-bit scales and mins stored in the 12 bytes at {@code p} (get_scale_min_k4). */
    static void scalesAndMins(MemorySegment data, long p, int[] sc, int[] m) {
        scalesAndMins(data, p, sc, m, 0);
    }

    /** As above, the mins written from {@code m[mo]}. */
    static void scalesAndMins(MemorySegment data, long p, int[] sc, int[] m, int mo) {
        long b8 = data.get(LONG_LE, p);           // bytes 0-3: scales 0-3 (+ top bits of 4-7), 4-7: mins 0-3 (+ top bits)
        int b4 = data.get(INT_LE, p + 8);         // bytes 8-11: low nibbles of scales and mins 4-7
        for (int j = 0; j < 4; j++) {
            int lo = (int) (b8 >>> (8 * j)) & 0xFF;
            int mid = (int) (b8 >>> (8 * j + 32)) & 0xFF;
            int hi = (b4 >>> (8 * j)) & 0xFF;
            sc[j] = lo & 63;
            m[mo + j] = mid & 63;
            sc[j + 4] = (hi & 0xF) | ((lo >> 6) << 4);
            m[mo + j + 4] = (hi >> 4) | ((mid >> 6) << 4);
        }
    }

    @Override
    void decodeRow(int row, Decoded out) {
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            out.d[k] = half(p);
            out.dmin[k] = half(p + 2);
            int[] sc = out.sub;
            scalesAndMins(data, p + 4, sc, out.mins, 8 * k);
            for (int h = 0; h < 4; h++) {
                // 32 bytes: low nibbles are group 2h, high nibbles group 2h+1; int lane j holds quad j of both
                IntVector v = IntVector.fromMemorySegment(I, data, p + 16 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int g = 8 * k + 2 * h;
                v.and(0x000F000F).intoArray(out.w, 16 * g);
                v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).intoArray(out.w, 16 * g + 8);
                v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).intoArray(out.w, 16 * g + 16);
                v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).intoArray(out.w, 16 * g + 24);
                IntVector.broadcast(I, sc[2 * h]).intoArray(out.sc, 8 * g);
                IntVector.broadcast(I, sc[2 * h + 1]).intoArray(out.sc, 8 * g + 8);
            }
        }
    }

    /**
     * One row without the decoded form (the matrix-vector case): the same integer lanes and float
     * operations as {@link KQuantMatrix}'s decoded path, so both give identical results.
     */
    @Override
    public float dot(int row, Activations a, int b) {
        Decoded s = scratch();
        int[] sc = s.sub, mn = s.mins, m = a.pairs, q8s = a.sums32;
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        FloatVector acc = FloatVector.zero(F);
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            scalesAndMins(data, p + 4, sc, mn, 0);
            IntVector sumi = IntVector.zero(I);
            for (int h = 0; h < 4; h++) {
                IntVector v = IntVector.fromMemorySegment(I, data, p + 16 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int mi = mo + 16 * (8 * k + 2 * h);
                IntVector lo = v.and(0x000F000F).mul(IntVector.fromArray(I, m, mi))
                        .add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).mul(IntVector.fromArray(I, m, mi + 8)));
                IntVector hi = v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).mul(IntVector.fromArray(I, m, mi + 16))
                        .add(v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).mul(IntVector.fromArray(I, m, mi + 24)));
                sumi = sumi.add(lo.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(sc[2 * h]))
                        .add(hi.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(sc[2 * h + 1]));
            }
            float da = ad[bo + k];
            acc = ((FloatVector) sumi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, da * half(p)), acc);
            float dmin = -da * half(p + 2);
            int so = 8 * (bo + k);
            m0 = Math.fma(dmin, (float) (mn[0] * q8s[so] + mn[1] * q8s[so + 1]), m0);
            m1 = Math.fma(dmin, (float) (mn[2] * q8s[so + 2] + mn[3] * q8s[so + 3]), m1);
            m2 = Math.fma(dmin, (float) (mn[4] * q8s[so + 4] + mn[5] * q8s[so + 5]), m2);
            m3 = Math.fma(dmin, (float) (mn[6] * q8s[so + 6] + mn[7] * q8s[so + 7]), m3);
        }
        return GgmlSums.hsum8(acc) + ((m0 + m2) + (m1 + m3));
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
