package io.promptune.localmodel.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rewrites the few Python/Jinja2 expression forms Jinjava parses differently, before Jinjava sees the
 * template. Only text inside {{ }} and {% %} changes, never literal text or string literals:
 * <ul>
 *   <li>slices {@code x[a:b:c]} become {@code x|py_slice(a, b, c)} (Jinjava rejects steps such as
 *       {@code [::-1]} and bounds with operators such as {@code [:n+1]});</li>
 *   <li>keyword argument values get parentheses, {@code f(k=a - 1)} becomes {@code f(k=(a - 1))}
 *       (Jinjava binds {@code =} tighter than arithmetic);</li>
 *   <li>{@code n+1} becomes {@code n + 1} (Jinjava reads "+1" as a signed number literal);</li>
 *   <li>{@code not x is defined} becomes {@code not (x is defined)} (Python's "not" binds looser than
 *       comparisons and tests; Jinjava's binds tighter).</li>
 * </ul>
 */
final class PythonSyntaxRewriter {
    private static final Pattern KWARG = Pattern.compile("^(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*)=(?!=)(.*)$", Pattern.DOTALL);

    private PythonSyntaxRewriter() {}

    static String rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length() + 64);
        int i = 0, n = template.length();
        while (i < n) {
            int open = nextOpen(template, i);
            if (open < 0) {
                out.append(template, i, n);
                break;
            }
            out.append(template, i, open);
            char kind = template.charAt(open + 1);
            if (kind == '#') { // comment: copy through
                int end = template.indexOf("#}", open + 2);
                end = end < 0 ? n : end + 2;
                out.append(template, open, end);
                i = end;
                continue;
            }
            String close = kind == '{' ? "}}" : "%}";
            int end = findClose(template, open + 2, close);
            if (end < 0) { // unterminated: leave it for Jinjava to report
                out.append(template, open, n);
                break;
            }
            String inner = template.substring(open + 2, end);
            String trimmed = inner.strip().replaceFirst("^[-+]\\s*", "");
            if (kind == '%' && (trimmed.startsWith("raw") || trimmed.startsWith("macro") || trimmed.startsWith("call"))) {
                out.append(template, open, end + 2);
                if (trimmed.startsWith("raw")) { // copy the raw block verbatim
                    int endRaw = template.indexOf("endraw", end);
                    int endTag = endRaw < 0 ? -1 : template.indexOf("%}", endRaw);
                    if (endTag >= 0) {
                        out.append(template, end + 2, endTag + 2);
                        i = endTag + 2;
                        continue;
                    }
                }
                i = end + 2;
                continue;
            }
            // keep whitespace-control markers ({{- ... -}}) outside the rewritten expression
            int a = 0, b = inner.length();
            if (a < b && (inner.charAt(a) == '-' || inner.charAt(a) == '+')) a++;
            if (b > a && (inner.charAt(b - 1) == '-' || inner.charAt(b - 1) == '+')) b--;
            out.append(template, open, open + 2).append(inner, 0, a).append(expression(inner.substring(a, b)))
                    .append(inner, b, inner.length()).append(close);
            i = end + 2;
        }
        return out.toString();
    }

    /** A filter applied in an expression ({@code x|name}) and the 1-based line it is on. */
    record FilterUse(String name, int line, int start, int end) {}

    /** The filters the template's expressions apply, to report unknown ones before rendering. */
    static List<FilterUse> filterUses(String template) {
        List<FilterUse> uses = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = nextOpen(template, i);
            if (open < 0) break;
            char kind = template.charAt(open + 1);
            if (kind == '#') {
                int end = template.indexOf("#}", open + 2);
                if (end < 0) break;
                i = end + 2;
                continue;
            }
            int end = findClose(template, open + 2, kind == '{' ? "}}" : "%}");
            if (end < 0) break;
            for (int j = open + 2; j < end; j++) {
                char c = template.charAt(j);
                if (c == '\'' || c == '"') {
                    j = skipString(template, j) - 1;
                } else if (c == '|' && template.charAt(j - 1) != '|' && template.charAt(j + 1) != '|') {
                    int k = j + 1;
                    while (k < end && Character.isWhitespace(template.charAt(k))) k++;
                    int w = k;
                    while (k < end && isWordChar(template.charAt(k))) k++;
                    if (k > w) uses.add(new FilterUse(template.substring(w, k), lineOf(template, j), w, k));
                }
            }
            i = end + 2;
        }
        return uses;
    }

    /**
     * Replaces uses of filters Jinjava does not know by {@code py_unknown('name', args...)}, which fails
     * when (and only when) it runs: Jinja2 too reports an unknown filter only on a branch it takes.
     */
    static String markUnknownFilters(String template, java.util.function.Predicate<String> known) {
        List<FilterUse> uses = filterUses(template);
        StringBuilder sb = new StringBuilder(template);
        for (int u = uses.size() - 1; u >= 0; u--) {
            FilterUse use = uses.get(u);
            if (known.test(use.name())) continue;
            int k = use.end();
            while (k < sb.length() && Character.isWhitespace(sb.charAt(k))) k++;
            if (k < sb.length() && sb.charAt(k) == '(') {
                int a = k + 1;
                while (a < sb.length() && Character.isWhitespace(sb.charAt(a))) a++;
                boolean noArgs = a < sb.length() && sb.charAt(a) == ')';
                sb.replace(use.start(), k + 1, "py_unknown('" + use.name() + "'" + (noArgs ? "" : ", "));
            } else {
                sb.replace(use.start(), use.end(), "py_unknown('" + use.name() + "')");
            }
        }
        return sb.toString();
    }

    private static int lineOf(String s, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) if (s.charAt(i) == '\n') line++;
        return line;
    }

    private static int nextOpen(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** Index of {@code close} outside string literals, or -1. */
    private static int findClose(String s, int from, String close) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipString(s, i) - 1;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Index just past the string literal starting at {@code i}. */
    private static int skipString(String s, int i) {
        char q = s.charAt(i);
        for (int j = i + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\\') j++;
            else if (c == q) return j + 1;
        }
        return s.length();
    }

    /** Index of the bracket closing the one at {@code i}, or -1. */
    private static int matching(String s, int i) {
        int depth = 0;
        for (int j = i; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\'' || c == '"') {
                j = skipString(s, j) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) return j;
            }
        }
        return -1;
    }

    /** Splits on a separator at bracket depth 0, outside strings. */
    private static List<String> splitTop(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\'' || c == '"') {
                j = skipString(s, j) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(start, j));
                start = j + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    static String expression(String e) {
        return notPrecedence(brackets(e));
    }

    /**
     * Python's "not" binds looser than comparisons and tests ({@code not x is defined} means
     * {@code not (x is defined)}); Jinjava binds it tighter. Parenthesises the operand of each unary
     * "not" up to the next top-level and/or/if/else.
     */
    static String notPrecedence(String e) {
        List<int[]> words = new ArrayList<>(); // [start, end] of top-level words
        int depth = 0;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipString(e, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && (Character.isLetter(c) || c == '_') && (i == 0 || !isWordChar(e.charAt(i - 1)))) {
                int j = i;
                while (j < e.length() && isWordChar(e.charAt(j))) j++;
                words.add(new int[] {i, j});
                i = j - 1;
            }
        }
        for (int k = words.size() - 1; k >= 0; k--) {
            int[] w = words.get(k);
            if (!e.substring(w[0], w[1]).equals("not")) continue;
            if (k > 0 && e.substring(words.get(k - 1)[0], words.get(k - 1)[1]).equals("is")
                    && e.substring(words.get(k - 1)[1], w[0]).isBlank()) continue; // "is not"
            if (k + 1 < words.size() && e.substring(words.get(k + 1)[0], words.get(k + 1)[1]).equals("in")
                    && e.substring(w[1], words.get(k + 1)[0]).isBlank()) continue; // "not in"
            int end = e.length();
            for (int m = k + 1; m < words.size(); m++) {
                String word = e.substring(words.get(m)[0], words.get(m)[1]);
                if (word.equals("and") || word.equals("or") || word.equals("if") || word.equals("else")) {
                    end = words.get(m)[0];
                    break;
                }
            }
            String operand = e.substring(w[1], end);
            if (operand.isBlank()) continue;
            int trail = operand.length();
            while (trail > 0 && Character.isWhitespace(operand.charAt(trail - 1))) trail--;
            e = e.substring(0, w[1]) + " (" + operand.substring(0, trail).strip() + ")" + operand.substring(trail) + e.substring(end);
        }
        return e;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static String brackets(String e) {
        StringBuilder out = new StringBuilder(e.length() + 16);
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = skipString(e, i);
                out.append(e, i, end);
                i = end - 1;
                continue;
            }
            if ((c == '+' || c == '-') && i + 1 < e.length() && Character.isDigit(e.charAt(i + 1))) {
                // Jinjava reads "n+1" as "n" followed by the number "+1": make the operator binary
                char prev = previousSignificant(out);
                if (Character.isLetterOrDigit(prev) || prev == '_' || prev == ')' || prev == ']') {
                    out.append(' ').append(c).append(' ');
                    continue;
                }
            }
            if (c != '[' && c != '(' && c != '{') {
                out.append(c);
                continue;
            }
            int close = matching(e, i);
            if (close < 0) {
                out.append(e, i, e.length());
                break;
            }
            String inner = e.substring(i + 1, close);
            char prev = previousSignificant(out);
            boolean follows = Character.isLetterOrDigit(prev) || prev == '_' || prev == ')' || prev == ']'
                    || prev == '\'' || prev == '"';
            if (c == '[' && follows && splitTop(inner, ':').size() > 1) {
                List<String> parts = splitTop(inner, ':');
                StringBuilder args = new StringBuilder();
                for (int k = 0; k < parts.size(); k++) {
                    if (k > 0) args.append(", ");
                    String p = parts.get(k).strip();
                    args.append(p.isEmpty() ? "none" : "(" + expression(p) + ")");
                }
                out.append("|py_slice(").append(args).append(')');
            } else if (c == '(' && follows) {
                List<String> args = splitTop(inner, ',');
                out.append('(');
                for (int k = 0; k < args.size(); k++) {
                    if (k > 0) out.append(',');
                    var m = KWARG.matcher(args.get(k));
                    if (m.matches() && !m.group(2).isBlank()) {
                        out.append(m.group(1)).append("=(").append(expression(m.group(2).strip())).append(')');
                    } else {
                        out.append(expression(args.get(k)));
                    }
                }
                out.append(')');
            } else {
                out.append(c).append(expression(inner)).append(e.charAt(close));
            }
            i = close;
        }
        return out.toString();
    }

    private static char previousSignificant(StringBuilder sb) {
        for (int i = sb.length() - 1; i >= 0; i--) {
            char c = sb.charAt(i);
            if (!Character.isWhitespace(c)) return c;
        }
        return ' ';
    }
}
