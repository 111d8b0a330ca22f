package io.promptune.optimizer.tuning.interim;

import io.promptune.datasets.Example;
import io.promptune.optimizer.tuning.PromptBuilder;
import io.promptune.providers.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interim prompt template until the datasets module's PromptTemplate lands: an optional system
 * message and a user message with {{field}} placeholders; few-shot demonstrations become earlier
 * user/assistant turns.
 */
public record SimpleTemplate(String system, String user) implements PromptBuilder {
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    @Override
    public List<ChatMessage> messages(Example example, List<Example> fewShot) {
        List<ChatMessage> out = new ArrayList<>();
        if (system != null && !system.isBlank()) out.add(ChatMessage.system(system));
        for (Example shot : fewShot) {
            out.add(ChatMessage.user(fill(user, shot.inputs())));
            out.add(ChatMessage.assistant(shot.reference()));
        }
        out.add(ChatMessage.user(fill(user, example.inputs())));
        return out;
    }

    @Override
    public String sourceText() {
        return system == null || system.isBlank() ? user : "system: " + system + "\nuser: " + user;
    }

    static String fill(String text, Map<String, Object> fields) {
        Matcher m = FIELD.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Object v = fields.get(m.group(1));
            if (v == null) throw new IllegalArgumentException("the template refers to {{" + m.group(1) + "}} but the example has only " + fields.keySet());
            m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(v)));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
