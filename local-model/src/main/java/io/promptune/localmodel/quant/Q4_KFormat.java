package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 = 8 sub-blocks of 32. Layout: half d, half dmin, 12 bytes of packed
 * 6-bit (scale, min) pairs, 128 bytes of nibbles. Within each 64 elements, the first 32 are the low
 * nibbles of 32 bytes and the next 32 their high nibbles. Value = d*scale_j * q - dmin*min_j.
 */
public final class Q4_KFormat implements QuantFormat {
    static final int QK = KQuantMath.QK_K;
    static final int BLOCK_BYTES = 144;

    @Override public GgmlType type() { return GgmlType.Q4_K; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            long o = dstOff + (long) b * BLOCK_BYTES;
            KQuantMath.quantizeScaleMinSuperBlock(src, srcOff + b * QK, 15, -1f, 20, dst, o, L);
            for (int j = 0; j < QK; j += 64) {
                for (int l = 0; l < 32; l++) Le.put8(dst, o + 16 + j / 2 + l, L[j + l] | (L[j + l + 32] << 4));
            }
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
            for (int j = 0, is = 0; j < QK; j += 64, is += 2) {
                float d1 = d * KQuantMath.scaleK4(sc, is), m1 = min * KQuantMath.minK4(sc, is);
                float d2 = d * KQuantMath.scaleK4(sc, is + 1), m2 = min * KQuantMath.minK4(sc, is + 1);
                long q = o + 16 + j / 2;
                for (int l = 0; l < 32; l++) dst[y + j + l] = d1 * (Le.u8(src, q + l) & 0xF) - m1;
                for (int l = 0; l < 32; l++) dst[y + j + 32 + l] = d2 * (Le.u8(src, q + l) >>> 4) - m2;
            }
        }
    }
}
