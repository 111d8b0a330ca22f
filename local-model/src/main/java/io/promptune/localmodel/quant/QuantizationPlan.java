package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses each tensor's output type the way llama.cpp's llama-quant.cpp does (without importance
 * matrices): only 2-D+ tensors named "...weight" that are not norms are quantized; Q4_K_M bumps
 * output.weight (or tied token embeddings) and some attn_v / ffn_down layers to Q6_K; a tensor whose
 * row length does not fit the block size falls back (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, then
 * F16). For the 32-block legacy types, where llama.cpp has no fallback and refuses, the tensor keeps
 * its source type instead (as in the shared stories260K files, whose 172-wide ffn_down stayed F32).
 */
public final class QuantizationPlan {

    /** One tensor's decision; {@code note} says why when it differs from the target's base type. */
    public record Entry(String name, long[] shape, GgmlType from, GgmlType to, String note) {}

    /** The input tensors, in file order. */
    public record Input(String name, long[] shape, GgmlType type) {}

    private QuantizationPlan() {}

    public static List<Entry> plan(List<Input> tensors, QuantTarget target, int layerCount) {
        int nAttnV = 0;
        boolean hasOutput = false;
        for (Input t : tensors) {
            if (isAttnV(t.name())) nAttnV++;
            if (t.name().equals("output.weight")) hasOutput = true;
        }
        int iAttnV = 0, iFfnDown = 0;
        List<Entry> out = new ArrayList<>();
        for (Input t : tensors) {
            if (!allowsQuantization(t)) {
                out.add(new Entry(t.name(), t.shape(), t.type(), t.type(), "kept (not a weight matrix)"));
                continue;
            }
            GgmlType type = target.baseType();
            String note = "";
            if (target.isMix()) {
                boolean outputLike = t.name().equals("output.weight") || (!hasOutput && t.name().equals("token_embd.weight"));
                if (outputLike) {
                    type = t.shape()[0] % type.blockSize() != 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
                    note = "output tensor";
                } else if (isAttnV(t.name())) {
                    if (useMoreBits(iAttnV, nAttnV)) { type = GgmlType.Q6_K; note = "Q4_K_M: more bits for this attn_v"; }
                    iAttnV++;
                } else if (t.name().contains("ffn_down")) {
                    if (useMoreBits(iFfnDown, layerCount)) { type = GgmlType.Q6_K; note = "Q4_K_M: more bits for this ffn_down"; }
                    iFfnDown++;
                }
            }
            if (t.shape()[0] % type.blockSize() != 0) {
                GgmlType wanted = type;
                type = switch (type) {
                    case Q4_K -> GgmlType.Q5_0;
                    case Q5_K -> GgmlType.Q5_1;
                    case Q6_K -> GgmlType.Q8_0;
                    default -> null;
                };
                if (type == null) {
                    type = t.type();
                    note = "kept: row length " + t.shape()[0] + " is not a multiple of " + wanted.blockSize();
                } else if (t.shape()[0] % type.blockSize() != 0) {
                    type = GgmlType.F16;
                    note = "fallback to F16: row length " + t.shape()[0] + " fits neither " + wanted + " nor its fallback";
                } else {
                    note = "fallback from " + wanted + ": row length " + t.shape()[0] + " is not a multiple of " + wanted.blockSize();
                }
            }
            out.add(new Entry(t.name(), t.shape(), t.type(), type, note));
        }
        return out;
    }

    /** llama-quant.cpp's tensor_allows_quantization, reduced to the families this engine runs. */
    static boolean allowsQuantization(Input t) {
        String n = t.name();
        if (t.shape().length < 2) return false;
        if (!n.endsWith("weight")) return false;
        if (n.contains("_norm.weight")) return false;
        if (n.contains("ffn_gate_inp.weight")) return false;
        if (n.equals("position_embd.weight") || n.equals("token_types.weight")) return false;
        if (n.contains("ssm_conv1d")) return false;
        return true;
    }

    static boolean isAttnV(String name) {
        return name.contains("attn_v.weight") || name.contains("attn_qkv.weight") || name.contains("attn_kv_b.weight");
    }

    /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third in between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
