package io.promptune.localmodel.tensor;

/**
 * How activations are prepared before a dot product with a weight type, as ggml's "vec_dot_type":
 * quantized weights are multiplied with activations quantized to 8 bits per block (so results match
 * llama.cpp's), F16 weights with activations rounded to F16, F32 weights with plain floats.
 */
public enum ActivationFormat {
    /** Plain floats. */
    F32(1),
    /** Floats rounded to half precision. */
    F16(1),
    /** Floats rounded to bfloat16 (for BF16 weights). */
    BF16(1),
    /** Blocks of 32: int8 values and a half-precision scale (ggml block_q8_0). */
    Q8_0(32),
    /** Blocks of 32: like Q8_0 plus s = d * sum(q), both half precision (ggml block_q8_1). */
    Q8_1(32),
    /** Blocks of 256: int8 values, a float scale and int16 sums per 16 values (ggml block_q8_K). */
    Q8_K(256);

    private final int blockSize;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    public int blockSize() { return blockSize; }

    /** Prepares all rows of {@code in} in this format. */
    public Activations prepare(FloatBatch in) {
        return Activations.prepare(this, in);
    }

    /** As {@link #prepare(FloatBatch)}, reusing {@code buffers}' arrays (see {@link Activations.Buffers}). */
    public Activations prepare(FloatBatch in, Activations.Buffers buffers) {
        return Activations.prepare(this, in, buffers);
    }
}
