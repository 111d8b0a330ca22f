package io.promptune.localmodel.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * WordPiece tokenizer (GGUF model "bert", e.g. BGE embedding models), as llama.cpp's llm_tokenizer_wpm:
 * lower-case and strip accents, split on whitespace, punctuation and CJK characters, then match each
 * word (with a leading "▁") greedily by the longest vocabulary entry; a word that cannot be covered
 * becomes [UNK]. Lossy by design (case and accents are gone).
 */
final class WpmTokenizer extends BaseTokenizer {
    private static final char WHITESPACE_MARK = '\u2581';
    private final int maxTokenLength;

    WpmTokenizer(Vocabulary vocab) {
        super(vocab);
        int max = 0;
        for (String t : vocab.tokens) max = Math.max(max, t.length());
        this.maxTokenLength = max;
    }

    @Override
    protected byte[] normalPiece(String text) {
        return text.replace(WHITESPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void encodeRaw(String text, boolean afterSpecial, PreTokenizer.IntList out) {
        for (String word : words(text, vocab.lowercase, vocab.stripAccents)) {
            String w = WHITESPACE_MARK + word;
            int n = w.length();
            int before = out.size();
            for (int i = 0; i < n; i++) {
                boolean match = false;
                for (int j = Math.min(n, i + maxTokenLength + 1); j > i; j--) {
                    int id = vocab.id(w.substring(i, j));
                    if (id >= 0) {
                        out.add(id);
                        match = true;
                        i = j - 1;
                        break;
                    }
                }
                if (!match) {
                    out.truncate(before);
                    break;
                }
            }
            if (out.size() == before) out.add(vocab.unkId);
        }
    }

    /** llama.cpp's WordPiece pre-processing: normalisation and splitting into words. */
    static List<String> words(String text, boolean lowercase, boolean stripAccents) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            if (stripAccents) cp = nfdBase(cp);
            int flags = UnicodeFlags.of(cp);
            if (UnicodeFlags.isWhitespace(flags)) {
                if (!cur.isEmpty()) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || (flags & UnicodeFlags.CONTROL) != 0) continue;
            if (stripAccents && UnicodeFlags.isMark(flags)) continue;
            int c = lowercase ? Character.toLowerCase(cp) : cp;
            if ((flags & UnicodeFlags.PUNCTUATION) != 0 || (cp < 0x7F && (flags & UnicodeFlags.SYMBOL) != 0) || isChinese(cp)) {
                if (!cur.isEmpty()) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                words.add(new String(Character.toChars(c)));
            } else {
                cur.appendCodePoint(c);
            }
        }
        if (!cur.isEmpty()) words.add(cur.toString());
        return words;
    }

    /** The first code point of the canonical decomposition (llama.cpp's per-code-point NFD table). */
    private static int nfdBase(int cp) {
        if (cp < 0xC0) return cp;
        String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD);
        return d.codePointAt(0);
    }

    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
