package io.promptune.localmodel.chat;

import io.promptune.localmodel.gguf.GgufFile;
import java.util.List;

/** A model's chat template (Jinja, as in tokenizer.chat_template) that turns messages into a prompt. */
public interface ChatTemplate {

    /** The GGUF's tokenizer.chat_template; a clear error (GgufException) when it is missing. */
    static ChatTemplate fromGguf(GgufFile f) {
        throw new UnsupportedOperationException("chat templates not implemented yet");
    }

    /** A template from Jinja source with the given bos/eos token texts (may be empty). */
    static ChatTemplate of(String jinjaSource, String bosToken, String eosToken) {
        throw new UnsupportedOperationException("chat templates not implemented yet");
    }

    /** Renders the conversation; {@code addGenerationPrompt} appends the assistant turn header. */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
