package io.promptune.evaluators;

/** Turns text into a vector; the embedding-similarity metric compares outputs and references with it. */
@FunctionalInterface
public interface Embedder {
    float[] embed(String text);
}
