package io.promptune.evaluators;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

/**
 * all-MiniLM-L6-v2 (quantized), run in-process by LangChain4j through ONNX Runtime: the model ships
 * inside its jar, so it works offline. Loaded once per JVM on first use (about a second), then shared.
 */
public final class MiniLmEmbedder implements Embedder {
    private static final class Holder {
        static final EmbeddingModel MODEL = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    public static final MiniLmEmbedder INSTANCE = new MiniLmEmbedder();

    private MiniLmEmbedder() { }

    @Override
    public float[] embed(String text) {
        if (text.isBlank()) throw new IllegalArgumentException("cannot embed blank text");
        return Holder.MODEL.embed(text).content().vector();
    }
}
