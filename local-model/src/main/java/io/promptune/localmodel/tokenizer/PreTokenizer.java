package io.promptune.localmodel.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before BPE, as llama.cpp does for each {@code tokenizer.ggml.pre} type: a
 * sequence of splitters, each refining the chunks the previous one produced. The common GPT-2,
 * Llama 3 and Qwen 2 expressions use hand-written splitters that follow llama.cpp's own (whose
 * behaviour differs from a textbook regex in corner cases); other expressions run as Java regexes on
 * llama.cpp's "collapsed" text, where every non-ASCII code point stands as one character for its class.
 */
final class PreTokenizer {
    // Expressions as llama.cpp's llama-vocab.cpp lists them per pre-tokenizer type (they come from each
    // model's tokenizer.json).
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN35 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Map<String, List<String>> EXPRESSIONS = Map.ofEntries(
            Map.entry("default", List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]")),
            Map.entry("gpt2", List.of(GPT2)),
            Map.entry("llama3", List.of(LLAMA3)),
            Map.entry("qwen2", List.of(QWEN2)),
            Map.entry("qwen35", List.of(QWEN35)),
            Map.entry("starcoder", List.of("\\p{N}", GPT2)),
            Map.entry("falcon", List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]")),
            Map.entry("deepseek-llm", List.of(
                    "[\r\n]",
                    "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF\uD83A\uDD00-\uD83A\uDD43]+",
                    "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+",
                    "\\s+$",
                    "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
                    "\\p{N}+")),
            Map.entry("deepseek-coder", List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", "\\p{N}")),
            Map.entry("deepseek-v3", List.of("\\p{N}{1,3}", "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+",
                    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+")),
            Map.entry("bloom", List.of(" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+")),
            Map.entry("viking", List.of(" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+", "\\p{N}")));

    /** llama.cpp's pre-tokenizer names mapped onto the expression sets above. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("default", "default"),
            Map.entry("llama3", "llama3"), Map.entry("llama-v3", "llama3"), Map.entry("llama-bpe", "llama3"),
            Map.entry("falcon3", "llama3"), Map.entry("falcon-h1", "llama3"), Map.entry("pixtral", "llama3"),
            Map.entry("midm-2.0", "llama3"), Map.entry("lfm2", "llama3"), Map.entry("dbrx", "llama3"),
            Map.entry("smaug-bpe", "llama3"), Map.entry("glm4", "llama3"), Map.entry("chatglm-bpe", "llama3"),
            Map.entry("deepseek-llm", "deepseek-llm"), Map.entry("deepseek-coder", "deepseek-coder"),
            Map.entry("deepseek-v3", "deepseek-v3"), Map.entry("hunyuan-dense", "deepseek-v3"),
            Map.entry("falcon", "falcon"),
            Map.entry("mpt", "gpt2"), Map.entry("gpt-2", "gpt2"), Map.entry("phi-2", "gpt2"), Map.entry("olmo", "gpt2"),
            Map.entry("jina-es", "gpt2"), Map.entry("jina-de", "gpt2"), Map.entry("gigachat", "gpt2"),
            Map.entry("jina-v2-es", "gpt2"), Map.entry("jina-v2-de", "gpt2"), Map.entry("a.x-4.0", "gpt2"),
            Map.entry("mellum", "gpt2"), Map.entry("modern-bert", "gpt2"), Map.entry("jina-v1-en", "gpt2"),
            Map.entry("jina-v2-code", "gpt2"), Map.entry("roberta-bpe", "gpt2"), Map.entry("jais", "gpt2"),
            Map.entry("exaone4", "gpt2"), Map.entry("trillion", "gpt2"), Map.entry("granite-docling", "gpt2"),
            Map.entry("starcoder", "starcoder"), Map.entry("refact", "starcoder"), Map.entry("command-r", "starcoder"),
            Map.entry("smollm", "starcoder"), Map.entry("codeshell", "starcoder"), Map.entry("exaone", "starcoder"),
            Map.entry("minerva-7b", "starcoder"), Map.entry("mellum2", "starcoder"),
            Map.entry("qwen2", "qwen2"), Map.entry("deepseek-r1-qwen", "qwen2"), Map.entry("kormo", "qwen2"),
            Map.entry("f2llmv2", "qwen2"), Map.entry("stablelm2", "qwen2"), Map.entry("megrez", "qwen2"),
            Map.entry("hunyuan", "qwen2"), Map.entry("solar-open", "qwen2"),
            Map.entry("qwen35", "qwen35"),
            Map.entry("poro-chat", "bloom"), Map.entry("bloom", "bloom"), Map.entry("gpt3-finnish", "bloom"),
            Map.entry("viking", "viking"));

    private static final Map<String, PreTokenizer> CACHE = new ConcurrentHashMap<>();

    private final String name;
    private final List<Splitter> splitters;

    private PreTokenizer(String name, List<Splitter> splitters) {
        this.name = name;
        this.splitters = splitters;
    }

    /** The pre-tokenizer llama.cpp uses for {@code tokenizer.ggml.pre}; null when the name is unknown. */
    static PreTokenizer forName(String pre) {
        String key = ALIASES.get(pre == null || pre.isEmpty() ? "default" : pre);
        if (key == null) return null;
        return CACHE.computeIfAbsent(key, k -> {
            List<Splitter> s = new ArrayList<>();
            for (String expr : EXPRESSIONS.get(k)) s.add(splitterFor(expr));
            return new PreTokenizer(k, List.copyOf(s));
        });
    }

    /** True when llama.cpp's pre type for this name matches whole words against the vocabulary first. */
    static boolean ignoresMerges(String pre) {
        return "llama3".equals(ALIASES.get(pre)) && !"glm4".equals(pre) && !"chatglm-bpe".equals(pre)
                && !"dbrx".equals(pre) && !"smaug-bpe".equals(pre);
    }

    String name() { return name; }

    /** Splits {@code text} into words (plain text, not yet byte-encoded). */
    List<String> split(String text) {
        int[] cps = codePoints(text);
        Text t = new Text(cps);
        IntList chunks = new IntList(4);
        chunks.add(cps.length);
        for (Splitter s : splitters) chunks = s.split(t, chunks);
        List<String> words = new ArrayList<>(chunks.size());
        int start = 0;
        for (int i = 0; i < chunks.size(); i++) {
            int len = chunks.get(i);
            words.add(new String(cps, start, len));
            start += len;
        }
        return words;
    }

    private static int[] codePoints(String text) {
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            // a lone surrogate cannot be UTF-8 encoded: llama.cpp sees such bytes as U+FFFD
            if (cps[i] >= 0xD800 && cps[i] <= 0xDFFF) cps[i] = 0xFFFD;
        }
        return cps;
    }

    private static Splitter splitterFor(String expr) {
        return switch (expr) {
            case GPT2 -> PreTokenizer::splitGpt2;
            case LLAMA3 -> (t, c) -> splitLlama3(t, c, 3, false);
            case QWEN2 -> (t, c) -> splitLlama3(t, c, 1, false);
            case QWEN35 -> (t, c) -> splitLlama3(t, c, 1, true);
            default -> new RegexSplitter(expr);
        };
    }

    /** The code points of one text plus views of it that regex splitters match on. */
    static final class Text {
        final int[] cps;
        private String collapsed;
        private String plain;
        private int[] plainCharToCp;

        Text(int[] cps) { this.cps = cps; }

        /** One char per code point: ASCII as is, others as a stand-in for their class (as llama.cpp). */
        String collapsed() {
            if (collapsed == null) {
                char[] c = new char[cps.length];
                for (int i = 0; i < cps.length; i++) {
                    int cp = cps[i];
                    if (cp < 128) {
                        c[i] = (char) cp;
                        continue;
                    }
                    int f = UnicodeFlags.of(cp);
                    if (UnicodeFlags.isWhitespace(f)) c[i] = 0x0B;
                    else c[i] = switch (f & UnicodeFlags.CATEGORIES) {
                        case UnicodeFlags.NUMBER -> 0xD1;
                        case UnicodeFlags.LETTER -> 0xD2;
                        case UnicodeFlags.PUNCTUATION -> 0xD3;
                        case UnicodeFlags.MARK -> 0xD4;
                        case UnicodeFlags.SYMBOL -> 0xD5;
                        default -> 0xD0;
                    };
                }
                collapsed = new String(c);
            }
            return collapsed;
        }

        /** The text with non-ASCII whitespace as vertical tab (llama.cpp's wregex fallback). */
        String plain() {
            if (plain == null) {
                StringBuilder sb = new StringBuilder(cps.length + 8);
                plainCharToCp = new int[cps.length * 2 + 1];
                for (int i = 0; i < cps.length; i++) {
                    int cp = cps[i];
                    if (cp > 0x7F && UnicodeFlags.isWhitespace(UnicodeFlags.of(cp))) cp = 0x0B;
                    plainCharToCp[sb.length()] = i;
                    if (Character.isSupplementaryCodePoint(cp)) plainCharToCp[sb.length() + 1] = i;
                    sb.appendCodePoint(cp);
                }
                plainCharToCp[sb.length()] = cps.length;
                plain = sb.toString();
            }
            return plain;
        }

        int plainCharToCp(int charIndex) { return plainCharToCp[charIndex]; }

        int cpToPlainChar(int cpIndex) {
            plain();
            // code point index -> char index: count supplementary code points before it
            int chars = cpIndex;
            for (int i = 0; i < cpIndex; i++) if (Character.isSupplementaryCodePoint(cps[i])) chars++;
            return chars;
        }

        boolean hasSupplementary() {
            for (int cp : cps) if (Character.isSupplementaryCodePoint(cp)) return true;
            return false;
        }
    }

    /** Refines a list of chunk lengths (in code points) into finer chunks. */
    interface Splitter {
        IntList split(Text text, IntList chunks);
    }

    /** A regex splitter: matches and the gaps between them both become chunks. */
    static final class RegexSplitter implements Splitter {
        private static final Map<String, String> CATEGORY_CLASS = Map.of(
                "\\p{N}", "\u00D10-9",
                "\\p{L}", "\u00D2A-Za-z",
                "\\p{P}", "\u00D3!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
                "\\p{M}", "\u00D4",
                "\\p{S}", "\u00D5\\$\\+<->\\^`\\|",
                "\\p{Lu}", "\u00D2A-Za-z", "\\p{Ll}", "\u00D2A-Za-z", "\\p{Lt}", "\u00D2A-Za-z",
                "\\p{Lm}", "\u00D2A-Za-z", "\\p{Lo}", "\u00D2A-Za-z");

        private final Pattern pattern;
        private final boolean collapsed;

        RegexSplitter(String expr) {
            boolean usesCategories = CATEGORY_CLASS.keySet().stream().anyMatch(expr::contains);
            this.collapsed = usesCategories;
            this.pattern = Pattern.compile(usesCategories ? collapse(expr) : expr);
        }

        /** Rewrites \p{X} into a class over the collapsed stand-in characters, as llama.cpp does. */
        private static String collapse(String expr) {
            StringBuilder out = new StringBuilder();
            boolean inside = false;
            for (int i = 0; i < expr.length(); i++) {
                char c = expr.charAt(i);
                if (c == '[' && (i == 0 || expr.charAt(i - 1) != '\\')) {
                    out.append('[');
                    inside = true;
                    continue;
                }
                if (inside && c == ']' && expr.charAt(i - 1) != '\\') {
                    out.append(']');
                    inside = false;
                    continue;
                }
                if (c == '\\' && i + 3 < expr.length() && expr.charAt(i + 1) == 'p' && expr.charAt(i + 2) == '{') {
                    int close = expr.indexOf('}', i + 3);
                    if (close >= 0 && close <= i + 10) {
                        String cls = CATEGORY_CLASS.get(expr.substring(i, close + 1));
                        if (cls != null) {
                            out.append(inside ? cls : "[" + cls + "]");
                            i = close;
                            continue;
                        }
                    }
                }
                out.append(c);
            }
            return out.toString();
        }

        @Override
        public IntList split(Text text, IntList chunks) {
            IntList out = new IntList(chunks.size() * 4);
            String s = collapsed ? text.collapsed() : text.plain();
            boolean mapChars = !collapsed && text.hasSupplementary();
            Matcher m = pattern.matcher(s);
            int startCp = 0;
            for (int k = 0; k < chunks.size(); k++) {
                int len = chunks.get(k);
                int endCp = startCp + len;
                int from = mapChars ? text.cpToPlainChar(startCp) : startCp;
                int to = mapChars ? text.cpToPlainChar(endCp) : endCp;
                m.region(from, to);
                int prev = startCp;
                while (m.find()) {
                    int ms = mapChars ? text.plainCharToCp(m.start()) : m.start();
                    int me = mapChars ? text.plainCharToCp(m.end()) : m.end();
                    if (me == ms) continue;
                    if (ms > prev) out.add(ms - prev);
                    out.add(me - ms);
                    prev = me;
                }
                if (prev < endCp) out.add(endCp - prev);
                startCp = endCp;
            }
            return out;
        }
    }

    /** GPT-2's expression, split as llama.cpp's unicode_regex_split_custom_gpt2 does. */
    static IntList splitGpt2(Text text, IntList chunks) {
        int[] cps = text.cps;
        IntList out = new IntList(chunks.size() * 4);
        int start = 0;
        for (int k = 0; k < chunks.size(); k++) {
            final int ini = start, end = start + chunks.get(k);
            start = end;
            Chunk c = new Chunk(cps, ini, end, out);
            for (int pos = ini; pos < end; ) {
                int cpt = c.cpt(pos);
                int flags = c.flags(pos);
                if (cpt == '\'' && pos + 1 < end) {
                    int next = c.cpt(pos + 1);
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        pos += c.add(pos + 2);
                        continue;
                    }
                    if (pos + 2 < end) {
                        int next2 = c.cpt(pos + 2);
                        if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                            pos += c.add(pos + 3);
                            continue;
                        }
                    }
                }
                int flags2 = cpt == ' ' ? c.flags(pos + 1) : flags;
                if (UnicodeFlags.isLetter(flags2)) {
                    if (cpt == ' ') pos++;
                    while (UnicodeFlags.isLetter(flags2)) flags2 = c.flags(++pos);
                    c.add(pos);
                    continue;
                }
                if (UnicodeFlags.isNumber(flags2)) {
                    if (cpt == ' ') pos++;
                    while (UnicodeFlags.isNumber(flags2)) flags2 = c.flags(++pos);
                    c.add(pos);
                    continue;
                }
                if (isOther(flags2, false) && flags2 != 0) {
                    if (cpt == ' ') pos++;
                    while (isOther(flags2, false) && flags2 != 0) flags2 = c.flags(++pos);
                    c.add(pos);
                    continue;
                }
                int ws = 0;
                while (UnicodeFlags.isWhitespace(c.flags(pos + ws))) ws++;
                if (ws > 1 && c.cpt(pos + ws) != Chunk.OUT) {
                    pos += ws - 1;
                    c.add(pos);
                    continue;
                }
                if (ws > 0) {
                    pos += ws;
                    c.add(pos);
                    continue;
                }
                c.add(++pos);
            }
        }
        return out;
    }

    /**
     * The Llama 3 expression (digits in runs of up to 3) and its Qwen 2 / Qwen 3.5 variants (single digits;
     * 3.5 also counts combining marks as letters), split as llama.cpp's custom splitters do.
     */
    static IntList splitLlama3(Text text, IntList chunks, int maxDigits, boolean marksAreLetters) {
        int[] cps = text.cps;
        IntList out = new IntList(chunks.size() * 4);
        int start = 0;
        for (int k = 0; k < chunks.size(); k++) {
            final int ini = start, end = start + chunks.get(k);
            start = end;
            Chunk c = new Chunk(cps, ini, end, out);
            for (int pos = ini; pos < end; ) {
                int cpt = c.cpt(pos);
                int flags = c.flags(pos);
                if (cpt == '\'' && pos + 1 < end) {
                    int next = lower(c.cpt(pos + 1));
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        pos += c.add(pos + 2);
                        continue;
                    }
                    if (pos + 2 < end) {
                        int next2 = lower(c.cpt(pos + 2));
                        if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                            pos += c.add(pos + 3);
                            continue;
                        }
                    }
                }
                if (!(cpt == '\r' || cpt == '\n' || UnicodeFlags.isNumber(flags))) {
                    if (letter(flags, marksAreLetters) || letter(c.flags(pos + 1), marksAreLetters)) {
                        pos++;
                        while (letter(c.flags(pos), marksAreLetters)) pos++;
                        c.add(pos);
                        continue;
                    }
                }
                if (UnicodeFlags.isNumber(flags)) {
                    if (maxDigits == 1) {
                        c.add(++pos);
                        continue;
                    }
                    int runStart = pos;
                    while (UnicodeFlags.isNumber(c.flags(pos))) {
                        if (++pos - runStart >= maxDigits) {
                            c.add(pos);
                            runStart = pos;
                        }
                    }
                    c.add(pos);
                    continue;
                }
                int flags2 = cpt == ' ' ? c.flags(pos + 1) : flags;
                if (isOther(flags2, marksAreLetters) && flags != 0) {
                    if (cpt == ' ') pos++;
                    while (isOther(flags2, marksAreLetters) && flags2 != 0) flags2 = c.flags(++pos);
                    int cpt2 = c.cpt(pos);
                    while (cpt2 == '\r' || cpt2 == '\n') cpt2 = c.cpt(++pos);
                    c.add(pos);
                    continue;
                }
                int ws = 0;
                int lastNewlineEnd = 0;
                while (UnicodeFlags.isWhitespace(c.flags(pos + ws))) {
                    int cpt2 = c.cpt(pos + ws);
                    if (cpt2 == '\r' || cpt2 == '\n') lastNewlineEnd = pos + ws + 1;
                    ws++;
                }
                if (lastNewlineEnd > 0) {
                    pos = lastNewlineEnd;
                    c.add(pos);
                    continue;
                }
                if (ws > 1 && c.cpt(pos + ws) != Chunk.OUT) {
                    pos += ws - 1;
                    c.add(pos);
                    continue;
                }
                if (ws > 0) {
                    pos += ws;
                    c.add(pos);
                    continue;
                }
                c.add(++pos);
            }
        }
        return out;
    }

    private static boolean letter(int flags, boolean marksAreLetters) {
        return UnicodeFlags.isLetter(flags) || (marksAreLetters && UnicodeFlags.isMark(flags));
    }

    /** [^\s\p{L}\p{N}] (and \p{M} when marks are letters), on flags. */
    private static boolean isOther(int flags, boolean marksAreLetters) {
        int excluded = UnicodeFlags.WHITESPACE | UnicodeFlags.LETTER | UnicodeFlags.NUMBER
                | (marksAreLetters ? UnicodeFlags.MARK : 0);
        return (flags & excluded) == 0;
    }

    private static int lower(int cp) {
        return cp < 0 ? cp : Character.toLowerCase(cp);
    }

    /** One chunk being split: bounds-checked access and the output of finished pieces. */
    private static final class Chunk {
        static final int OUT = -1;
        private final int[] cps;
        private final int ini, end;
        private final IntList out;
        private int prevEnd;

        Chunk(int[] cps, int ini, int end, IntList out) {
            this.cps = cps;
            this.ini = ini;
            this.end = end;
            this.out = out;
            this.prevEnd = ini;
        }

        int cpt(int pos) { return pos >= ini && pos < end ? cps[pos] : OUT; }

        int flags(int pos) { return pos >= ini && pos < end ? UnicodeFlags.of(cps[pos]) : UnicodeFlags.OUT_OF_RANGE; }

        /** Ends the current piece at {@code e}; returns its length. */
        int add(int e) {
            int len = e - prevEnd;
            if (len > 0) out.add(len);
            prevEnd = e;
            return len;
        }
    }

    /** A growable int list without boxing. */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) { a = new int[Math.max(4, capacity)]; }

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int get(int i) { return a[i]; }

        int size() { return n; }

        void truncate(int size) { n = Math.min(n, size); }

        int[] toArray() { return java.util.Arrays.copyOf(a, n); }
    }
}
