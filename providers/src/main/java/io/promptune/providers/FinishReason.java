package io.promptune.providers;

/** Why generation ended. */
public enum FinishReason {
    /** A stop sequence matched. */
    STOP,
    /** The max-token limit was reached. */
    LENGTH,
    /** The model emitted its end-of-sequence token. */
    EOS,
    /** The backend failed; the completion's error field says why. */
    ERROR,
    OTHER
}
