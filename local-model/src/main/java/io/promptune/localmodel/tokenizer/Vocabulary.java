package io.promptune.localmodel.tokenizer;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A GGUF vocabulary: token texts, scores and attributes, the special token ids and the BOS/EOS rules,
 * read and defaulted the way llama.cpp's llama_vocab::load does.
 */
final class Vocabulary {
    // token attributes (llama.cpp's llama_token_attr bits)
    static final int ATTR_UNDEFINED = 0;
    static final int ATTR_UNKNOWN = 1 << 0;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;

    enum Model { SPM, BPE, WPM }

    final String file;
    final Model model;
    final String pre;
    final String[] tokens;
    final float[] scores;
    final int[] attrs;
    /** Token text -> id (the last id of a text that occurs twice, as a map filled in id order). */
    private final TokenIndex tokenToId;
    final int bosId;
    final int eosId;
    final int eotId;
    final int eomId;
    final int unkId;
    final boolean addBos;
    final boolean addEos;
    /** WordPiece: append the separator token after the text when adding special tokens. */
    final boolean addSep;
    final int sepId;
    /** WordPiece normalisation. */
    final boolean lowercase;
    final boolean stripAccents;
    final boolean addSpacePrefix;
    final boolean escapeWhitespace;
    /** End-of-generation ids. */
    final boolean[] eog;
    /** Control, user-defined and unknown tokens, longest text first: split out of raw text before tokenizing. */
    final int[] specialTokens;

    private Vocabulary(GgufFile f) {
        this.file = f.path().getFileName().toString();
        String modelName = f.getString("tokenizer.ggml.model");
        this.pre = f.getString("tokenizer.ggml.pre", "");
        this.model = switch (modelName) {
            case "llama" -> Model.SPM;
            case "gpt2" -> Model.BPE;
            case "bert" -> Model.WPM;
            default -> throw new GgufException(f.path(), "unsupported tokenizer model '" + modelName
                    + "' in tokenizer.ggml.model (supported: llama, gpt2, bert)");
        };
        Object toks = f.get("tokenizer.ggml.tokens");
        if (!(toks instanceof String[] t) || t.length == 0) {
            throw new GgufException(f.path(), "missing or empty metadata key 'tokenizer.ggml.tokens'");
        }
        this.tokens = t.clone();
        int n = tokens.length;
        this.scores = new float[n];
        if (f.get("tokenizer.ggml.scores") instanceof float[] s) {
            if (s.length < n) throw new GgufException(f.path(), "tokenizer.ggml.scores has " + s.length + " entries for " + n + " tokens");
            System.arraycopy(s, 0, scores, 0, n);
        }
        this.attrs = new int[n];
        int[] types = f.get("tokenizer.ggml.token_type") instanceof int[] tt ? tt : null;
        if (types != null && types.length < n) {
            throw new GgufException(f.path(), "tokenizer.ggml.token_type has " + types.length + " entries for " + n + " tokens");
        }
        for (int i = 0; i < n; i++) {
            if (tokens[i].isEmpty()) tokens[i] = "[EMPTY_" + i + "]";
            attrs[i] = types == null ? ATTR_NORMAL : switch (types[i]) {
                case 1 -> ATTR_NORMAL;
                case 2 -> ATTR_UNKNOWN;
                case 3 -> ATTR_CONTROL;
                case 4 -> ATTR_USER_DEFINED;
                case 5 -> ATTR_UNUSED;
                case 6 -> ATTR_BYTE;
                default -> ATTR_UNDEFINED;
            };
        }
        this.tokenToId = new TokenIndex(tokens);

        boolean bos, eos, spacePrefix, sep = false;
        int defBos, defEos, defUnk, defSep = -1;
        if (model == Model.WPM) {
            defBos = 101; defEos = -1; defUnk = 100; defSep = 102;
            bos = true; eos = false; spacePrefix = false; sep = true;
            this.escapeWhitespace = false;
        } else if (model == Model.SPM) {
            defBos = 1; defEos = 2; defUnk = 0;
            bos = true; eos = false; spacePrefix = true;
            this.escapeWhitespace = true;
        } else {
            if (PreTokenizer.forName(pre) == null) {
                throw new GgufException(f.path(), "unsupported pre-tokenizer '" + pre + "' in tokenizer.ggml.pre");
            }
            defBos = 11; defEos = 11; defUnk = -1;
            bos = PreTokenizer.ignoresMerges(pre) || "tekken".equals(pre) || "chameleon".equals(pre);
            eos = false; spacePrefix = false;
            this.escapeWhitespace = false;
            if (f.valueType(MERGES) != GgufValueType.ARRAY || f.arrayElementType(MERGES) != GgufValueType.STRING) {
                throw new GgufException(f.path(), "missing metadata key 'tokenizer.ggml.merges' (needed by a gpt2 tokenizer)");
            }
            if ("glm4".equals(pre) || "chatglm-bpe".equals(pre)) defBos = -1;
        }
        if (f.get("tokenizer.ggml.add_space_prefix") instanceof Boolean b) spacePrefix = b;
        this.addSpacePrefix = spacePrefix;
        this.bosId = specialId(f, "tokenizer.ggml.bos_token_id", defBos);
        this.eosId = specialId(f, "tokenizer.ggml.eos_token_id", defEos);
        this.unkId = specialId(f, "tokenizer.ggml.unknown_token_id", defUnk);
        if (f.get("tokenizer.ggml.add_bos_token") instanceof Boolean b) bos = b;
        if (f.get("tokenizer.ggml.add_eos_token") instanceof Boolean b) eos = b;
        this.sepId = specialId(f, "tokenizer.ggml.seperator_token_id", defSep);
        if (f.get("tokenizer.ggml.add_sep_token") instanceof Boolean b) sep = b;
        this.addBos = bos && bosId >= 0;
        this.addEos = eos && eosId >= 0;
        this.addSep = model == Model.WPM && sep && sepId >= 0;
        this.lowercase = f.getBoolean("tokenizer.ggml.normalizer.lowercase", true);
        this.stripAccents = f.getBoolean("tokenizer.ggml.normalizer.strip_accents", lowercase);

        // end-of-generation tokens: ids from the metadata plus llama.cpp's list of end-of-turn texts
        int eot = specialId(f, "tokenizer.ggml.eot_token_id", -1);
        if (eot < 0) eot = findAndMarkControl(EOT_TEXTS);
        int eom = specialId(f, "tokenizer.ggml.eom_token_id", -1);
        if (eom < 0) eom = findAndMarkControl(List.of("<|eom_id|>"));
        this.eotId = eot;
        this.eomId = eom;
        List<Integer> eogIds = new ArrayList<>();
        for (String fimText : List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
                "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>")) {
            int id = tokenToId.get(fimText);
            if (id >= 0) {
                eogIds.add(id);
                attrs[id] |= ATTR_CONTROL;
            }
        }
        for (String text : EOG_TEXTS) {
            int id = tokenToId.get(text);
            if (id >= 0) {
                eogIds.add(id);
                attrs[id] |= ATTR_CONTROL;
            }
        }
        for (int id : new int[] {eosId, eotId, eomId}) if (id >= 0) eogIds.add(id);
        this.eog = new boolean[n];
        for (int id : eogIds) eog[id] = true;
        // gpt-oss and solar-open: <|end|> ends a message, not the generation
        if (has("<|end|>") && ((has("<|return|>") && has("<|call|>")) || (has("<|calls|>") && has("<|flush|>")))) {
            int end = tokenToId.get("<|end|>");
            eog[end] = false;
            attrs[end] = ATTR_USER_DEFINED;
        }
        if (has("<|tool_response>") && has("</s>") && eog[tokenToId.get("<|tool_response>")]) {
            int s = tokenToId.get("</s>");
            eog[s] = false;
            attrs[s] = ATTR_NORMAL;
        }
        for (String t2 : List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")) {
            int id = tokenToId.get(t2);
            if (id >= 0) attrs[id] = ATTR_USER_DEFINED;
        }
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & ATTR_CONTROL) != 0 && tokens[i].contains("unused")) attrs[i] |= ATTR_UNUSED;
        }

        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) special.add(i);
        }
        // Phi-3 strips whitespace after its special tokens (llama.cpp sets it by model name)
        String name = f.getString("general.name", "").toLowerCase(java.util.Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : special) attrs[id] |= ATTR_RSTRIP;
            setAttr("</s>", ATTR_RSTRIP, true);
            for (String s : List.of("<unk>", "<s>", "<|endoftext|>")) setAttr(s, ATTR_RSTRIP, false);
        }
        special.sort((a, b) -> Integer.compare(utf8Length(tokens[b]), utf8Length(tokens[a])));
        this.specialTokens = special.stream().mapToInt(Integer::intValue).toArray();
    }

    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");

    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
            "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]",
            "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
            "<｜end▁of▁sentence｜>", "[e~[");

    private static final String MERGES = "tokenizer.ggml.merges";

    /**
     * A BPE vocabulary's merges "left right" in rank order (checked present by {@link #load}). Not a field: only the
     * tokenizer's constructor reads them (49K Strings, ~4 MB for SmolLM2, kept for nothing as a field).
     */
    static String[] merges(GgufFile f) {
        return (String[]) f.get(MERGES);
    }

    static Vocabulary load(GgufFile f) {
        return new Vocabulary(f);
    }

    int size() { return tokens.length; }

    boolean has(String text) { return tokenToId.get(text) >= 0; }

    /** Token id of {@code text}, or -1. */
    int id(String text) {
        return tokenToId.get(text);
    }

    boolean isControlOrUnknown(int id) { return (attrs[id] & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0; }

    private int findAndMarkControl(List<String> texts) {
        int found = -1;
        for (String t : texts) {
            int id = tokenToId.get(t);
            if (id >= 0) {
                attrs[id] |= ATTR_CONTROL;
                if (found < 0) found = id;
            }
        }
        return found;
    }

    private void setAttr(String text, int attr, boolean on) {
        int id = tokenToId.get(text);
        if (id < 0) return;
        attrs[id] = on ? attrs[id] | attr : attrs[id] & ~attr;
    }

    private int specialId(GgufFile f, String key, int fallback) {
        int id = fallback >= tokens.length ? -1 : fallback;
        Object v = f.get(key);
        if (v instanceof Number num && !(v instanceof Float) && !(v instanceof Double)) {
            long x = num.longValue();
            if (x >= 0 && x < tokens.length) id = (int) x;
        }
        return id;
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /**
     * Text -> token id over the vocabulary's own strings: an open-addressing table of ids (-1 empty) probed by
     * the texts' hash codes, compared with {@link #tokens}. A HashMap of the same (49K nodes, Integer boxes and
     * its table) held ~3 MB for SmolLM2's vocabulary; this holds 0.5 MB.
     */
    private static final class TokenIndex {
        private final String[] texts;
        private final int[] ids;
        private final int shift;

        TokenIndex(String[] texts) {
            this.texts = texts;
            int bits = 33 - Integer.numberOfLeadingZeros(Math.max(4, texts.length) * 2 - 1); // >= 2x the texts
            this.ids = new int[1 << bits];
            this.shift = 32 - bits;
            java.util.Arrays.fill(ids, -1);
            int mask = ids.length - 1;
            for (int id = 0; id < texts.length; id++) {
                int i = slot(texts[id]);
                while (ids[i] >= 0 && !texts[ids[i]].equals(texts[id])) i = (i + 1) & mask;
                ids[i] = id; // a later id with the same text replaces the earlier one
            }
        }

        int get(String text) {
            int mask = ids.length - 1;
            for (int i = slot(text); ids[i] >= 0; i = (i + 1) & mask) {
                if (texts[ids[i]].equals(text)) return ids[i];
            }
            return -1;
        }

        /** Fibonacci hashing: the top bits of the hash code times 2^32 / phi. */
        private int slot(String text) {
            return (text.hashCode() * 0x9E3779B9) >>> shift;
        }
    }

    @Override
    public String toString() {
        return file + " (" + model + (pre.isEmpty() ? "" : ", pre " + pre) + ", " + tokens.length + " tokens)";
    }

}
