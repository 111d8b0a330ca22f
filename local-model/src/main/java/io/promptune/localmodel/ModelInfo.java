package io.promptune.localmodel;

import java.nio.file.Path;

/** What a loaded model is: from its GGUF metadata. */
public record ModelInfo(Path path, String architecture, String name, String fileType, int contextLength,
                        int vocabSize, int embeddingLength, int layers, int heads, int kvHeads, long fileBytes) {
}
