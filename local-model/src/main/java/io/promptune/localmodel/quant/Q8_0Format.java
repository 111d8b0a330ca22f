package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q8_0: blocks of 32 as a half scale d = absmax/127 and 32 int8 quants rounded half away from zero. */
public final class Q8_0Format implements QuantFormat {
    static final int QK = 32;
    static final int BLOCK_BYTES = 34;

    @Override public GgmlType type() { return GgmlType.Q8_0; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            long o = dstOff + (long) b * BLOCK_BYTES;
            float amax = 0f;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(src[x + j]));
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            Le.putF16(dst, o, d);
            for (int j = 0; j < QK; j++) Le.put8(dst, o + 2 + j, (int) Rounding.roundf(src[x + j] * id));
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f16(src, o);
            for (int j = 0; j < QK; j++) dst[dstOff + b * QK + j] = Le.i8(src, o + 2 + j) * d;
        }
    }
}
