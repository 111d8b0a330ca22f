package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q4_1: blocks of 32 as half d = (max-min)/15, half m = min, and 4-bit quants meaning q * d + m. */
public final class Q4_1Format implements QuantFormat {
    static final int QK = 32;
    static final int BLOCK_BYTES = 20;

    @Override public GgmlType type() { return GgmlType.Q4_1; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            long o = dstOff + (long) b * BLOCK_BYTES;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 15f;
            float id = d != 0f ? 1f / d : 0f;
            Le.putF16(dst, o, d);
            Le.putF16(dst, o + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) ((src[x + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((src[x + QK / 2 + j] - min) * id + 0.5f));
                Le.put8(dst, o + 4 + j, q0 | (q1 << 4));
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f16(src, o);
            float m = Le.f16(src, o + 2);
            int y = dstOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, o + 4 + j);
                dst[y + j] = (q & 0x0F) * d + m;
                dst[y + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }
}
