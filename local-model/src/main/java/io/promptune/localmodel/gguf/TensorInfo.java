package io.promptune.localmodel.gguf;

import java.util.Arrays;

/**
 * One tensor's header entry. {@code shape[0]} is the innermost (contiguous) dimension, as in ggml:
 * a weight matrix of {@code rows x cols} has shape {@code [cols, rows]}.
 * {@code offset} is relative to the start of the tensor data section.
 */
public record TensorInfo(String name, long[] shape, GgmlType type, long offset) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
