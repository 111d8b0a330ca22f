package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 = 16 sub-blocks of 16 with int8 scales and one half d. Layout: ql[128]
 * (low nibbles), qh[64] (two high bits each), scales[16], d. Per 128 elements, element l, l+32, l+64,
 * l+96 share ql[l], ql[l+32] and qh[l]. Value = d * scale_j * (q - 32).
 */
public final class Q6_KFormat implements QuantFormat {
    static final int QK = KQuantMath.QK_K;
    static final int BLOCK_BYTES = 210;

    @Override public GgmlType type() { return GgmlType.Q6_K; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        byte[] L = new byte[QK];
        float[] scales = new float[QK / 16];
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            long o = dstOff + (long) b * BLOCK_BYTES;
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < QK / 16; ib++) {
                float scale = KQuantMath.makeQxQuants(16, 32, src, x + 16 * ib, L, 16 * ib);
                scales[ib] = scale;
                if (Math.abs(scale) > maxAbsScale) {
                    maxAbsScale = Math.abs(scale);
                    maxScale = scale;
                }
            }
            if (maxAbsScale < KQuantMath.GROUP_MAX_EPS) {
                dst.asSlice(o, BLOCK_BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -128f / maxScale;
            Le.putF16(dst, o + 208, 1 / iscale);
            float d = Le.f16(dst, o + 208);
            for (int ib = 0; ib < QK / 16; ib++) {
                int s = Math.min(127, Rounding.nearestInt(iscale * scales[ib]));
                Le.put8(dst, o + 192 + ib, s);
                float dl = d * (byte) s;
                if (dl == 0f) continue;
                for (int ii = 0; ii < 16; ii++) {
                    int l = KQuantMath.clamp(Rounding.nearestInt(src[x + 16 * ib + ii] / dl), -32, 31);
                    L[16 * ib + ii] = (byte) (l + 32);
                }
            }
            for (int j = 0; j < QK; j += 128) {
                long ql = o + j / 2, qh = o + 128 + j / 4;
                for (int l = 0; l < 32; l++) {
                    int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                    Le.put8(dst, ql + l, (q1 & 0xF) | ((q3 & 0xF) << 4));
                    Le.put8(dst, ql + l + 32, (q2 & 0xF) | ((q4 & 0xF) << 4));
                    Le.put8(dst, qh + l, (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f16(src, o + 208);
            int y = dstOff + b * QK;
            for (int g = 0; g < QK; g += 128) {
                long ql = o + g / 2, qh = o + 128 + g / 4, sc = o + 192 + g / 16;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = Le.u8(src, qh + l);
                    int a = Le.u8(src, ql + l), c = Le.u8(src, ql + l + 32);
                    int q1 = ((a & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((c & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((a >>> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((c >>> 4) | (((h >> 6) & 3) << 4)) - 32;
                    dst[y + g + l] = d * Le.i8(src, sc + is) * q1;
                    dst[y + g + l + 32] = d * Le.i8(src, sc + is + 2) * q2;
                    dst[y + g + l + 64] = d * Le.i8(src, sc + is + 4) * q3;
                    dst[y + g + l + 96] = d * Le.i8(src, sc + is + 6) * q4;
                }
            }
        }
    }
}
