package io.promptune.localmodel.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What both tokenizer kinds share: splitting special tokens out of the text first (llama.cpp's
 * tokenizer_st_partition), BOS/EOS, and decoding through per-token byte pieces computed once.
 */
abstract class BaseTokenizer implements Tokenizer {
    protected final Vocabulary vocab;
    /**
     * Every token's byte piece back to back (token i's at [pieceStart[i], pieceStart[i + 1])): one array instead
     * of one per token (49K arrays, ~1.1 MB more for SmolLM2's vocabulary).
     */
    private final byte[] pieceBytes;
    private final int[] pieceStart;

    BaseTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        int n = vocab.size();
        byte[][] pieces = new byte[n][];
        this.pieceStart = new int[n + 1];
        for (int i = 0; i < n; i++) {
            pieces[i] = computePiece(i);
            pieceStart[i + 1] = Math.addExact(pieceStart[i], pieces[i].length);
        }
        this.pieceBytes = new byte[pieceStart[n]];
        for (int i = 0; i < n; i++) System.arraycopy(pieces[i], 0, pieceBytes, pieceStart[i], pieces[i].length);
    }

    /** The bytes of a normal token (whitespace marker or byte-level characters undone). */
    protected abstract byte[] normalPiece(String text);

    /** Tokenizes text that holds no special tokens, appending ids to {@code out}. */
    protected abstract void encodeRaw(String text, boolean afterSpecial, PreTokenizer.IntList out);

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        PreTokenizer.IntList out = new PreTokenizer.IntList(Math.max(8, text.length() / 3));
        if (addSpecial && vocab.addBos) out.add(vocab.bosId);
        boolean afterSpecial = true;
        for (Fragment f : partition(text, parseSpecial)) {
            if (f.token >= 0) {
                out.add(f.token);
                afterSpecial = true;
            } else {
                encodeRaw(text.substring(f.start, f.end), afterSpecial, out);
                afterSpecial = false;
            }
        }
        if (addSpecial && vocab.addEos) out.add(vocab.eosId);
        if (addSpecial && vocab.addSep) out.add(vocab.sepId);
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(ids.length * 4);
        boolean stripSpace = vocab.addSpacePrefix || vocab.model == Vocabulary.Model.WPM;
        for (int id : ids) {
            checkId(id);
            int from = pieceStart[id], to = pieceStart[id + 1];
            if (from == to) continue;
            if (stripSpace && pieceBytes[from] == ' ') from++;
            stripSpace = false;
            buf.write(pieceBytes, from, to - from);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        checkId(id);
        return java.util.Arrays.copyOfRange(pieceBytes, pieceStart[id], pieceStart[id + 1]);
    }

    @Override
    public String tokenText(int id) {
        checkId(id);
        return vocab.tokens[id];
    }

    @Override
    public int bosId() { return vocab.bosId; }

    @Override
    public int eosId() { return vocab.eosId; }

    @Override
    public boolean isEndOfGeneration(int id) { return id >= 0 && id < vocab.size() && vocab.eog[id]; }

    @Override
    public boolean isControl(int id) { return id >= 0 && id < vocab.size() && vocab.isControlOrUnknown(id); }

    @Override
    public int vocabSize() { return vocab.size(); }

    @Override
    public String toString() { return getClass().getSimpleName() + "[" + vocab + "]"; }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " out of range [0, " + vocab.size() + ") of " + vocab.file);
        }
    }

    private byte[] computePiece(int id) {
        int attr = vocab.attrs[id];
        String text = vocab.tokens[id];
        if ((attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0) return new byte[0];
        if ((attr & Vocabulary.ATTR_USER_DEFINED) != 0) return text.getBytes(StandardCharsets.UTF_8);
        if ((attr & Vocabulary.ATTR_NORMAL) != 0) return normalPiece(text);
        if ((attr & Vocabulary.ATTR_BYTE) != 0) {
            int b = byteOf(text);
            return b >= 0 ? new byte[] {(byte) b} : text.getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    /** The byte of a "<0xNN>" token, or -1. */
    static int byteOf(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') return -1;
        try {
            return Integer.parseInt(text.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A piece of the input: raw text [start, end) or one special token. */
    record Fragment(int start, int end, int token) {
        static Fragment raw(int start, int end) { return new Fragment(start, end, -1); }
    }

    /**
     * Splits special tokens out of the text, longest first, as llama.cpp does: control and unknown tokens
     * only when {@code parseSpecial}, user-defined tokens always. Tokens marked lstrip/rstrip eat the
     * ASCII whitespace beside them.
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (text.isEmpty()) return frags;
        frags.add(Fragment.raw(0, text.length()));
        for (int id : vocab.specialTokens) {
            int attr = vocab.attrs[id];
            if (!parseSpecial && (attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0) continue;
            String tok = vocab.tokens[id];
            if (!containsInRaw(text, frags, tok)) continue;
            List<Fragment> next = new ArrayList<>(frags.size() + 4);
            for (Fragment f : frags) {
                if (f.token >= 0) {
                    next.add(f);
                    continue;
                }
                int start = f.start, end = f.end;
                while (start < end) {
                    int m = text.indexOf(tok, start, end);
                    if (m < 0) {
                        next.add(Fragment.raw(start, end));
                        break;
                    }
                    int leftEnd = m;
                    if ((attr & Vocabulary.ATTR_LSTRIP) != 0) {
                        while (leftEnd > start && isSpace(text.charAt(leftEnd - 1))) leftEnd--;
                    }
                    if (leftEnd > start) next.add(Fragment.raw(start, leftEnd));
                    next.add(new Fragment(m, m + tok.length(), id));
                    start = m + tok.length();
                    if ((attr & Vocabulary.ATTR_RSTRIP) != 0) {
                        while (start < end && isSpace(text.charAt(start))) start++;
                    }
                }
            }
            frags = next;
        }
        return frags;
    }

    private static boolean containsInRaw(String text, List<Fragment> frags, String tok) {
        int m = text.indexOf(tok);
        if (m < 0) return false;
        if (frags.size() == 1) return true;
        for (Fragment f : frags) {
            if (f.token < 0 && text.indexOf(tok, f.start, f.end) >= 0) return true;
        }
        return false;
    }

    /** C's isspace in the "C" locale. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
