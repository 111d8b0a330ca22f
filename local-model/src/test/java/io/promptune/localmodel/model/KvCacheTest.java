package io.promptune.localmodel.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvCacheTest {
    private static final int LAYERS = 2, KV_DIM = 8;

    @Test
    void aNewCacheHoldsNothingUntilItIsUsed() {
        KvCache c = new KvCache(LAYERS, KV_DIM, 4096);
        assertEquals(0, c.capacity());
        assertEquals(0, c.bytes());
    }

    @Test
    void reserveSizesTheCacheExactlyAndNeverShrinksIt() {
        KvCache c = new KvCache(LAYERS, KV_DIM, 4096);
        c.reserve(160);
        assertEquals(160, c.capacity(), "a reserved length is not rounded up to a power of two");
        assertEquals(2L * LAYERS * 160 * KV_DIM * Short.BYTES, c.bytes());
        c.reserve(100);
        assertEquals(160, c.capacity());
        c.reserve(10_000);
        assertEquals(4096, c.capacity(), "capped at the context length");
    }

    @Test
    void growingOnDemandDoublesAndKeepsTheFilledPositions() {
        KvCache c = new KvCache(LAYERS, KV_DIM, 1000);
        c.ensureCapacity(1);
        assertEquals(64, c.capacity());
        for (int l = 0; l < LAYERS; l++) {
            for (int i = 0; i < 64 * KV_DIM; i++) {
                c.keys[l][i] = (short) (i + l);
                c.values[l][i] = (short) (-i - l);
            }
        }
        c.setLength(64);
        c.ensureCapacity(65);
        assertEquals(128, c.capacity());
        c.ensureCapacity(900);
        assertEquals(1000, c.capacity(), "doubling stops at the context length");
        for (int l = 0; l < LAYERS; l++) {
            for (int i = 0; i < 64 * KV_DIM; i++) {
                assertEquals((short) (i + l), c.keys[l][i]);
                assertEquals((short) (-i - l), c.values[l][i]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> c.ensureCapacity(1001));
    }
}
