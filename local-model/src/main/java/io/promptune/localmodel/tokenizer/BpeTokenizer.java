package io.promptune.localmodel.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE tokenizer (GGUF model "gpt2"): the pre-tokenizer named in tokenizer.ggml.pre splits the
 * text into words, each word's UTF-8 bytes become GPT-2 byte characters, then merges apply in rank order
 * (lowest rank first, leftmost on ties), as llama.cpp's llm_tokenizer_bpe does.
 *
 * <p>Every string that takes part in a merge gets a "piece id" (vocabulary ids for tokens, ids past the
 * vocabulary for the rest), so merging compares ints instead of building strings; encodings of words are
 * cached because prompts repeat words a lot.
 */
final class BpeTokenizer extends BaseTokenizer {
    /** Words cached at most (then the cache starts over): ~100 bytes each, so ~6.5 MB at the most. */
    private static final int CACHE_LIMIT = 65_536;

    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    /** (left piece id, right piece id) -> merge rank. */
    private final LongIntMap ranks;
    /** merge rank -> piece id of the merged string. */
    private final int[] mergeResult;
    /** piece id of each single byte character. */
    private final int[] charPiece = new int[512];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /** {@code merges}: the vocabulary's BPE merges "left right" in rank order ({@link Vocabulary#merges}). */
    BpeTokenizer(Vocabulary vocab, String[] merges) {
        super(vocab);
        this.preTokenizer = PreTokenizer.forName(vocab.pre);
        this.ignoreMerges = PreTokenizer.ignoresMerges(vocab.pre);
        // piece text -> piece id (token ids first, then strings that only occur inside merges): needed only to
        // build the merge table, so a local (as a field this copy of the vocabulary kept ~3 MB for nothing)
        Map<String, Integer> pieceIds = new HashMap<>(vocab.size() * 2);
        for (int id = 0; id < vocab.size(); id++) pieceIds.put(vocab.tokens[id], id); // a text's last id, as Vocabulary.id
        this.ranks = new LongIntMap(merges.length);
        this.mergeResult = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int sp = m.indexOf(' ', 1);
            String left = sp < 0 ? "" : m.substring(0, sp);
            String right = sp < 0 ? "" : m.substring(sp + 1);
            long key = pairKey(piece(pieceIds, left), piece(pieceIds, right));
            if (!ranks.containsKey(key)) ranks.put(key, rank); // first (lowest) rank wins, like emplace
            mergeResult[rank] = piece(pieceIds, left + right);
        }
        for (int c = 0; c < charPiece.length; c++) {
            Integer id = pieceIds.get(String.valueOf((char) c));
            charPiece[c] = id == null ? -1 : id;
        }
    }

    private int extraPieces;

    private int piece(Map<String, Integer> pieceIds, String s) {
        Integer id = pieceIds.get(s);
        if (id == null) {
            id = vocab.size() + extraPieces++;
            pieceIds.put(s, id);
        }
        return id;
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    protected byte[] normalPiece(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int b = ByteLevel.decode(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                byte[] u = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(u, 0, u.length);
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }

    @Override
    protected void encodeRaw(String text, boolean afterSpecial, PreTokenizer.IntList out) {
        for (String word : preTokenizer.split(text)) {
            int[] ids = cache.get(word);
            if (ids == null) {
                ids = encodeWord(ByteLevel.encode(word));
                if (cache.size() >= CACHE_LIMIT) cache.clear();
                cache.put(word, ids);
            }
            for (int id : ids) out.add(id);
        }
    }

    /** BPE over one byte-level word. */
    int[] encodeWord(String word) {
        int n = word.length();
        if (n == 0) return new int[0];
        if (ignoreMerges) {
            int id = vocab.id(word);
            if (id >= 0) return new int[] {id};
        }
        int[] pid = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            char c = word.charAt(i);
            pid[i] = c < charPiece.length ? charPiece[c] : -1;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap queue = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) addBigram(pid, i, i + 1, queue);
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int left = (int) top;
            int right = next[left];
            // stale when either side changed since the pair was queued
            if (len[left] == 0 || right < 0 || pid[left] < 0 || pid[right] < 0
                    || ranks.get(pairKey(pid[left], pid[right])) != rank) continue;
            pid[left] = mergeResult[rank];
            len[left] += len[right];
            len[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) addBigram(pid, prev[left], left, queue);
            if (next[left] >= 0) addBigram(pid, left, next[left], queue);
        }
        PreTokenizer.IntList ids = new PreTokenizer.IntList(n);
        for (int i = 0; i != -1; i = next[i]) {
            if (pid[i] >= 0 && pid[i] < vocab.size()) {
                ids.add(pid[i]);
            } else {
                // not a token: llama.cpp emits the single-byte characters that are tokens and drops the rest
                for (int k = i; k < i + len[i]; k++) {
                    char c = word.charAt(k);
                    if (c < 0x80) {
                        int id = vocab.id(String.valueOf(c));
                        if (id >= 0) ids.add(id);
                    }
                }
            }
        }
        return ids.toArray();
    }

    private void addBigram(int[] pid, int left, int right, LongHeap queue) {
        if (pid[left] < 0 || pid[right] < 0) return;
        int rank = ranks.get(pairKey(pid[left], pid[right]));
        if (rank >= 0) queue.add(((long) rank << 32) | left);
    }

    /** A binary min-heap of longs. */
    static final class LongHeap {
        private long[] a;
        private int n;

        LongHeap(int capacity) { a = new long[Math.max(8, capacity)]; }

        boolean isEmpty() { return n == 0; }

        void add(long v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long last = a[--n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && a[c + 1] < a[c]) c++;
                if (a[c] >= last) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = last;
            return top;
        }
    }

    /**
     * Open-addressing long -> int map for keys >= 0 (a free slot holds -1) and values >= 0 (get returns -1 when
     * absent), at most half full: 1.5 MB for SmolLM2's 49K merges.
     */
    static final class LongIntMap {
        private long[] keys;
        private int[] vals;
        private int size;

        LongIntMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
            keys = new long[cap];
            java.util.Arrays.fill(keys, -1);
            vals = new int[cap];
        }

        private int slot(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 32) & (keys.length - 1);
        }

        int get(long k) {
            int mask = keys.length - 1;
            for (int i = slot(k); keys[i] != -1; i = (i + 1) & mask) if (keys[i] == k) return vals[i];
            return -1;
        }

        boolean containsKey(long k) { return get(k) >= 0; }

        void put(long k, int v) {
            if ((size + 1) * 2 > keys.length) grow();
            int mask = keys.length - 1;
            int i = slot(k);
            while (keys[i] != -1) {
                if (keys[i] == k) {
                    vals[i] = v;
                    return;
                }
                i = (i + 1) & mask;
            }
            keys[i] = k;
            vals[i] = v;
            size++;
        }

        private void grow() {
            long[] ok = keys;
            int[] ov = vals;
            keys = new long[ok.length * 2];
            java.util.Arrays.fill(keys, -1);
            vals = new int[ok.length * 2];
            size = 0;
            for (int i = 0; i < ok.length; i++) if (ok[i] != -1) put(ok[i], ov[i]);
        }
    }
}
