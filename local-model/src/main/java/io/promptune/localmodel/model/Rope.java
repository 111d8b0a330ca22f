package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.TensorInfo;
import io.promptune.localmodel.tensor.WeightMatrices;
import io.promptune.localmodel.tensor.WeightMatrix;

/**
 * Rotary position embedding as ggml_rope computes it: theta starts at the position and is multiplied
 * by base^(-2/n) per pair (in float, like ggml's cache), divided by optional per-pair frequency factors
 * (Llama 3.1+ rope_freqs) and scaled by freqScale. Pairs are (2i, 2i+1) or (i, i+n/2) per {@link Architecture.RopeStyle}.
 */
final class Rope {
    private final Architecture.RopeStyle style;
    private final int dims;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors; // null when absent

    Rope(ModelConfig c, float[] freqFactors) {
        this.style = c.architecture().ropeStyle();
        this.dims = c.ropeDims();
        this.thetaScale = (float) Math.pow(c.ropeTheta(), -2.0f / dims);
        this.freqScale = c.freqScale();
        this.freqFactors = freqFactors;
    }

    /** The rope_freqs tensor if present, else factors derived from llama3 scaling metadata, else null. */
    static float[] frequencyFactors(GgufFile f, ModelConfig c) {
        int n = c.ropeDims() / 2;
        TensorInfo t = f.tensors().get("rope_freqs.weight");
        if (t != null) {
            WeightMatrix m = WeightMatrices.load(f, "rope_freqs.weight", 1, n);
            float[] out = new float[n];
            m.dequantizeRow(0, out, 0);
            return out;
        }
        String p = c.architecture().ggufName() + ".";
        if (!"llama3".equals(f.getString(p + "rope.scaling.type", ""))) return null;
        double factor = f.getDouble(p + "rope.scaling.factor", 8.0);
        double low = f.getDouble(p + "rope.scaling.low_freq_factor", 1.0);
        double high = f.getDouble(p + "rope.scaling.high_freq_factor", 4.0);
        double oldCtx = f.getDouble(p + "rope.scaling.original_context_length", 8192);
        if (high <= low) throw new GgufException(f.path(), "llama3 rope scaling needs high_freq_factor > low_freq_factor");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double freq = 1.0 / Math.pow(c.ropeTheta(), 2.0 * i / c.ropeDims());
            double wavelen = 2 * Math.PI / freq;
            double scaled;
            if (wavelen < oldCtx / high) scaled = freq;
            else if (wavelen > oldCtx / low) scaled = freq / factor;
            else {
                double smooth = (oldCtx / wavelen - low) / (high - low);
                scaled = (1 - smooth) * freq / factor + smooth * freq;
            }
            out[i] = (float) (freq / scaled);
        }
        return out;
    }

    /** cos/sin pairs for one position: table[2i] = cos, table[2i+1] = sin of pair i. */
    float[] table(int position) {
        return table(position, new float[dims]);
    }

    /** As {@link #table(int)}, into {@code cache} (at least the rotated dimensions long). */
    float[] table(int position, float[] cache) {
        float theta = position;
        for (int i0 = 0; i0 < dims; i0 += 2) {
            float ff = freqFactors != null ? freqFactors[i0 / 2] : 1f;
            float t = freqScale * (theta / ff);
            cache[i0] = (float) Math.cos(t);
            cache[i0 + 1] = (float) Math.sin(t);
            theta *= thetaScale;
        }
        return cache;
    }

    // ggml is compiled with floating-point contraction: x0*c - x1*s becomes fma(x0, c, -(x1*s)).
    private static float rotA(float x0, float c, float x1, float s) {
        return Math.fma(x0, c, -(x1 * s));
    }

    private static float rotB(float x0, float s, float x1, float c) {
        return Math.fma(x0, s, x1 * c);
    }

    /** Rotates each of {@code nHeads} heads of width {@code headDim} in {@code x} starting at {@code off}. */
    void apply(float[] x, int off, int nHeads, int headDim, float[] table) {
        for (int h = 0; h < nHeads; h++) {
            int base = off + h * headDim;
            if (style == Architecture.RopeStyle.NORMAL) {
                for (int i0 = 0; i0 < dims; i0 += 2) {
                    float c = table[i0], s = table[i0 + 1];
                    float x0 = x[base + i0], x1 = x[base + i0 + 1];
                    x[base + i0] = rotA(x0, c, x1, s);
                    x[base + i0 + 1] = rotB(x0, s, x1, c);
                }
            } else {
                int half = dims / 2;
                for (int i0 = 0; i0 < dims; i0 += 2) {
                    int i = i0 / 2;
                    float c = table[i0], s = table[i0 + 1];
                    float x0 = x[base + i], x1 = x[base + i + half];
                    x[base + i] = rotA(x0, c, x1, s);
                    x[base + i + half] = rotB(x0, s, x1, c);
                }
            }
        }
    }
}
