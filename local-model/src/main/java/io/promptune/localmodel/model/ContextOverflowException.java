package io.promptune.localmodel.model;

/** A sequence would grow past the model's context length. */
public final class ContextOverflowException extends RuntimeException {
    public ContextOverflowException(String model, int needed, int contextLength) {
        super(model + ": context overflow: " + needed + " positions needed but the context length is " + contextLength);
    }
}
