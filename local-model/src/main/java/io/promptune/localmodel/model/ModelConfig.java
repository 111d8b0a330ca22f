package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;

/**
 * Hyper-parameters of a model, read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param headDim     width of one attention head (key_length; defaults to dim / heads)
 * @param ropeDims    how many dimensions of each head RoPE rotates
 * @param freqScale   RoPE position scale (1 / linear scaling factor)
 */
public record ModelConfig(Architecture architecture, String name, int dim, int layers, int heads, int kvHeads,
                          int headDim, int ffnDim, int vocabSize, int contextLength, float rmsEps,
                          float ropeTheta, int ropeDims, float freqScale) {

    public int qDim() { return heads * headDim; }

    public int kvDim() { return kvHeads * headDim; }

    static ModelConfig read(GgufFile f) {
        Architecture arch = Architecture.of(f);
        String p = arch.ggufName() + ".";
        int dim = f.getInt(p + "embedding_length");
        int layers = f.getInt(p + "block_count");
        int heads = f.getInt(p + "attention.head_count");
        int kvHeads = f.getInt(p + "attention.head_count_kv", heads);
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new GgufException(f.path(), "inconsistent attention shape: dim " + dim + ", layers " + layers
                    + ", heads " + heads + ", kv heads " + kvHeads);
        }
        int headDim = f.getInt(p + "attention.key_length", dim / heads);
        int valueDim = f.getInt(p + "attention.value_length", headDim);
        if (valueDim != headDim) throw new GgufException(f.path(), "key_length " + headDim + " != value_length " + valueDim + " is not supported");
        int ffn = f.getInt(p + "feed_forward_length");
        long[] embShape = f.tensor("token_embd.weight").shape();
        int vocab = embShape.length > 1 ? Math.toIntExact(embShape[1]) : -1;
        int ctx = f.getInt(p + "context_length", 2048);
        float eps = (float) f.getDouble(p + "attention.layer_norm_rms_epsilon", 1e-5);
        float theta = (float) f.getDouble(p + "rope.freq_base", 10000.0);
        int ropeDims = f.getInt(p + "rope.dimension_count", headDim);
        if (ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new GgufException(f.path(), "rope.dimension_count " + ropeDims + " does not fit head size " + headDim);
        }
        float freqScale = 1f;
        String scaling = f.getString(p + "rope.scaling.type", "none");
        switch (scaling) {
            case "none", "llama3" -> { } // llama3 factors come from the rope_freqs tensor or are derived in Rope
            case "linear" -> freqScale = (float) (1.0 / f.getDouble(p + "rope.scaling.factor", 1.0));
            default -> throw new GgufException(f.path(), "rope scaling type '" + scaling + "' is not supported (supported: none, linear, llama3)");
        }
        String name = f.getString("general.name", f.path().getFileName().toString());
        return new ModelConfig(arch, name, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx, eps, theta, ropeDims, freqScale);
    }
}
