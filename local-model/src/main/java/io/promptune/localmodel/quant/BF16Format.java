package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** bfloat16: the top half of a float32, rounded to nearest even; NaNs are forced quiet (as ggml does). */
public final class BF16Format implements QuantFormat {
    @Override public GgmlType type() { return GgmlType.BF16; }

    /** ggml_compute_fp32_to_bf16's rule. */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 64);
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    public static float fromBf16(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) dst.set(Le.SHORT, dstOff + 2L * i, toBf16(src[srcOff + i]));
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = fromBf16(Le.i16(src, srcOff + 2L * i));
    }
}
