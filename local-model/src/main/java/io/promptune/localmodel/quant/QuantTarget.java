package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What {@code promptune quantize} can produce. A plain type name means "pure": every quantizable
 * weight matrix gets that type (llama-quantize --pure), apart from shape fallbacks. Q4_K_M is
 * llama.cpp's mix: Q4_K, with Q6_K for output.weight and for some attn_v and ffn_down layers.
 * {@code fileType} is the llama_ftype stored as general.file_type.
 */
public enum QuantTarget {
    F32(GgmlType.F32, 0, false),
    F16(GgmlType.F16, 1, false),
    BF16(GgmlType.BF16, 32, false),
    Q8_0(GgmlType.Q8_0, 7, false),
    Q4_0(GgmlType.Q4_0, 2, false),
    Q4_1(GgmlType.Q4_1, 3, false),
    Q5_0(GgmlType.Q5_0, 8, false),
    Q5_1(GgmlType.Q5_1, 9, false),
    Q4_K(GgmlType.Q4_K, 14, false),
    Q5_K(GgmlType.Q5_K, 16, false),
    Q6_K(GgmlType.Q6_K, 18, false),
    Q4_K_M(GgmlType.Q4_K, 15, true);

    private final GgmlType baseType;
    private final int fileType;
    private final boolean mix;

    QuantTarget(GgmlType baseType, int fileType, boolean mix) {
        this.baseType = baseType;
        this.fileType = fileType;
        this.mix = mix;
    }

    public GgmlType baseType() { return baseType; }

    public int fileType() { return fileType; }

    /** True for llama.cpp's per-tensor mixes (Q4_K_M). */
    public boolean isMix() { return mix; }

    /** True when weights become a block-quantized type (not a float type). */
    public boolean isQuantized() { return baseType.blockSize() > 1; }

    /** Parses a user-given name, case-insensitively; the error lists the valid names. */
    public static QuantTarget parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown quantization type '" + name + "' (choose one of "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
    }
}
