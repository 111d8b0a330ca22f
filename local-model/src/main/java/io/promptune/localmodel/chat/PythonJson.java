package io.promptune.localmodel.chat;

import java.util.Map;

/**
 * Python's json.dumps as Hugging Face templates' {@code tojson} filter calls it: separators ", " and
 * ": " (or newlines with {@code indent}), non-ASCII kept as is.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, int indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b ? "true" : "false");
            case Double d when d.isNaN() -> sb.append("NaN");
            case Float f when f.isNaN() -> sb.append("NaN");
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(indent > 0 ? "," : ", ");
                    first = false;
                    newline(sb, indent, depth + 1);
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), indent, depth + 1);
                }
                newline(sb, indent, depth);
                sb.append('}');
            }
            case Iterable<?> it -> {
                if (!it.iterator().hasNext()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                boolean first = true;
                for (Object o : it) {
                    if (!first) sb.append(indent > 0 ? "," : ", ");
                    first = false;
                    newline(sb, indent, depth + 1);
                    write(sb, o, indent, depth + 1);
                }
                newline(sb, indent, depth);
                sb.append(']');
            }
            case Object[] arr -> write(sb, java.util.Arrays.asList(arr), indent, depth);
            default -> string(sb, v.toString());
        }
    }

    private static void newline(StringBuilder sb, int indent, int depth) {
        if (indent <= 0) return;
        sb.append('\n');
        sb.append(" ".repeat(indent * depth));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
