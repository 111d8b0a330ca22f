package io.promptune.localmodel;

/** Receives a generation as it streams: one call per generated token that is kept. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param tokenId   the token just generated
     * @param textDelta text that became final with this token (may be empty: an incomplete UTF-8
     *                  sequence, or text held back because it could begin a stop sequence)
     */
    void onToken(int tokenId, String textDelta);

    TokenListener NONE = (id, delta) -> { };
}
