package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Plain little-endian float32. */
public final class F32Format implements QuantFormat {
    @Override public GgmlType type() { return GgmlType.F32; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) Le.putF32(dst, dstOff + 4L * i, src[srcOff + i]);
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = Le.f32(src, srcOff + 4L * i);
    }
}
