package io.promptune.localmodel.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** The radix prefix cache: shared prefixes stored once, exact copies out, leaves evicted least recently used first. */
class PrefixCacheTest {
    static final int LAYERS = 2, KV_DIM = 3;
    /** Bytes one stored token costs: keys and values of every layer as halves, plus its token id. */
    static final long PER_TOKEN = 2L * LAYERS * KV_DIM * Short.BYTES + Integer.BYTES;

    /** A value that depends on every token up to position p (as real keys and values do). */
    static short value(int[] tokens, int p, int layer, int d, boolean key) {
        int h = 17;
        for (int i = 0; i <= p; i++) h = h * 31 + tokens[i];
        return (short) (h * 7 + layer * 13 + d * 3 + (key ? 0 : 1));
    }

    /** A cache holding {@code tokens} as a forward pass would have filled it. */
    static KvCache cacheOf(int[] tokens) {
        KvCache c = new KvCache(LAYERS, KV_DIM, 256);
        c.ensureCapacity(tokens.length);
        for (int l = 0; l < LAYERS; l++) {
            for (int p = 0; p < tokens.length; p++) {
                for (int d = 0; d < KV_DIM; d++) {
                    c.keys[l][p * KV_DIM + d] = value(tokens, p, l, d, true);
                    c.values[l][p * KV_DIM + d] = value(tokens, p, l, d, false);
                }
            }
        }
        c.setLength(tokens.length);
        return c;
    }

    static void assertHoldsPrefix(int[] tokens, int n, KvCache c) {
        assertEquals(n, c.length());
        for (int l = 0; l < LAYERS; l++) {
            for (int p = 0; p < n; p++) {
                for (int d = 0; d < KV_DIM; d++) {
                    assertEquals(value(tokens, p, l, d, true), c.keys[l][p * KV_DIM + d], "key l" + l + " p" + p);
                    assertEquals(value(tokens, p, l, d, false), c.values[l][p * KV_DIM + d], "value l" + l + " p" + p);
                }
            }
        }
    }

    static int[] concat(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static final int[] SHARED = IntStream.range(100, 140).toArray(); // 40 tokens: an instruction and demonstrations

    @Test
    void aSharedPrefixIsStoredOnceAndCopiedOutExactly() {
        PrefixCache pc = new PrefixCache(1 << 20);
        int[] a = concat(SHARED, 1, 2, 3, 4, 5), b = concat(SHARED, 7, 8, 9), c = concat(SHARED, 1, 2, 6);
        pc.put(a, cacheOf(a));
        pc.put(b, cacheOf(b));
        pc.put(c, cacheOf(c)); // splits a's tail after "1 2"
        assertEquals(40 + 5 + 3 + 1, pc.storedTokens(), "the shared 40 tokens once, then each prompt's own tail");
        assertTrue(pc.bytes() >= pc.storedTokens() * PER_TOKEN, "every stored token counted");
        assertTrue(pc.bytes() < (long) (a.length + b.length + c.length) * PER_TOKEN, "less than a copy per prompt");

        for (int[] p : new int[][]{a, b, c}) {
            KvCache into = new KvCache(LAYERS, KV_DIM, 256);
            assertEquals(p.length, pc.copyLongestPrefix(p, p.length, into));
            assertHoldsPrefix(p, p.length, into);
        }
        int[] d = concat(SHARED, 1, 2, 3, 99); // leaves a's tail in the middle of a run
        KvCache into = new KvCache(LAYERS, KV_DIM, 256);
        assertEquals(43, pc.longestPrefix(d));
        assertEquals(43, pc.copyLongestPrefix(d, d.length, into));
        assertHoldsPrefix(d, 43, into);
        assertEquals(20, pc.copyLongestPrefix(d, 20, into), "the limit caps the copy");
        assertHoldsPrefix(d, 20, into);
        assertEquals(0, pc.copyLongestPrefix(new int[]{5, 100}, 2, into));
        assertEquals(0, into.length());
    }

    @Test
    void storingAPromptAgainOrAPrefixOfOneAddsNothing() {
        PrefixCache pc = new PrefixCache(1 << 20);
        int[] a = concat(SHARED, 1, 2, 3);
        pc.put(a, cacheOf(a));
        long bytes = pc.bytes();
        pc.put(a, cacheOf(a));
        pc.put(Arrays.copyOf(a, 30), cacheOf(a));
        assertEquals(bytes, pc.bytes());
        assertEquals(a.length, pc.storedTokens());
    }

    @Test
    void leastRecentlyUsedTailsGoFirstAndTheSharedPrefixStays() {
        int[] a = concat(SHARED, 1, 1, 1, 1), b = concat(SHARED, 2, 2, 2, 2), c = concat(SHARED, 3, 3, 3, 3);
        PrefixCache probe = new PrefixCache(1 << 20);
        probe.put(a, cacheOf(a));
        probe.put(b, cacheOf(b));
        long twoPrompts = probe.bytes();
        PrefixCache pc = new PrefixCache(twoPrompts + 100); // room for the prefix and two tails, not three
        pc.put(a, cacheOf(a));
        pc.put(b, cacheOf(b));
        pc.copyLongestPrefix(a, a.length, new KvCache(LAYERS, KV_DIM, 256)); // a is now more recent than b
        pc.put(c, cacheOf(c));
        assertTrue(pc.bytes() <= twoPrompts + 100, "over budget: " + pc.bytes());
        assertEquals(a.length, pc.longestPrefix(a));
        assertEquals(c.length, pc.longestPrefix(c));
        assertEquals(SHARED.length, pc.longestPrefix(b), "b's tail was the least recently used");
        KvCache into = new KvCache(LAYERS, KV_DIM, 256);
        assertEquals(SHARED.length, pc.copyLongestPrefix(b, b.length, into));
        assertHoldsPrefix(b, SHARED.length, into);
    }

    @Test
    void aZeroBudgetStoresNothingAndClearEmpties() {
        int[] a = concat(SHARED, 1);
        PrefixCache off = new PrefixCache(0);
        off.put(a, cacheOf(a));
        assertEquals(0, off.longestPrefix(a));
        PrefixCache pc = new PrefixCache(1 << 20);
        pc.put(a, cacheOf(a));
        pc.clear();
        assertEquals(0, pc.bytes());
        assertEquals(0, pc.longestPrefix(a));
    }
}
