package io.promptune.localmodel.model;

/**
 * One sequence's keys and values for every layer, position-major ({@code [layer][position * kvDim + i]}).
 * Values are stored as half-precision bits ({@link Float#floatToFloat16}), as llama.cpp's default F16 cache
 * holds them: the model only ever reads them rounded to half, so storing halves loses nothing. The cache
 * holds nothing until it is first reserved or filled, then grows on demand (doubling) up to the model's
 * context length; {@link #reserve} sizes it exactly, so a generation whose length is known up front holds
 * no slack (doubling to a power of two kept up to half of a batch's caches unused). A prefix can be copied
 * from another cache so sequences sharing a prompt prefix skip recomputing it.
 */
public final class KvCache {
    private static final int INITIAL_CAPACITY = 64;

    final int layers;
    final int kvDim;
    final int maxLength;
    short[][] keys;
    short[][] values;
    private int capacity;
    private int length;

    public KvCache(int layers, int kvDim, int maxLength) {
        this.layers = layers;
        this.kvDim = kvDim;
        this.maxLength = maxLength;
        this.keys = new short[layers][];
        this.values = new short[layers][];
    }

    /** Positions filled so far. */
    public int length() { return length; }

    public int maxLength() { return maxLength; }

    /** Forgets everything from position {@code n} on. */
    public void truncate(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("cannot truncate " + length + " positions to " + n);
        length = n;
    }

    /**
     * Makes room for exactly {@code n} positions (capped at the context length) at once: no repeated growth
     * while they are filled, and no slack beyond them. Never shrinks.
     */
    public void reserve(int n) {
        int c = Math.min(n, maxLength);
        if (c > capacity) allocate(c);
    }

    /** Positions the arrays hold without growing. */
    public int capacity() { return capacity; }

    /** Bytes held by the cache's arrays. */
    public long bytes() {
        return 2L * layers * capacity * kvDim * Short.BYTES;
    }

    void ensureCapacity(int n) {
        if (n <= capacity) return;
        int c = capacity;
        while (c < n && c < maxLength) c = Math.min(maxLength, Math.max(c * 2, INITIAL_CAPACITY));
        if (c < n) throw new IllegalArgumentException(n + " positions exceed the cache limit " + maxLength);
        allocate(c);
    }

    void setLength(int n) {
        length = n;
    }

    private void allocate(int newCapacity) {
        for (int l = 0; l < layers; l++) {
            short[] k = new short[newCapacity * kvDim];
            short[] v = new short[newCapacity * kvDim];
            if (keys[l] != null) {
                System.arraycopy(keys[l], 0, k, 0, length * kvDim);
                System.arraycopy(values[l], 0, v, 0, length * kvDim);
            }
            keys[l] = k;
            values[l] = v;
        }
        capacity = newCapacity;
    }
}
