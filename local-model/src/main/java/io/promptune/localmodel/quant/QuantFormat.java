package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * One ggml tensor type's codec: llama.cpp's reference quantization (the one llama-quantize uses
 * without an importance matrix) and its exact dequantization. Lengths are in elements and must be a
 * multiple of the type's block size; byte offsets address {@code type().bytesPerBlock()}-sized blocks.
 */
public interface QuantFormat {
    GgmlType type();

    /** Encodes {@code n} floats starting at {@code src[srcOff]} into {@code dst} at byte offset {@code dstOff}. */
    void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff);

    /** Decodes {@code n} elements stored at byte offset {@code srcOff} of {@code src} into {@code dst[dstOff..]}. */
    void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff);

    /** Bytes taken by {@code n} elements. */
    default long byteSize(long n) {
        return type().byteSize(n);
    }

    /** Convenience: quantizes a whole array into a new byte array. */
    default byte[] quantize(float[] src) {
        checkLength(src.length);
        byte[] out = new byte[Math.toIntExact(byteSize(src.length))];
        quantize(src, 0, src.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /** Convenience: dequantizes {@code n} elements from a byte array. */
    default float[] dequantize(byte[] src, int n) {
        checkLength(n);
        float[] out = new float[n];
        dequantize(MemorySegment.ofArray(src), 0, n, out, 0);
        return out;
    }

    default void checkLength(long n) {
        if (n % type().blockSize() != 0) {
            throw new IllegalArgumentException(n + " elements is not a multiple of " + type() + "'s block size "
                    + type().blockSize());
        }
    }
}
