package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;

import java.util.Arrays;

/** The transformer families this engine runs, with the per-family choices llama.cpp makes. */
public enum Architecture {
    /** Llama 2/3.x, SmolLM, TinyLlama, Mistral: normal RoPE, optional QKV biases. */
    LLAMA("llama", RopeStyle.NORMAL, false, false),
    /** Qwen2 / Qwen2.5: NEOX RoPE, QKV biases. */
    QWEN2("qwen2", RopeStyle.NEOX, true, false),
    /** Qwen3: NEOX RoPE, RMS norm on each Q and K head. */
    QWEN3("qwen3", RopeStyle.NEOX, false, true);

    /** How RoPE pairs dimensions: NORMAL rotates (2i, 2i+1), NEOX rotates (i, i + n/2). */
    public enum RopeStyle { NORMAL, NEOX }

    private final String ggufName;
    private final RopeStyle ropeStyle;
    private final boolean qkvBias;
    private final boolean qkNorm;

    Architecture(String ggufName, RopeStyle ropeStyle, boolean qkvBias, boolean qkNorm) {
        this.ggufName = ggufName;
        this.ropeStyle = ropeStyle;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    /** The name in general.architecture (also the metadata key prefix). */
    public String ggufName() { return ggufName; }

    public RopeStyle ropeStyle() { return ropeStyle; }

    /** True when Q, K and V projections carry biases that must be present. */
    public boolean requiresQkvBias() { return qkvBias; }

    public boolean hasQkNorm() { return qkNorm; }

    /** The architecture of {@code file}, or a GgufException naming it and the supported ones. */
    public static Architecture of(GgufFile file) {
        String name = file.getString("general.architecture");
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) return a;
        }
        throw new GgufException(file.path(), "unsupported architecture '" + name + "' (supported: "
                + Arrays.stream(values()).map(Architecture::ggufName).toList() + ")");
    }
}
