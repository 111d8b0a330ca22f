package io.promptune.localmodel.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer (GGUF model "llama"): spaces become "▁", a space is put in front of the
 * text (add_space_prefix), then adjacent pieces merge greedily by the score of the merged token, and
 * characters no token covers fall back to byte tokens "&lt;0xNN&gt;". Follows llama.cpp's llm_tokenizer_spm.
 */
final class SpmTokenizer extends BaseTokenizer {
    private static final char WHITESPACE_MARK = '\u2581';

    private final int[] byteTokens = new int[256];

    SpmTokenizer(Vocabulary vocab) {
        super(vocab);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) id = vocab.id(String.valueOf((char) b));
            byteTokens[b] = id >= 0 ? id : vocab.unkId;
        }
    }

    @Override
    protected byte[] normalPiece(String text) {
        return text.replace(WHITESPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void encodeRaw(String raw, boolean afterSpecial, PreTokenizer.IntList out) {
        String text = (vocab.addSpacePrefix && afterSpecial ? " " + raw : raw).replace(' ', WHITESPACE_MARK);
        int n = text.length();
        if (n == 0) return;
        // symbols: one per code point, as a doubly linked list over the text
        int[] start = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        int count = 0;
        for (int i = 0; i < n; ) {
            int cl = Character.charCount(text.codePointAt(i));
            start[count] = i;
            len[count] = Math.min(cl, n - i);
            prev[count] = count - 1;
            next[count] = i + cl >= n ? -1 : count + 1;
            count++;
            i += cl;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>();
        for (int i = 1; i < count; i++) addBigram(text, start, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.size) continue;
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) prev[next[b.right]] = b.left;
            if (prev[b.left] >= 0) addBigram(text, start, len, prev[b.left], b.left, queue);
            if (next[b.left] >= 0) addBigram(text, start, len, b.left, next[b.left], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = text.substring(start[i], start[i] + len[i]);
            int id = vocab.id(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    int bt = byteToken(b & 0xFF);
                    if (bt >= 0) out.add(bt);
                }
            }
        }
    }

    private void addBigram(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        int s = start[left];
        int size = len[left] + len[right];
        int id = vocab.id(text.substring(s, s + size));
        if (id < 0) return;
        queue.add(new Bigram(left, right, vocab.scores[id], size));
    }

    private int byteToken(int b) {
        return byteTokens[b];
    }

    /** A candidate merge; higher score first, then leftmost (llama.cpp's llm_bigram_spm order). */
    private record Bigram(int left, int right, float score, int size) implements Comparable<Bigram> {
        @Override
        public int compareTo(Bigram o) {
            int c = Float.compare(o.score, score);
            return c != 0 ? c : Integer.compare(left, o.left);
        }
    }
}
