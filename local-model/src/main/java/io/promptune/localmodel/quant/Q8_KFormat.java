package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q8_K, the activation format the k-quant dot products use: super-blocks of 256 as a float32 scale
 * d = max/-127 (max = the value of largest magnitude), 256 int8 quants rounded half to even, and 16
 * int16 sums of each 16 quants (bsums), which let a dot product apply the weights' mins cheaply.
 */
public final class Q8_KFormat implements QuantFormat {
    static final int QK = KQuantMath.QK_K;
    public static final int BLOCK_BYTES = 292;
    /** Byte offsets inside a block. */
    public static final int QS = 4, BSUMS = 4 + 256;

    @Override public GgmlType type() { return GgmlType.Q8_K; }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            long o = dstOff + (long) b * BLOCK_BYTES;
            float max = Q4_0Format.signedAbsMax(src, x, QK);
            if (max == 0f) {
                dst.asSlice(o, BLOCK_BYTES).fill((byte) 0);
                continue;
            }
            // -127 rather than -128 keeps every quant in -127..127 (llama.cpp's choice, for IQ kernels)
            float iscale = -127f / max;
            for (int g = 0; g < QK / 16; g++) {
                int sum = 0;
                for (int ii = 0; ii < 16; ii++) {
                    int v = Math.min(127, Rounding.nearestInt(iscale * src[x + 16 * g + ii]));
                    Le.put8(dst, o + QS + 16 * g + ii, v);
                    sum += v;
                }
                Le.put16(dst, o + BSUMS + 2L * g, sum);
            }
            Le.putF32(dst, o, 1 / iscale);
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
        checkLength(n);
        for (int b = 0; b < n / QK; b++) {
            long o = srcOff + (long) b * BLOCK_BYTES;
            float d = Le.f32(src, o);
            for (int j = 0; j < QK; j++) dst[dstOff + b * QK + j] = d * Le.i8(src, o + QS + j);
        }
    }
}
