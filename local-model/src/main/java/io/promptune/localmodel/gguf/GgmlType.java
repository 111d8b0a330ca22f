package io.promptune.localmodel.gguf;

/**
 * ggml tensor element types, with the ids GGUF stores and their block geometry
 * (elements per block, bytes per block). Layouts follow llama.cpp's ggml-common.h.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 2 + 16),
    Q4_1(3, 32, 2 + 2 + 16),
    Q5_0(6, 32, 2 + 4 + 16),
    Q5_1(7, 32, 2 + 2 + 4 + 16),
    Q8_0(8, 32, 2 + 32),
    Q8_1(9, 32, 4 + 4 + 32),
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2),
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2),
    Q4_K(12, 256, 2 + 2 + 12 + 256 / 2),
    Q5_K(13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2),
    Q6_K(14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2),
    Q8_K(15, 256, 4 + 256 + 2 * 256 / 16),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    public int id() { return id; }

    /** Elements per quantization block (1 for plain types). */
    public int blockSize() { return blockSize; }

    public int bytesPerBlock() { return bytesPerBlock; }

    /** Bytes taken by {@code elements} values; elements must be a multiple of the block size. */
    public long byteSize(long elements) {
        return elements / blockSize * bytesPerBlock;
    }

    /** The type with GGUF id {@code id}, or null when this engine does not know it. */
    public static GgmlType byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) return t;
        }
        return null;
    }
}
