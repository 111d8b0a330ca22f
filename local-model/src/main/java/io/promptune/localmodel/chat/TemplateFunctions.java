package io.promptune.localmodel.chat;

import java.time.ZonedDateTime;

/** Global functions Hugging Face chat templates call; public only because Jinjava invokes them reflectively. */
public final class TemplateFunctions {
    private TemplateFunctions() {}

    /** raise_exception(msg): the template rejects the conversation. */
    public static Object raiseException(String message) {
        throw new JinjaChatTemplate.TemplateRaised(message);
    }

    /** strftime_now(format): the current local time in a Python strftime format. */
    public static String strftimeNow(String format) {
        ZonedDateTime now = JinjaChatTemplate.RENDER_TIME.get();
        return JinjaChatTemplate.strftime(now == null ? ZonedDateTime.now() : now, format);
    }
}
