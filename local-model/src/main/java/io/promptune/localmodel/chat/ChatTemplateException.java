package io.promptune.localmodel.chat;

/** A chat template that cannot be rendered; the message names the template and the problem. */
public class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
