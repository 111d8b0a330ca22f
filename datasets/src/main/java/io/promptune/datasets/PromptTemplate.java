package io.promptune.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with {@code {{field}}} placeholders filled from an example's inputs, either for chat
 * (optional system message + user message) or as one raw completion prompt. A dotted name
 * ({@code {{person.city}}}) reads into nested objects; lists and objects are inserted as compact JSON.
 * Few-shot demonstrations render through the same user template, answered by their expected output.
 */
public final class PromptTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.\\-]*)\\s*}}");

    private final String system;
    private final String user;
    private final String raw;

    private PromptTemplate(String system, String user, String raw) {
        this.system = system;
        this.user = user;
        this.raw = raw;
    }

    /** A chat template; {@code system} may be null or empty for none. */
    public static PromptTemplate chat(String system, String user) {
        Objects.requireNonNull(user, "user template");
        return new PromptTemplate(system == null || system.isEmpty() ? null : system, user, null);
    }

    /** A raw completion template (no chat template applied by the model). */
    public static PromptTemplate completion(String text) {
        return new PromptTemplate(null, null, Objects.requireNonNull(text, "template"));
    }

    public boolean isChat() { return raw == null; }

    public String system() { return system; }

    public String user() { return user; }

    public String raw() { return raw; }

    /** The field names the template refers to, in order of first use. */
    public Set<String> fields() {
        Set<String> names = new LinkedHashSet<>();
        for (String t : new String[]{system, user, raw}) {
            if (t == null) continue;
            Matcher m = PLACEHOLDER.matcher(t);
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    public RenderedPrompt render(Example example) {
        return render(example, List.of());
    }

    /** Renders with demonstrations first: each a user turn and the assistant's expected answer. */
    public RenderedPrompt render(Example example, List<Example> shots) {
        if (!isChat()) {
            StringBuilder sb = new StringBuilder();
            for (Example s : shots) sb.append(fill(raw, s)).append(answer(s)).append("\n\n");
            return new RenderedPrompt(null, sb.append(fill(raw, example)).toString());
        }
        List<PromptMessage> msgs = new ArrayList<>();
        if (system != null) msgs.add(new PromptMessage("system", fill(system, example)));
        for (Example s : shots) {
            msgs.add(new PromptMessage("user", fill(user, s)));
            msgs.add(new PromptMessage("assistant", answer(s)));
        }
        msgs.add(new PromptMessage("user", fill(user, example)));
        return new RenderedPrompt(msgs, null);
    }

    private static String answer(Example shot) {
        if (shot.reference() == null) throw new TemplateException("few-shot example '" + shot.id() + "' has no expected output to show");
        return shot.reference();
    }

    private static String fill(String template, Example ex) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Object v = lookup(ex.inputs(), name);
            if (v == null) {
                throw new TemplateException("template placeholder {{" + name + "}} has no value in example '" + ex.id()
                        + "' (its fields: " + String.join(", ", ex.inputs().keySet()) + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text(v)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Object lookup(Map<String, Object> inputs, String name) {
        if (inputs.containsKey(name)) return inputs.get(name);
        Object cur = inputs;
        for (String part : name.split("\\.")) {
            if (!(cur instanceof Map<?, ?> map) || !map.containsKey(part)) return null;
            cur = map.get(part);
        }
        return cur;
    }

    private static String text(Object v) {
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            try {
                return JsonRowReader.MAPPER.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return ExampleMapper.asText(v);
    }

    @Override
    public String toString() {
        return isChat() ? (system == null ? "" : "[system] " + system + "\n") + "[user] " + user : raw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptTemplate t && Objects.equals(system, t.system) && Objects.equals(user, t.user) && Objects.equals(raw, t.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(system, user, raw);
    }
}
