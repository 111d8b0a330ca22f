package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 as a half scale d = max/-8 (max = the value of largest magnitude, sign kept)
 * and 16 bytes of 4-bit quants q in 0..15 meaning (q - 8) * d; element j in the low nibble of byte j,
 * element j+16 in its high nibble.
 */
public final class Q4_0Format implements QuantFormat {
    static final int QK = 32;
    static final int BLOCK_BYTES = 18;

    @Override public GgmlType type() { return GgmlType.Q4_0; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            long o = dstOff + (long) b * BLOCK_BYTES;
            float max = signedAbsMax(src, x, QK);
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            Le.putF16(dst, o, d);
            for (int j = 0; j < QK / 2; j++) {
                // truncation after adding 8.5 is llama.cpp's rounding (not round-half-even)
                int q0 = Math.min(15, (int) (src[x + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (src[x + QK / 2 + j] * id + 8.5f));
                Le.put8(dst, o + 2 + j, q0 | (q1 << 4));
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f16(src, o);
            int y = dstOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, o + 2 + j);
                dst[y + j] = ((q & 0x0F) - 8) * d;
                dst[y + j + QK / 2] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** The element of largest magnitude (first one on ties), with its sign. */
    static float signedAbsMax(float[] x, int off, int n) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < n; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }
}
