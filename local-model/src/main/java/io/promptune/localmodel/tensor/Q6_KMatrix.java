package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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
        super(name, GgmlType.Q6_K, rows, cols, data, Mins.NONE);
    }

    /** Lanes 0-3 (the group's first 16 values) take one scale, lanes 4-7 the next. */
    private static final VectorMask<Integer> SECOND_HALF = VectorMask.fromValues(I, false, false, false, false, true, true, true, true);

    /** Bytes of 6-bit values: the low nibbles (already shifted down) or'ed with 2 high bits from {@code qh >> shift}. */
    private static IntVector six(IntVector low4, IntVector qh, int shift) {
        return low4.and(0x0F0F0F0F).or(qh.lanewise(VectorOperators.LSHR, shift).and(0x03030303).lanewise(VectorOperators.LSHL, 4));
    }

    @Override
    void decodeRow(int row, Decoded out) {
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            out.d[k] = half(p + 208);
            for (int h = 0; h < 2; h++) {
                // 128 values: byte l of ql / ql+32 / qh feeds elements l, l+32, l+64, l+96 (group c = element / 32)
                IntVector ql1 = IntVector.fromMemorySegment(I, data, p + 64L * h, ByteOrder.LITTLE_ENDIAN);
                IntVector ql2 = IntVector.fromMemorySegment(I, data, p + 64L * h + 32, ByteOrder.LITTLE_ENDIAN);
                IntVector qh = IntVector.fromMemorySegment(I, data, p + 128 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int g = 8 * k + 4 * h;
                storeBytePairs(six(ql1, qh, 0), 0, out.w, g);
                storeBytePairs(six(ql2, qh, 2), 0, out.w, g + 1);
                storeBytePairs(six(ql1.lanewise(VectorOperators.LSHR, 4), qh, 4), 0, out.w, g + 2);
                storeBytePairs(six(ql2.lanewise(VectorOperators.LSHR, 4), qh, 6), 0, out.w, g + 3);
                long sc = p + 192 + 8L * h; // one int8 scale per 16 values
                for (int c = 0; c < 4; c++) {
                    IntVector.broadcast(I, data.get(ValueLayout.JAVA_BYTE, sc + 2 * c))
                            .blend(data.get(ValueLayout.JAVA_BYTE, sc + 2 * c + 1), SECOND_HALF).intoArray(out.sc, 8 * (g + c));
                }
            }
        }
    }

    /** Scaled exact quad sums of one group of 32 values given as unsigned 6-bit bytes (the 32 offset comes off later). */
    private static IntVector group(IntVector bytes, int[] m, int mi, IntVector scales) {
        IntVector t = bytes.and(0x00FF00FF).mul(IntVector.fromArray(I, m, mi))
                .add(bytes.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).mul(IntVector.fromArray(I, m, mi + 8)));
        return t.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(scales);
    }

    /**
     * One row without the decoded form (the matrix-vector case): the same integer lanes and float
     * operations as {@link KQuantMatrix}'s decoded path, so both give identical results.
     */
    @Override
    public float dot(int row, Activations a, int b) {
        int[] m = a.pairs;
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        int[] off = scratch().off;
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            IntVector sumi = IntVector.zero(I);
            for (int j = 0; j < 8; j++) {
                // group j = values 32j..32j+31: half h = j / 4, c = j % 4 picks the ql bytes, nibble and qh bit pair
                int h = j >> 2, c = j & 3;
                IntVector ql = IntVector.fromMemorySegment(I, data, p + 64L * h + 32 * (c & 1), ByteOrder.LITTLE_ENDIAN);
                IntVector qh = IntVector.fromMemorySegment(I, data, p + 128 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                IntVector scales = IntVector.broadcast(I, data.get(ValueLayout.JAVA_BYTE, p + 192 + 2 * j))
                        .blend(data.get(ValueLayout.JAVA_BYTE, p + 193 + 2 * j), SECOND_HALF);
                sumi = sumi.add(group(six(ql.lanewise(VectorOperators.LSHR, 4 * (c >> 1)), qh, 2 * c), m, mo + 16 * (8 * k + j), scales));
            }
            sumi = sumi.sub(offsetLanes(p, a.s, 16 * (bo + k), off));
            acc = ((FloatVector) sumi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ad[bo + k] * half(p + 208)), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    /** q8sclsub of super-block {@code p} (see {@link KQuantMatrix#offsetLanes}), its scales read from the tensor. */
    private IntVector offsetLanes(long p, float[] bsums, int so, int[] t) {
        for (int l = 0; l < 8; l++) {
            t[l] = 32 * (data.get(ValueLayout.JAVA_BYTE, p + 192 + 2 * l) * (int) bsums[so + 2 * l]
                    + data.get(ValueLayout.JAVA_BYTE, p + 193 + 2 * l) * (int) bsums[so + 2 * l + 1]);
        }
        return IntVector.fromArray(I, t, 0);
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
