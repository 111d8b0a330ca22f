package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.util.EnumMap;
import java.util.Map;

/** The codec for each ggml type this project can write and read back. */
public final class QuantFormats {
    private static final Map<GgmlType, QuantFormat> FORMATS = new EnumMap<>(GgmlType.class);

    static {
        for (QuantFormat f : new QuantFormat[]{new F32Format(), new F16Format(), new BF16Format(), new Q8_0Format(),
                new Q4_0Format(), new Q4_1Format(), new Q5_0Format(), new Q5_1Format(), new Q4_KFormat(),
                new Q5_KFormat(), new Q6_KFormat(), new Q8_KFormat()}) {
            FORMATS.put(f.type(), f);
        }
    }

    private QuantFormats() {}

    /** The codec for {@code type}; an IllegalArgumentException naming the type when there is none. */
    public static QuantFormat of(GgmlType type) {
        QuantFormat f = FORMATS.get(type);
        if (f == null) throw new IllegalArgumentException("no quantization support for tensor type " + type
                + " (supported: " + FORMATS.keySet() + ")");
        return f;
    }

    public static boolean supports(GgmlType type) {
        return FORMATS.containsKey(type);
    }
}
