package io.promptune.localmodel.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face style chat template rendered with Jinjava, set up to behave like the Python Jinja
 * environment transformers uses (trim_blocks, lstrip_blocks, raise_exception, strftime_now, tojson with
 * Python's separators, Python string methods). Rendering problems become {@link ChatTemplateException}s
 * that name the template and line.
 */
final class JinjaChatTemplate implements ChatTemplate {
    private static final Jinjava JINJAVA = createJinjava();
    private static final JinjavaConfig CONFIG = JINJAVA.getGlobalConfig();

    private final String name;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Supplier<ZonedDateTime> clock;
    private final Node root;

    /** The time strftime_now sees during the current render on this thread. */
    static final ThreadLocal<ZonedDateTime> RENDER_TIME = new ThreadLocal<>();

    JinjaChatTemplate(String name, String source, String bosToken, String eosToken) {
        this(name, source, bosToken, eosToken, ZonedDateTime::now);
    }

    JinjaChatTemplate(String name, String source, String bosToken, String eosToken, Supplier<ZonedDateTime> clock) {
        this.clock = clock;
        this.name = name;
        // Jinja2 (keep_trailing_newline=False) drops one newline at the very end of the source
        String src = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        // Jinjava renders an unknown filter as nothing; Jinja2 fails when it runs one: so do we
        src = PythonSyntaxRewriter.markUnknownFilters(src, f -> JINJAVA.getGlobalContext().getFilter(f) != null);
        this.source = PythonSyntaxRewriter.rewrite(src);
        // parse once; each render walks the same tree with a fresh interpreter
        JinjavaInterpreter parser = newInterpreter(Map.of());
        JinjavaInterpreter.pushCurrent(parser);
        try {
            this.root = parser.parse(this.source);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        for (TemplateError err : parser.getErrors()) {
            if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template of " + name + ": line " + err.getLineno() + ": " + err.getMessage());
            }
        }
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("role", m.role());
            mm.put("content", m.content());
            msgs.add(mm);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        String output;
        List<TemplateError> errors;
        RENDER_TIME.set(clock.get());
        JinjavaInterpreter interpreter = newInterpreter(ctx);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            output = interpreter.render(root);
            errors = interpreter.getErrorsCopy();
        } catch (TemplateRaised e) {
            throw new ChatTemplateException("chat template of " + name + " refused the conversation: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template of " + name + ": " + rootMessage(e), e);
        } finally {
            JinjavaInterpreter.popCurrent();
            RENDER_TIME.remove();
        }
        for (TemplateError err : errors) {
            TemplateRaised raised = raisedIn(err.getException());
            if (raised != null) {
                throw new ChatTemplateException("chat template of " + name + " refused the conversation: " + raised.getMessage());
            }
        }
        for (TemplateError err : errors) {
            UnknownFilterException unknown = causeOf(err.getException(), UnknownFilterException.class);
            if (unknown != null) {
                throw new ChatTemplateException("chat template of " + name + ": line " + err.getLineno() + ": " + unknown.getMessage());
            }
            if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template of " + name + ": line " + err.getLineno() + ": " + err.getMessage());
            }
        }
        return output;
    }

    private static JinjavaInterpreter newInterpreter(Map<String, Object> bindings) {
        Context context = new Context(JINJAVA.getGlobalContext(), bindings, CONFIG.getDisabled());
        return new JinjavaInterpreter(JINJAVA, context, CONFIG);
    }

    @Override
    public String toString() { return "ChatTemplate[" + name + "]"; }

    private static TemplateRaised raisedIn(Throwable t) {
        return causeOf(t, TemplateRaised.class);
    }

    private static <T extends Throwable> T causeOf(Throwable t, Class<T> type) {
        for (int i = 0; t != null && i < 10; i++, t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    /** Thrown when a template runs a filter nobody defined. */
    static final class UnknownFilterException extends RuntimeException {
        UnknownFilterException(String filter) {
            super("unknown filter '" + filter + "'");
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        return r.getMessage() == null ? r.toString() : r.getMessage();
    }

    /** Thrown by the template's raise_exception(msg). */
    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    static String strftime(ZonedDateTime t, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            if (d == '-' && i + 1 < format.length()) { // %-d: no padding (glibc)
                char e = format.charAt(++i);
                sb.append(switch (e) {
                    case 'd' -> String.valueOf(t.getDayOfMonth());
                    case 'm' -> String.valueOf(t.getMonthValue());
                    case 'H' -> String.valueOf(t.getHour());
                    case 'I' -> String.valueOf((t.getHour() + 11) % 12 + 1);
                    case 'M' -> String.valueOf(t.getMinute());
                    default -> "%-" + e;
                });
                continue;
            }
            sb.append(switch (d) {
                case 'Y' -> String.valueOf(t.getYear());
                case 'y' -> String.format("%02d", t.getYear() % 100);
                case 'm' -> String.format("%02d", t.getMonthValue());
                case 'd' -> String.format("%02d", t.getDayOfMonth());
                case 'H' -> String.format("%02d", t.getHour());
                case 'I' -> String.format("%02d", (t.getHour() + 11) % 12 + 1);
                case 'M' -> String.format("%02d", t.getMinute());
                case 'S' -> String.format("%02d", t.getSecond());
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'B' -> t.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH));
                case 'b' -> t.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH));
                case 'A' -> t.format(DateTimeFormatter.ofPattern("EEEE", Locale.ENGLISH));
                case 'a' -> t.format(DateTimeFormatter.ofPattern("EEE", Locale.ENGLISH));
                case 'j' -> String.format("%03d", t.getDayOfYear());
                case 'Z' -> t.getZone().getId();
                case '%' -> "%";
                default -> "%" + d;
            });
        }
        return sb.toString();
    }

    private static Jinjava createJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(com.hubspot.jinjava.el.JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withKeepTrailingNewline(true)
                .withFailOnUnknownTokens(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .withElResolver(resolver)
                .withMaxOutputSize(64L << 20)
                .build();
        Jinjava j = new Jinjava(config);
        try {
            j.registerFunction(new ELFunctionDefinition("", "raise_exception",
                    TemplateFunctions.class.getMethod("raiseException", String.class)));
            j.registerFunction(new ELFunctionDefinition("", "strftime_now",
                    TemplateFunctions.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        j.registerFilter(new JinjaExtensions.ToJson());
        j.registerFilter(new JinjaExtensions.PySlice());
        j.registerFilter(new JinjaExtensions.Items());
        j.registerFilter(new JinjaExtensions.UnknownFilter());
        j.registerFilter(new JinjaExtensions.MinMax("min"));
        j.registerFilter(new JinjaExtensions.MinMax("max"));
        j.registerTag(new JinjaExtensions.GenerationTag());
        j.registerTag(new JinjaExtensions.FilterTag());
        return j;
    }
}
