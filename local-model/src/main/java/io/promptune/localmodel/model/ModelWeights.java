package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.TensorInfo;
import io.promptune.localmodel.tensor.WeightMatrices;
import io.promptune.localmodel.tensor.WeightMatrix;

/**
 * Every tensor the forward pass needs, checked for presence and shape up front. Most matrix types copy their
 * weights into a kernel layout at load time; an untied token embedding table stays in the mapped file, and the
 * small norm and bias vectors are read onto the heap.
 */
final class ModelWeights {
    final EmbeddingRows tokenEmbedding;
    final float[] outputNorm;
    final WeightMatrix output;
    final Layer[] layers;
    final float[] ropeFreqFactors;

    static final class Layer {
        float[] attnNorm, ffnNorm;
        WeightMatrix wq, wk, wv, wo, gate, up, down;
        float[] bq, bk, bv, bo; // null when absent
        float[] qNorm, kNorm;   // qwen3 only
    }

    ModelWeights(GgufFile f, ModelConfig c) {
        outputNorm = vector(f, "output_norm.weight", c.dim());
        // Tied embeddings: without output.weight the logits use the token embedding matrix. Untied, the table is
        // only looked up, so it stays in the mapped file.
        if (f.tensors().containsKey("output.weight")) {
            output = WeightMatrices.load(f, "output.weight", c.vocabSize(), c.dim());
            tokenEmbedding = EmbeddingRows.mapped(f, "token_embd.weight", c.vocabSize(), c.dim());
        } else {
            output = WeightMatrices.load(f, "token_embd.weight", c.vocabSize(), c.dim());
            tokenEmbedding = EmbeddingRows.of(output);
        }
        layers = new Layer[c.layers()];
        for (int i = 0; i < c.layers(); i++) {
            String p = "blk." + i + ".";
            Layer l = new Layer();
            l.attnNorm = vector(f, p + "attn_norm.weight", c.dim());
            l.wq = WeightMatrices.load(f, p + "attn_q.weight", c.qDim(), c.dim());
            l.wk = WeightMatrices.load(f, p + "attn_k.weight", c.kvDim(), c.dim());
            l.wv = WeightMatrices.load(f, p + "attn_v.weight", c.kvDim(), c.dim());
            l.wo = WeightMatrices.load(f, p + "attn_output.weight", c.dim(), c.qDim());
            boolean biasRequired = c.architecture().requiresQkvBias();
            l.bq = optionalVector(f, p + "attn_q.bias", c.qDim(), biasRequired);
            l.bk = optionalVector(f, p + "attn_k.bias", c.kvDim(), biasRequired);
            l.bv = optionalVector(f, p + "attn_v.bias", c.kvDim(), biasRequired);
            l.bo = optionalVector(f, p + "attn_output.bias", c.dim(), false);
            if (c.architecture().hasQkNorm()) {
                l.qNorm = vector(f, p + "attn_q_norm.weight", c.headDim());
                l.kNorm = vector(f, p + "attn_k_norm.weight", c.headDim());
            }
            l.ffnNorm = vector(f, p + "ffn_norm.weight", c.dim());
            l.gate = WeightMatrices.load(f, p + "ffn_gate.weight", c.ffnDim(), c.dim());
            l.up = WeightMatrices.load(f, p + "ffn_up.weight", c.ffnDim(), c.dim());
            l.down = WeightMatrices.load(f, p + "ffn_down.weight", c.dim(), c.ffnDim());
            layers[i] = l;
        }
        ropeFreqFactors = Rope.frequencyFactors(f, c);
    }

    private static float[] optionalVector(GgufFile f, String name, int n, boolean required) {
        if (!required && !f.tensors().containsKey(name)) return null;
        return vector(f, name, n);
    }

    static float[] vector(GgufFile f, String name, int n) {
        TensorInfo t = f.tensor(name);
        if (t.elementCount() != n) {
            throw new GgufException(f.path(), "tensor '" + name + "' has " + t.elementCount() + " values, expected " + n);
        }
        WeightMatrix m = WeightMatrices.load(f, name, 1, n);
        float[] out = new float[n];
        m.dequantizeRow(0, out, 0);
        return out;
    }
}
