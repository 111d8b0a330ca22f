package io.promptune.localmodel.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Jinja2 features Hugging Face templates use that Jinjava lacks: filters and tags. */
final class JinjaExtensions {
    private JinjaExtensions() {}

    /** tojson with Python's json.dumps layout (HF templates compare against it token for token). */
    static final class ToJson implements Filter {
        @Override
        public String getName() { return "tojson"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonJson.dumps(var, 0);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.get("indent");
            if (indent == null && args.length > 0) indent = args[0];
            return PythonJson.dumps(var, indent instanceof Number n ? n.intValue() : 0);
        }
    }

    /** x|py_slice(start, stop, step): Python's x[start:stop:step] on strings and sequences. */
    static final class PySlice implements Filter {
        @Override
        public String getName() { return "py_slice"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Integer start = index(args, 0), stop = index(args, 1), stepArg = index(args, 2);
            int step = stepArg == null ? 1 : stepArg;
            if (step == 0) throw new IllegalArgumentException("slice step cannot be zero");
            if (var instanceof String s) {
                StringBuilder sb = new StringBuilder();
                for (int i : indices(s.length(), start, stop, step)) sb.append(s.charAt(i));
                return sb.toString();
            }
            List<Object> items = new ArrayList<>();
            if (var instanceof Iterable<?> it) it.forEach(items::add);
            else if (var instanceof Object[] arr) items.addAll(List.of(arr));
            else if (var == null) return null;
            else throw new IllegalArgumentException("cannot slice a " + var.getClass().getSimpleName());
            List<Object> out = new ArrayList<>();
            for (int i : indices(items.size(), start, stop, step)) out.add(items.get(i));
            return out;
        }

        private static Integer index(Object[] args, int k) {
            if (args == null || k >= args.length || args[k] == null) return null;
            if (args[k] instanceof Number n) return n.intValue();
            String s = args[k].toString().strip();
            if (s.isEmpty() || s.equals("none") || s.equals("None")) return null;
            return (int) Double.parseDouble(s);
        }

        /** The indices Python's slice(start, stop, step).indices(len) visits. */
        static List<Integer> indices(int len, Integer start, Integer stop, int step) {
            int lo, hi;
            if (step > 0) {
                lo = start == null ? 0 : clamp(start < 0 ? start + len : start, 0, len);
                hi = stop == null ? len : clamp(stop < 0 ? stop + len : stop, 0, len);
            } else {
                lo = start == null ? len - 1 : clamp(start < 0 ? start + len : start, -1, len - 1);
                hi = stop == null ? -1 : clamp(stop < 0 ? stop + len : stop, -1, len - 1);
            }
            List<Integer> out = new ArrayList<>();
            if (step > 0) for (int i = lo; i < hi; i += step) out.add(i);
            else for (int i = lo; i > hi; i += step) out.add(i);
            return out;
        }

        private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }
    }

    /** dict|items: the key/value pairs of a mapping (Jinja2 3.1), for {@code for k, v in d|items}. */
    static final class Items implements Filter {
        @Override
        public String getName() { return "items"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var instanceof Map<?, ?> m) return new ArrayList<>(m.entrySet());
            return var == null ? List.of() : var;
        }
    }

    /** Stands in for a filter Jinjava lacks; fails when the template actually applies it. */
    static final class UnknownFilter implements Filter {
        @Override
        public String getName() { return "py_unknown"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            throw new JinjaChatTemplate.UnknownFilterException(args.length > 0 ? args[0] : "?");
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            throw new JinjaChatTemplate.UnknownFilterException(args.length > 0 ? String.valueOf(args[0]) : "?");
        }
    }

    /** seq|min and seq|max (Jinja2 builtins), optionally by attribute. */
    static final class MinMax implements Filter {
        private final String name;

        MinMax(String name) { this.name = name; }

        @Override
        public String getName() { return name; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, new Object[0], Map.of());
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object attribute = kwargs.get("attribute");
            Object best = null, bestKey = null;
            Iterable<?> items = var instanceof Iterable<?> it ? it : var instanceof Map<?, ?> m ? m.keySet() : List.of();
            for (Object o : items) {
                Object key = attribute != null && o instanceof Map<?, ?> m ? m.get(String.valueOf(attribute)) : o;
                if (key instanceof Number n) key = n.doubleValue();
                if (bestKey == null || (name.equals("min") ? ((Comparable) key).compareTo(bestKey) < 0
                        : ((Comparable) key).compareTo(bestKey) > 0)) {
                    best = o;
                    bestKey = key;
                }
            }
            return best;
        }
    }

    /** Renders a tag's children (for block tags whose only effect in HF is elsewhere). */
    static String renderChildren(TagNode node, JinjavaInterpreter interpreter) {
        StringBuilder sb = new StringBuilder();
        for (Node child : node.getChildren()) sb.append(child.render(interpreter).getValue());
        return sb.toString();
    }

    /** {% generation %}...{% endgeneration %}: marks assistant text for training masks; renders its body. */
    static final class GenerationTag implements Tag {
        @Override
        public String getName() { return "generation"; }

        @Override
        public String getEndTagName() { return "endgeneration"; }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            return renderChildren(tagNode, interpreter);
        }
    }

    /** {% filter name %}...{% endfilter %}: applies a filter (chain) to the rendered body. */
    static final class FilterTag implements Tag {
        @Override
        public String getName() { return "filter"; }

        @Override
        public String getEndTagName() { return "endfilter"; }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            Object value = renderChildren(tagNode, interpreter);
            for (String name : tagNode.getHelpers().strip().split("\\s*\\|\\s*")) {
                if (name.isEmpty()) continue;
                Filter f = interpreter.getContext().getFilter(name);
                if (f == null) throw new IllegalArgumentException("unknown filter '" + name + "'");
                value = f.filter(value, interpreter);
            }
            return value == null ? "" : value.toString();
        }
    }
}
