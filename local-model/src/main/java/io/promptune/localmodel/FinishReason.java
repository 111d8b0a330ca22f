package io.promptune.localmodel;

/** Why a generation ended. */
public enum FinishReason {
    /** A stop sequence appeared in the text (it is not part of the returned text). */
    STOP,
    /** The token limit (max tokens, or the context length) was reached. */
    LENGTH,
    /** The model produced an end-of-generation token (not part of the returned text). */
    EOS
}
