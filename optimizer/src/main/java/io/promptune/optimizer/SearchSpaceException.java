package io.promptune.optimizer;

/** A search space that cannot be used: the message names the offending parameter and field. */
public class SearchSpaceException extends IllegalArgumentException {
    public SearchSpaceException(String message) {
        super(message);
    }
}
