package io.promptune.localmodel.tokenizer;

import io.promptune.localmodel.gguf.GgufFile;

/** Chooses and builds the tokenizer implementation for a GGUF's vocabulary. */
final class TokenizerLoader {
    private TokenizerLoader() {}

    static Tokenizer load(GgufFile f) {
        Vocabulary v = Vocabulary.load(f);
        return switch (v.model) {
            case SPM -> new SpmTokenizer(v);
            case BPE -> new BpeTokenizer(v, Vocabulary.merges(f));
            case WPM -> new WpmTokenizer(v);
        };
    }
}
