package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** IEEE half precision; conversion rounds to nearest even like ggml's and numpy's. */
public final class F16Format implements QuantFormat {
    @Override public GgmlType type() { return GgmlType.F16; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) Le.putF16(dst, dstOff + 2L * i, src[srcOff + i]);
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = Le.f16(src, srcOff + 2L * i);
    }
}
