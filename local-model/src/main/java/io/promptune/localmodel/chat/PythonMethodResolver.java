package io.promptune.localmodel.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's str and dict methods that Hugging Face chat templates call ({@code content.strip()},
 * {@code role.startswith('x')}, {@code text.split('\n')}, {@code d.get('k', default)} ...), which
 * Jinjava, calling Java methods, would otherwise not find or would run with Java's meaning
 * ({@code String.split} takes a regex). Only resolves calls it knows; everything else falls through.
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) return null;
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (base instanceof String s) {
            result = stringMethod(s, name, args);
        } else if (base instanceof Map<?, ?> m) {
            result = mapMethod(m, name, args);
        } else {
            return null;
        }
        if (result == NOT_HANDLED) return null;
        context.setPropertyResolved(true);
        return result;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object stringMethod(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> a.length == 0 || a[0] == null ? s.strip() : stripChars(s, str(a[0]), true, true);
            case "lstrip" -> a.length == 0 || a[0] == null ? s.stripLeading() : stripChars(s, str(a[0]), true, false);
            case "rstrip" -> a.length == 0 || a[0] == null ? s.stripTrailing() : stripChars(s, str(a[0]), false, true);
            case "startswith" -> a.length == 1 ? anyPrefix(s, a[0], true) : NOT_HANDLED;
            case "endswith" -> a.length == 1 ? anyPrefix(s, a[0], false) : NOT_HANDLED;
            case "split" -> split(s, a.length > 0 ? a[0] : null, a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "rsplit" -> a.length <= 1 ? split(s, a.length > 0 ? a[0] : null, -1) : rsplit(s, str(a[0]), ((Number) a[1]).intValue());
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> a.length >= 2 ? s.replace(str(a[0]), str(a[1])) : NOT_HANDLED;
            case "find" -> a.length == 1 ? (long) s.indexOf(str(a[0])) : NOT_HANDLED;
            case "rfind" -> a.length == 1 ? (long) s.lastIndexOf(str(a[0])) : NOT_HANDLED;
            case "count" -> a.length == 1 ? (long) count(s, str(a[0])) : NOT_HANDLED;
            case "join" -> a.length == 1 ? join(s, a[0]) : NOT_HANDLED;
            case "format" -> format(s, a);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            default -> NOT_HANDLED;
        };
    }

    private static Object mapMethod(Map<?, ?> m, String name, Object[] a) {
        return switch (name) {
            case "get" -> a.length == 2 ? (m.containsKey(a[0]) ? m.get(a[0]) : a[1]) : NOT_HANDLED;
            case "keys" -> a.length == 0 ? new ArrayList<>(m.keySet()) : NOT_HANDLED;
            case "values" -> a.length == 0 ? new ArrayList<>(m.values()) : NOT_HANDLED;
            default -> NOT_HANDLED;
        };
    }

    private static String str(Object o) { return o == null ? "" : o.toString(); }

    private static boolean anyPrefix(String s, Object arg, boolean prefix) {
        if (arg instanceof Iterable<?> it) {
            for (Object o : it) if (prefix ? s.startsWith(str(o)) : s.endsWith(str(o))) return true;
            return false;
        }
        return prefix ? s.startsWith(str(arg)) : s.endsWith(str(arg));
    }

    private static String stripChars(String s, String chars, boolean left, boolean right) {
        int b = 0, e = s.length();
        if (left) while (b < e && chars.indexOf(s.charAt(b)) >= 0) b++;
        if (right) while (e > b && chars.indexOf(s.charAt(e - 1)) >= 0) e--;
        return s.substring(b, e);
    }

    /** Python's str.split: on runs of whitespace without a separator, else on the literal separator. */
    private static List<String> split(String s, Object sepArg, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sepArg == null) {
            for (String part : s.strip().split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1)) if (!part.isEmpty()) out.add(part);
            return out;
        }
        String sep = str(sepArg);
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int i = s.indexOf(sep, from);
            if (i < 0) break;
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<String> rsplit(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < maxSplit) {
            int i = s.lastIndexOf(sep, end - sep.length());
            if (i < 0) break;
            out.add(0, s.substring(i + sep.length(), end));
            end = i;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    /** str.format with positional fields: "{}" and "{0}" ("{{" and "}}" are literal braces). */
    private static Object format(String s, Object[] a) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < s.length() && s.charAt(i + 1) == c) {
                sb.append(c);
                i++;
            } else if (c == '{') {
                int close = s.indexOf('}', i);
                if (close < 0) return NOT_HANDLED;
                String field = s.substring(i + 1, close).strip();
                int idx;
                if (field.isEmpty()) idx = auto++;
                else if (field.chars().allMatch(Character::isDigit)) idx = Integer.parseInt(field);
                else return NOT_HANDLED;
                if (idx >= a.length) throw new IllegalArgumentException("format: no argument " + idx + " for '" + s + "'");
                sb.append(str(a[idx]));
                i = close;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }

    private static String join(String sep, Object items) {
        StringBuilder sb = new StringBuilder();
        if (items instanceof Iterable<?> it) {
            Iterator<?> iter = it.iterator();
            while (iter.hasNext()) {
                sb.append(str(iter.next()));
                if (iter.hasNext()) sb.append(sep);
            }
        }
        return sb.toString();
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) { return null; }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) { return null; }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) { return true; }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) { return null; }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) { return null; }
}
