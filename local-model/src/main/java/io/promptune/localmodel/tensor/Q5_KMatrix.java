package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.IntVector;
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
        super(name, GgmlType.Q5_K, rows, cols, data, Mins.SCALAR);
    }

    @Override
    void decodeRow(int row, Decoded out) {
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            out.d[k] = half(p);
            out.dmin[k] = half(p + 2);
            int[] sc = out.sub;
            Q4_KMatrix.scalesAndMins(data, p + 4, sc, out.mins, 8 * k);
            IntVector hb = IntVector.fromMemorySegment(I, data, p + 16, ByteOrder.LITTLE_ENDIAN); // fifth bits: bit j of byte l for group j
            for (int h = 0; h < 4; h++) {
                IntVector v = IntVector.fromMemorySegment(I, data, p + 48 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int g = 8 * k + 2 * h;
                IntVector lo = v.and(0x0F0F0F0F).or(hb.lanewise(VectorOperators.LSHR, 2 * h).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                IntVector hi = v.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                        .or(hb.lanewise(VectorOperators.LSHR, 2 * h + 1).and(0x01010101).lanewise(VectorOperators.LSHL, 4));
                storeBytePairs(lo, 0, out.w, g);
                storeBytePairs(hi, 0, out.w, g + 1);
                IntVector.broadcast(I, sc[2 * h]).intoArray(out.sc, 8 * g);
                IntVector.broadcast(I, sc[2 * h + 1]).intoArray(out.sc, 8 * g + 8);
            }
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
