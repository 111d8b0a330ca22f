package io.promptune.localmodel.chat;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import java.util.List;
import java.util.function.Consumer;

/** A model's chat template (Jinja, as in tokenizer.chat_template) that turns messages into a prompt. */
public interface ChatTemplate {

    /**
     * The GGUF's tokenizer.chat_template, with the GGUF's BOS/EOS token texts. A missing template is a
     * {@link GgufException} naming the file; see {@link #fromGgufOrChatMl} for a fallback.
     */
    static ChatTemplate fromGguf(GgufFile f) {
        Object src = f.get("tokenizer.chat_template");
        if (!(src instanceof String s) || s.isBlank()) {
            throw new GgufException(f.path(), "no chat template (metadata key 'tokenizer.chat_template' is missing)");
        }
        return new JinjaChatTemplate(f.path().getFileName().toString(), s, tokenText(f, "tokenizer.ggml.bos_token_id"),
                tokenText(f, "tokenizer.ggml.eos_token_id"));
    }

    /** The GGUF's template, or ChatML when it has none (reported through {@code warning}). */
    static ChatTemplate fromGgufOrChatMl(GgufFile f, Consumer<String> warning) {
        if (f.get("tokenizer.chat_template") instanceof String s && !s.isBlank()) return fromGguf(f);
        warning.accept("warning: " + f.path().getFileName() + " has no chat template (tokenizer.chat_template); using ChatML");
        return chatMl();
    }

    /** A template from Jinja source with the given bos/eos token texts (may be empty). */
    static ChatTemplate of(String jinjaSource, String bosToken, String eosToken) {
        return new JinjaChatTemplate("template", jinjaSource, bosToken, eosToken);
    }

    /** A named template (the name appears in error messages, e.g. the file it came from). */
    static ChatTemplate of(String name, String jinjaSource, String bosToken, String eosToken) {
        return new JinjaChatTemplate(name, jinjaSource, bosToken, eosToken);
    }

    /** ChatML ({@code <|im_start|>role\ncontent<|im_end|>\n}), the fallback for GGUFs without a template. */
    static ChatTemplate chatMl() {
        return new JinjaChatTemplate("ChatML (fallback)",
                "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
                        + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
                "", "");
    }

    /**
     * Renders the conversation; {@code addGenerationPrompt} appends the assistant turn header.
     *
     * @throws ChatTemplateException naming the template and the problem (including the template's own
     *                               raise_exception messages, e.g. "System role not supported")
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    private static String tokenText(GgufFile f, String idKey) {
        if (!(f.get("tokenizer.ggml.tokens") instanceof String[] tokens)) return "";
        long id = f.getLong(idKey, -1);
        return id >= 0 && id < tokens.length ? tokens[(int) id] : "";
    }
}
