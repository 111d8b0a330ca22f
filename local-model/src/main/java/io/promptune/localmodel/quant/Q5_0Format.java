package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 as half d = max/-16, a 32-bit word qh holding each element's fifth bit
 * (bit j for element j), and 16 bytes of low nibbles laid out like Q4_0; value = (q - 16) * d.
 */
public final class Q5_0Format implements QuantFormat {
    static final int QK = 32;
    static final int BLOCK_BYTES = 22;

    @Override public GgmlType type() { return GgmlType.Q5_0; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            long o = dstOff + (long) b * BLOCK_BYTES;
            float max = Q4_0Format.signedAbsMax(src, x, QK);
            float d = max / -16f;
            float id = d != 0f ? 1f / d : 0f;
            Le.putF16(dst, o, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(31, (int) (src[x + j] * id + 16.5f));
                int q1 = Math.min(31, (int) (src[x + QK / 2 + j] * id + 16.5f));
                Le.put8(dst, o + 6 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 >>> 4) & 1) << j;
                qh |= ((q1 >>> 4) & 1) << (j + QK / 2);
            }
            Le.put32(dst, o + 2, qh);
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f16(src, o);
            int qh = Le.i32(src, o + 2);
            int y = dstOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Le.u8(src, o + 6 + j);
                int h0 = ((qh >>> j) & 1) << 4;
                int h1 = ((qh >>> (j + QK / 2)) & 1) << 4;
                dst[y + j] = (((q & 0x0F) | h0) - 16) * d;
                dst[y + j + QK / 2] = (((q >>> 4) | h1) - 16) * d;
            }
        }
    }
}
