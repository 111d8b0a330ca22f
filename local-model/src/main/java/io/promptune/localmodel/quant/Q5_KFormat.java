package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: like Q4_K plus 32 bytes qh of fifth bits: for the 64-element group g (0..3), element l of its
 * first half takes bit 2g of qh[l], of its second half bit 2g+1. Layout: d, dmin, 12 scale bytes,
 * qh[32], qs[128]. Value = d*scale_j * q - dmin*min_j with q in 0..31.
 */
public final class Q5_KFormat implements QuantFormat {
    static final int QK = KQuantMath.QK_K;
    static final int BLOCK_BYTES = 176;

    @Override public GgmlType type() { return GgmlType.Q5_K; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        byte[] L = new byte[QK];
        int[] qh = new int[32];
        for (int b = 0; b < n / QK; b++) {
            long o = dstOff + (long) b * BLOCK_BYTES;
            KQuantMath.quantizeScaleMinSuperBlock(src, srcOff + b * QK, 31, -0.5f, 15, dst, o, L);
            java.util.Arrays.fill(qh, 0);
            int m1 = 1, m2 = 2;
            for (int g = 0; g < QK; g += 64) {
                for (int j = 0; j < 32; j++) {
                    int l1 = L[g + j], l2 = L[g + j + 32];
                    if (l1 > 15) { l1 -= 16; qh[j] |= m1; }
                    if (l2 > 15) { l2 -= 16; qh[j] |= m2; }
                    Le.put8(dst, o + 48 + g / 2 + j, l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            for (int j = 0; j < 32; j++) Le.put8(dst, o + 16 + j, qh[j]);
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        int[] sc = new int[12];
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f16(src, o), min = Le.f16(src, o + 2);
            KQuantMath.readScales(src, o + 4, sc);
            int y = dstOff + b * QK;
            int u1 = 1, u2 = 2;
            for (int j = 0, is = 0; j < QK; j += 64, is += 2) {
                float d1 = d * KQuantMath.scaleK4(sc, is), m1 = min * KQuantMath.minK4(sc, is);
                float d2 = d * KQuantMath.scaleK4(sc, is + 1), m2 = min * KQuantMath.minK4(sc, is + 1);
                long ql = o + 48 + j / 2;
                for (int l = 0; l < 32; l++) {
                    int h = Le.u8(src, o + 16 + l);
                    dst[y + j + l] = d1 * ((Le.u8(src, ql + l) & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    int h = Le.u8(src, o + 16 + l);
                    dst[y + j + 32 + l] = d2 * ((Le.u8(src, ql + l) >>> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
                }
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }
}
