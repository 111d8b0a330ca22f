package io.promptune.reports;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The best configuration as text a user can paste: a YAML block for a config file and Java for the API. */
public final class ConfigSnippets {
    private ConfigSnippets() { }

    /**
     * The best configuration in the tune config's own format, ready to paste as the new baseline
     * (with its template, when the run recorded it).
     */
    public static String yaml(Map<String, Object> params, String templateName, Map<String, String> template) {
        StringBuilder sb = new StringBuilder("baseline:\n");
        if (templateName != null) sb.append("  template: ").append(yamlScalar(templateName)).append('\n');
        sb.append("  params:\n");
        for (var e : params.entrySet()) {
            if (e.getKey().equals("template")) continue;
            sb.append("    ").append(e.getKey()).append(": ").append(yamlValue(e.getValue())).append('\n');
        }
        if (templateName != null && template != null) {
            sb.append("templates:\n  ").append(yamlKey(templateName)).append(":\n");
            for (var part : template.entrySet()) sb.append("    ").append(part.getKey()).append(": ").append(yamlScalar(part.getValue())).append('\n');
        }
        return sb.toString();
    }

    /** The best configuration for the Java API: its decoding parameters and, when recorded, its template. */
    public static String java(Map<String, Object> params, Map<String, String> template) {
        StringBuilder sb = new StringBuilder("DecodingParams params = DecodingParams.builder()\n");
        for (var e : params.entrySet()) {
            String setter = switch (e.getKey()) {
                case "temperature" -> "temperature";
                case "top_k" -> "topK";
                case "top_p" -> "topP";
                case "min_p" -> "minP";
                case "repetition_penalty" -> "repetitionPenalty";
                case "frequency_penalty" -> "frequencyPenalty";
                case "presence_penalty" -> "presencePenalty";
                case "max_tokens" -> "maxTokens";
                case "seed" -> "seed";
                case "stop" -> "stop";
                default -> null;
            };
            if (setter == null) continue;
            sb.append("        .").append(setter).append('(').append(javaValue(e.getKey(), e.getValue())).append(")\n");
        }
        sb.append("        .build();\n");
        if (template != null && template.containsKey("raw")) {
            sb.append("PromptTemplate template = PromptTemplate.completion(").append(javaString(template.get("raw"))).append(");\n");
        } else if (template != null) {
            sb.append("PromptTemplate template = PromptTemplate.chat(\n        ")
                    .append(template.get("system") == null ? "null" : javaString(template.get("system"))).append(",\n        ")
                    .append(javaString(template.get("user"))).append(");\n");
        } else if (params.get("template") != null) {
            sb.append("String template = ").append(javaString(String.valueOf(params.get("template")))).append(";\n");
        }
        Object shots = params.get("few_shot");
        if (shots != null) sb.append("int fewShot = ").append(shots).append(";\n");
        return sb.toString();
    }

    private static String javaValue(String key, Object v) {
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("List.of(");
            for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? ", " : "").append(javaString(String.valueOf(l.get(i))));
            return sb.append(')').toString();
        }
        if (v instanceof Number n) {
            return switch (key) {
                case "top_k", "max_tokens" -> String.valueOf(n.intValue());
                case "seed" -> n.longValue() + "L";
                default -> number(n.doubleValue());
            };
        }
        return javaString(String.valueOf(v));
    }

    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e9) return String.format(Locale.ROOT, "%.1f", d);
        return String.format(Locale.ROOT, "%.4g", d).replaceAll("0+$", "").replaceAll("\\.$", ".0");
    }

    static String javaString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String yamlValue(Object v) {
        if (v instanceof Number n) return n instanceof Double || n instanceof Float ? number(n.doubleValue()) : n.toString();
        if (v instanceof Boolean) return v.toString();
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? ", " : "").append(yamlValue(l.get(i)));
            return sb.append(']').toString();
        }
        return yamlScalar(String.valueOf(v));
    }

    private static String yamlKey(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_-]*") ? s : yamlScalar(s);
    }

    /** A double-quoted YAML scalar (always valid, whatever the text holds). */
    static String yamlScalar(String s) {
        return javaString(s);
    }
}
