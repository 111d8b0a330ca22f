package io.promptune.localmodel.tokenizer;

import io.promptune.localmodel.gguf.GgufFile;

/**
 * Turns text into token ids and back, exactly as llama.cpp does for the same GGUF vocabulary.
 * Implementations are immutable and thread-safe once built.
 */
public interface Tokenizer {

    /**
     * Builds the tokenizer the GGUF names in {@code tokenizer.ggml.model} ("llama": SentencePiece-style,
     * "gpt2": byte-level BPE with the pre-tokenizer in {@code tokenizer.ggml.pre}). A missing or unsupported
     * tokenizer key is a {@link io.promptune.localmodel.gguf.GgufException} naming the file and key.
     */
    static Tokenizer fromGguf(GgufFile f) {
        return TokenizerLoader.load(f);
    }

    /**
     * Encodes {@code text}.
     *
     * @param addSpecial   add BOS/EOS as the GGUF's add_bos_token/add_eos_token (or llama.cpp's defaults) say
     * @param parseSpecial recognise control tokens such as {@code <|im_start|>} written in the text
     *                     (user-defined tokens are always recognised, as in llama.cpp)
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of the tokens. Control tokens (BOS, EOS, {@code <|im_end|>} ...) render as nothing, and the
     * space a SentencePiece tokenizer puts in front of the text is removed again, so
     * {@code decode(encode(x, ...)) == x} for text without control tokens. Incomplete UTF-8 sequences
     * become U+FFFD.
     */
    String decode(int[] ids);

    /**
     * The raw bytes the token stands for (byte-fallback and byte-level tokens decoded, control tokens
     * empty), for UTF-8-safe incremental streaming: concatenate and decode complete sequences only.
     */
    byte[] tokenBytes(int id);

    /** The token's text as stored in the vocabulary (e.g. "▁Hello", "Ġworld", "<0x0A>", "<|im_end|>"). */
    String tokenText(int id);

    /** Beginning-of-sequence id, or -1 when the vocabulary has none. */
    int bosId();

    /** End-of-sequence id, or -1 when the vocabulary has none. */
    int eosId();

    /** True for tokens that end generation: eos, eot, eom and end-of-turn tokens like {@code <|im_end|>}. */
    boolean isEndOfGeneration(int id);

    /** True for control tokens (BOS, EOS, chat markers), which {@link #decode} renders as nothing. */
    boolean isControl(int id);

    int vocabSize();
}
