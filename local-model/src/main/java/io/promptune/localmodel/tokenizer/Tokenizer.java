package io.promptune.localmodel.tokenizer;

import io.promptune.localmodel.gguf.GgufFile;

/**
 * Turns text into token ids and back, exactly as llama.cpp does for the same GGUF vocabulary.
 * Implementations are immutable and thread-safe once built.
 */
public interface Tokenizer {

    /** Builds the tokenizer the GGUF names in {@code tokenizer.ggml.model} (and {@code tokenizer.ggml.pre}). */
    static Tokenizer fromGguf(GgufFile f) {
        return TokenizerLoader.load(f);
    }

    /**
     * Encodes {@code text}.
     *
     * @param addSpecial   add BOS/EOS as the GGUF's add_bos_token/add_eos_token (or llama.cpp's defaults) say
     * @param parseSpecial recognise control/user-defined tokens such as {@code <|im_start|>} written in the text
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** Concatenated text of the tokens (control tokens render as empty, like llama.cpp's detokenize without special). */
    String decode(int[] ids);

    /** The raw bytes the token stands for (byte-fallback and byte-level tokens decoded), for UTF-8-safe streaming. */
    byte[] tokenBytes(int id);

    /** Beginning-of-sequence id, or -1 when the vocabulary has none. */
    int bosId();

    /** End-of-sequence id, or -1 when the vocabulary has none. */
    int eosId();

    /** True for tokens that end generation: eos, eot, eom and end-of-turn control tokens like {@code <|im_end|>}. */
    boolean isEndOfGeneration(int id);

    int vocabSize();
}
