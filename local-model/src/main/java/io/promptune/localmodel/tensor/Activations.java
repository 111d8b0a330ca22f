package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A batch of activation rows prepared in one {@link ActivationFormat}, ready for dot products.
 *
 * <p>For the Q8 formats, {@link #q} holds the quantized int8 values widened to floats (so the
 * per-block integer dot products can run exactly in float vector lanes) and {@link #qBytes} the same
 * values as bytes; {@link #d} holds one scale per block, {@link #s} the per-block sums (Q8_1: the
 * half-rounded d*sum(q); Q8_K: one int16 sum per 16 values). For F32/F16, {@link #q} holds the values.
 */
public final class Activations {
    public final ActivationFormat format;
    public final int rows;
    public final int cols;
    public final float[] q;
    public final byte[] qBytes;
    public final float[] d;
    public final float[] s;
    /**
     * Q8_0 only: {@link #q} re-ordered per block of 32 so that vector k (8 lanes) holds lane j =
     * q[4j + k]. Summing the four vectors' products leaves in lane j the sum of elements 4j..4j+3,
     * the same per-lane partial sums as ggml's AVX2 kernels, so the float rounding matches too.
     * (Read by {@link BlockRowKernel} for Q4_0 and by {@link Q8_0BatchKernel}; no Q8_1 kernel reads it since
     * Q4_1's repack, so Q8_1 batches no longer fill it.)
     */
    public final float[] quads;
    /**
     * Q8 formats only: per 32 values, 16 ints packing activation pairs for the 4-bit kernels' 32-bit
     * multiply trick: int j (0..7) = a[4j+2] + (a[4j] << 16), int 8+j = a[4j+3] + (a[4j+1] << 16). Multiplied
     * by a weight int holding w[4j] + (w[4j+2] << 16) (and w[4j+1] + (w[4j+3] << 16)), bits 16-31 of the
     * product sum to the quad's exact dot product; see {@link Q4_1Matrix}.
     */
    public final int[] pairs;
    /**
     * Q8_0 only: per block of 32, 32 shorts for the int8 x int8 kernel's 16-bit products: short 2j and 2j+1
     * hold a[4j] and a[4j+2], short 16+2j and 17+2j hold a[4j+1] and a[4j+3]; see {@link Q8_0Matrix}.
     */
    public final short[] wordPairs;
    /** Q8_K only: the exact sum of each 32 values (8 per block; ggml's hadd of the 16-value bsums). */
    public final int[] sums32;
    /** Where layouts built on first use take their arrays from (null: fresh arrays). */
    private Buffers buffers;

    private Activations(ActivationFormat format, int rows, int cols, float[] q, byte[] qBytes, float[] d, float[] s, float[] quadsBuffer,
                        int[] pairsBuffer, short[] wordPairsBuffer) {
        this(format, rows, cols, q, qBytes, d, s, quadsBuffer, pairsBuffer, wordPairsBuffer, true);
    }

    /** With {@code fill} false the layouts are left for {@link #fillLayouts} (a parallel preparation fills them per row range). */
    private Activations(ActivationFormat format, int rows, int cols, float[] q, byte[] qBytes, float[] d, float[] s, float[] quadsBuffer,
                        int[] pairsBuffer, short[] wordPairsBuffer, boolean fill) {
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.qBytes = qBytes;
        this.d = d;
        this.s = s;
        int n = rows * cols; // buffers may be longer than the batch
        if (format == ActivationFormat.Q8_0) {
            quads = quadsBuffer != null && quadsBuffer.length >= n ? quadsBuffer : new float[n];
        } else {
            quads = null;
        }
        if (qBytes != null) {
            pairs = pairsBuffer != null && pairsBuffer.length >= n / 2 ? pairsBuffer : new int[n / 2];
        } else {
            pairs = null;
        }
        sums32 = format == ActivationFormat.Q8_K ? new int[n / 32] : null;
        if (format == ActivationFormat.Q8_0) {
            wordPairs = wordPairsBuffer != null && wordPairsBuffer.length >= n ? wordPairsBuffer : new short[n];
        } else {
            wordPairs = null;
        }
        if (fill) fillLayouts(0, rows * cols);
    }

    /** Fills the kernels' per-block layouts ({@link #quads}, {@link #pairs}, {@link #sums32}, {@link #wordPairs}) of values [from, to) (whole blocks). */
    private void fillLayouts(int from, int to) {
        if (quads != null) {
            for (int blk = from; blk < to; blk += 32) {
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < 8; j++) quads[blk + 8 * k + j] = q[blk + 4 * j + k];
                }
            }
        }
        if (pairs != null) {
            for (int blk = from; blk < to; blk += 32) {
                int o = blk / 2;
                for (int j = 0; j < 8; j++) {
                    int e = blk + 4 * j;
                    pairs[o + j] = qBytes[e + 2] + (qBytes[e] << 16);
                    pairs[o + 8 + j] = qBytes[e + 3] + (qBytes[e + 1] << 16);
                }
            }
        }
        if (sums32 != null) {
            for (int i = from / 32; i < to / 32; i++) sums32[i] = (int) s[2 * i] + (int) s[2 * i + 1];
        }
        if (wordPairs != null) {
            for (int blk = from; blk < to; blk += 32) {
                for (int j = 0; j < 8; j++) {
                    int e = blk + 4 * j;
                    wordPairs[blk + 2 * j] = qBytes[e];
                    wordPairs[blk + 2 * j + 1] = qBytes[e + 2];
                    wordPairs[blk + 16 + 2 * j] = qBytes[e + 1];
                    wordPairs[blk + 17 + 2 * j] = qBytes[e + 3];
                }
            }
        }
    }

    private float[] scalesByRowGroup;

    private int[] pairsByRowGroup;

    /**
     * Q8_0/Q8_1, built on first use: {@link #pairs} regrouped so that 8 activation rows lie side by side, two such
     * groups interleaved so that 16 rows do too: group g's lane l of pair i at index ((g / 2 * cols / 2 + i) * 16
     * + 8 * (g % 2) + l) holds pairs[(8g + l) * cols / 2 + i] (zero past the last row). Lets {@link Q4_1BatchKernel}
     * multiply 8 rows' (256-bit) or 16 rows' (512-bit) activation pairs by one broadcast weight pair.
     */
    synchronized int[] pairsByRowGroup() {
        if (pairsByRowGroup == null) {
            int groups = (rows + 7) / 8;
            int[] t = new int[rowGroupPairs(rows, cols)];
            groupPairs(t, 0, groups);
            pairsByRowGroup = t;
        }
        return pairsByRowGroup;
    }

    /** Ints of {@link #pairsByRowGroup} for a batch of this shape (whole 16-row groups). */
    static int rowGroupPairs(int rows, int cols) {
        return (rows + 15) / 16 * cols * 8;
    }

    /** Floats of {@link #scalesByRowGroup} (and {@link #sumsByRowGroup}) for a batch of this shape. */
    private int rowGroupBlocks() {
        return (rows + 15) / 16 * (cols / format.blockSize()) * 16;
    }

    /** Index of 8-row group g's first value in the row-grouped layouts with {@code perRow} values per row. */
    static int rowGroupOffset(int g, int perRow) {
        return g / 2 * perRow * 16 + 8 * (g % 2);
    }

    private float[] sumsByRowGroup;

    /** The block scales {@link #d} in the same grouping: index ((g / 2 * blocks + k) * 16 + 8 * (g % 2) + lane). */
    synchronized float[] scalesByRowGroup() {
        if (scalesByRowGroup == null) scalesByRowGroup = blocksByRowGroup(d);
        return scalesByRowGroup;
    }

    /** Q8_1 only: the block sums {@link #s} grouped as {@link #scalesByRowGroup}. */
    synchronized float[] sumsByRowGroup() {
        if (sumsByRowGroup == null) sumsByRowGroup = blocksByRowGroup(s);
        return sumsByRowGroup;
    }

    private float[] blocksByRowGroup(float[] perBlock) {
        int groups = (rows + 7) / 8;
        float[] t = new float[rowGroupBlocks()];
        groupBlocks(perBlock, t, 0, groups);
        return t;
    }

    /**
     * {@link #pairsByRowGroup}'s layout for 8-row groups [g0, g1) into {@code t}, zero past the last row (with an
     * odd group count, the last 16-row group's second half too: the 512-bit kernel may read it).
     */
    private void groupPairs(int[] t, int g0, int g1) {
        int half = cols / 2, groups = (rows + 7) / 8;
        for (int g = g0; g < (g1 == groups && groups % 2 == 1 ? g1 + 1 : g1); g++) {
            int live = Math.max(0, Math.min(8, rows - 8 * g)), base = rowGroupOffset(g, half);
            for (int i = 0; i < half; i++) {
                int o = base + 16 * i;
                for (int lane = 0; lane < 8; lane++) t[o + lane] = lane < live ? pairs[(8 * g + lane) * half + i] : 0;
            }
        }
    }

    /** One value per block ({@code perBlock}) in {@link #scalesByRowGroup}'s layout for groups [g0, g1), as {@link #groupPairs}. */
    private void groupBlocks(float[] perBlock, float[] t, int g0, int g1) {
        int nb = cols / format.blockSize(), groups = (rows + 7) / 8;
        for (int g = g0; g < (g1 == groups && groups % 2 == 1 ? g1 + 1 : g1); g++) {
            int live = Math.max(0, Math.min(8, rows - 8 * g)), base = rowGroupOffset(g, nb);
            for (int k = 0; k < nb; k++) {
                int o = base + 16 * k;
                for (int lane = 0; lane < 8; lane++) t[o + lane] = lane < live ? perBlock[(8 * g + lane) * nb + k] : 0f;
            }
        }
    }

    private int[] shortPairs;

    /**
     * Q8 formats, built on first use: per 32 values, 16 ints pairing two activations as clean 16-bit halves
     * (low = the first, high = the second): int j (0..7) = (a[4j], a[4j+2]), int 8+j = (a[4j+1], a[4j+3]).
     * Multiplied as 16 short lanes by weights paired the same way (see {@link Q4_0Matrix}, {@link Q4_KMatrix}).
     */
    synchronized int[] shortPairs() {
        if (shortPairs == null) {
            demanded(SHORT_PAIRS);
            int[] t = new int[rows * cols / 2];
            fillShortPairs(t, 0, rows * cols);
            shortPairs = t;
        }
        return shortPairs;
    }

    /** {@link #shortPairs} of values [from, to) (whole blocks of 32) into {@code t}. */
    private void fillShortPairs(int[] t, int from, int to) {
        for (int blk = from; blk < to; blk += 32) {
            int o = blk / 2;
            for (int j = 0; j < 8; j++) {
                t[o + j] = shortPair(blk + 4 * j, blk + 4 * j + 2);
                t[o + 8 + j] = shortPair(blk + 4 * j + 1, blk + 4 * j + 3);
            }
        }
    }

    private int shortPair(int lo, int hi) {
        return (qBytes[lo] & 0xFFFF) | (qBytes[hi] << 16);
    }

    private short[] windowLanes;

    /**
     * Q8 formats, built on first use, for the repacked Q4_0 GEMV ({@link Q4_0Matrix}'s window products): per 32
     * values 16 coefficient pairs, each repeated in 8 int lanes (16 shorts per pair, so 8 per value: per row, pair
     * j at 16 * j + rowOffset * 8). A Q4_0 weight int v (v = 0..3) of a block holds bytes 4v..4v+3, i.e. 8 nibbles
     * n_0..n_7 of the elements E_v = (4v, 4v+16, 4v+1, 4v+17, 4v+2, 4v+18, 4v+3, 4v+19). With the coefficients
     * c_0 = a[E_v(0)], c_m = a[E_v(m)] - 16 * a[E_v(m-1)], pair 4v + i (i = 0..3) holds c_i in its low short and
     * c_(i+4) in its high one; then the 16-bit products (w >>> 4i) * pair, summed over i and v with both short
     * halves of a lane added, leave sum(n_m * a_m) modulo 2^16 (the nibbles above each 16-bit window telescope
     * away). See {@link #windowBias} for why modulo 2^16 is exact.
     */
    synchronized short[] windowLanes() {
        if (windowLanes == null) {
            demanded(WINDOW_LANES);
            short[] t = windowLanesArray();
            fillWindowLanes(t, 0, rows * cols);
            windowLanes = t;
        }
        return windowLanes;
    }

    private short[] windowLanesArray() {
        int n = rows * cols / 2;
        return buffers != null ? buffers.windowLanes(16 * n) : new short[16 * n];
    }

    /** {@link #windowLanes} of values [from, to) (whole blocks of 32) into {@code t}. */
    private void fillWindowLanes(short[] t, int from, int to) {
        int[] c = new int[8];
        for (int blk = from; blk < to; blk += 32) {
            for (int v = 0; v < 4; v++) {
                int prev = 0;
                for (int m = 0; m < 8; m++) {
                    int e = blk + 4 * v + (m >> 1) + 16 * (m & 1);
                    c[m] = qBytes[e] - 16 * prev;
                    prev = qBytes[e];
                }
                for (int i = 0; i < 4; i++) {
                    IntVector.broadcast(I8, (c[i] & 0xFFFF) | (c[i + 4] << 16)).reinterpretAsShorts().intoArray(t, 16 * (blk / 2 + 4 * v + i));
                }
            }
        }
    }

    private int[] windowBias;

    /**
     * Q8 formats, built on first use: per block, -8 * (sum of its 32 values) in the high 16 bits. Added to the
     * window products' lane sum it gives the block's exact sum((q - 8) * a) in those 16 bits: that sum is at most
     * 32 * 8 * 127 = 32512 in magnitude (quantization keeps |a| <= 127), so it fits a short, and a sum known
     * modulo 2^16 that fits a short is known exactly.
     */
    synchronized int[] windowBias() {
        if (windowBias == null) {
            demanded(WINDOW_BIAS);
            int[] t = new int[rows * cols / format.blockSize()];
            fillWindowBias(t, 0, t.length);
            windowBias = t;
        }
        return windowBias;
    }

    /** {@link #windowBias} of blocks [k0, k1) into {@code t}. */
    private void fillWindowBias(int[] t, int k0, int k1) {
        fillBlockSums(t, k0, k1);
        for (int k = k0; k < k1; k++) t[k] = (-8 * t[k]) << 16;
    }

    private int[] blockSums;

    /** Q8_0/Q8_1, built on first use: the exact integer sum of each block's quantized values. */
    synchronized int[] blockSums() {
        if (blockSums == null) {
            demanded(BLOCK_SUMS);
            int[] t = new int[rows * cols / format.blockSize()];
            fillBlockSums(t, 0, t.length);
            blockSums = t;
        }
        return blockSums;
    }

    /** {@link #blockSums} of blocks [k0, k1) into {@code t}. */
    private void fillBlockSums(int[] t, int k0, int k1) {
        int bs = format.blockSize();
        for (int k = k0; k < k1; k++) {
            int sum = 0;
            for (int i = k * bs; i < (k + 1) * bs; i++) sum += qBytes[i];
            t[k] = sum;
        }
    }

    /**
     * The layouts above that are built on first use, as bits: {@link Buffers} records which ones the kernels asked
     * for, per format and batch size class, and the next preparation builds those up front (per row group in a
     * parallel preparation) instead of the first kernel call building them inside the parallel section while the
     * other threads wait on its lock.
     */
    private static final int WINDOW_LANES = 1, WINDOW_BIAS = 2, BLOCK_SUMS = 4, SHORT_PAIRS = 8;

    private void demanded(int layout) {
        Buffers b = buffers;
        if (b != null) b.demand(format, rows, layout);
    }

    /** Creates the arrays of the layouts in {@code want} (bits), to be filled by {@link #fillDemanded}. */
    private void allocateDemanded(int want) {
        int nb = rows * cols / format.blockSize();
        synchronized (this) {
            if ((want & WINDOW_LANES) != 0 && format != ActivationFormat.Q8_K) windowLanes = windowLanesArray();
            if ((want & WINDOW_BIAS) != 0) windowBias = new int[nb];
            if ((want & BLOCK_SUMS) != 0) blockSums = new int[nb];
            if ((want & SHORT_PAIRS) != 0) shortPairs = new int[rows * cols / 2];
        }
    }

    /** Fills the layouts {@link #allocateDemanded} created, for values [from, to) (whole blocks). */
    private void fillDemanded(int from, int to) {
        int bs = format.blockSize();
        if (windowLanes != null) fillWindowLanes(windowLanes, from, to);
        if (windowBias != null) fillWindowBias(windowBias, from / bs, to / bs);
        if (blockSums != null) fillBlockSums(blockSums, from / bs, to / bs);
        if (shortPairs != null) fillShortPairs(shortPairs, from, to);
    }

    /**
     * Builds the row-grouped layouts {@link #pairsByRowGroup}, {@link #scalesByRowGroup} and {@link #sumsByRowGroup}
     * (Q8_1, as the Q4_1 batch kernel reads them) of groups [g0, g1) into the given arrays, zero past the last row.
     * A parallel preparation builds them group by group on every thread, instead of the first kernel call
     * building them all while the other threads wait on the lock.
     */
    private void fillRowGroups(int[] pt, float[] dt, float[] st, int g0, int g1) {
        groupPairs(pt, g0, g1);
        groupBlocks(d, dt, g0, g1);
        groupBlocks(s, st, g0, g1);
    }

    /**
     * Arrays kept between preparations, one set per format, grown on demand: a forward pass prepares
     * activations for every matrix product, and fresh arrays each time made the heap (and the resident
     * set) balloon. Arrays may be longer than a batch needs. Not thread-safe: one owner at a time, and
     * an {@link Activations} prepared from it is valid until its next preparation in the same format.
     */
    public static final class Buffers {
        private final java.util.EnumMap<ActivationFormat, float[][]> floats = new java.util.EnumMap<>(ActivationFormat.class);
        private final java.util.EnumMap<ActivationFormat, byte[]> bytes = new java.util.EnumMap<>(ActivationFormat.class);

        /** Array {@code slot} (0 q, 1 d, 2 s, 3 quads, 4-5 the row-grouped d and s) of {@code format}, at least {@code n} long. */
        float[] floats(ActivationFormat format, int slot, int n) {
            float[][] a = floats.computeIfAbsent(format, f -> new float[6][]);
            if (a[slot] == null || a[slot].length < n) a[slot] = new float[n];
            return a[slot];
        }

        private final java.util.EnumMap<ActivationFormat, int[]> ints = new java.util.EnumMap<>(ActivationFormat.class);
        /** Per format and batch size class (1, 2-7, 8+ rows), the lazily built layouts kernels asked for (bits). */
        private final int[] demand = new int[3 * ActivationFormat.values().length];

        synchronized void demand(ActivationFormat format, int rows, int layout) {
            demand[demandSlot(format, rows)] |= layout;
        }

        synchronized int demanded(ActivationFormat format, int rows) {
            return demand[demandSlot(format, rows)];
        }

        private static int demandSlot(ActivationFormat format, int rows) {
            return 3 * format.ordinal() + (rows == 1 ? 0 : rows < 8 ? 1 : 2);
        }
        private short[] shorts;
        private short[] windowLanes;
        private int[] groupedInts;

        /** The {@link #windowLanes} array, at least {@code n} long. */
        short[] windowLanes(int n) {
            if (windowLanes == null || windowLanes.length < n) windowLanes = new short[n];
            return windowLanes;
        }

        /** The Q8_1 {@link #pairsByRowGroup} array, at least {@code n} long. */
        int[] groupedInts(int n) {
            if (groupedInts == null || groupedInts.length < n) groupedInts = new int[n];
            return groupedInts;
        }

        /** The {@link #pairs} array of {@code format}, at least {@code n} long. */
        int[] ints(ActivationFormat format, int n) {
            int[] a = ints.get(format);
            if (a == null || a.length < n) ints.put(format, a = new int[n]);
            return a;
        }

        /** The {@link #wordPairs} array (Q8_0 only), at least {@code n} long. */
        short[] shorts(int n) {
            if (shorts == null || shorts.length < n) shorts = new short[n];
            return shorts;
        }

        byte[] bytes(ActivationFormat format, int n) {
            byte[] b = bytes.get(format);
            if (b == null || b.length < n) bytes.put(format, b = new byte[n]);
            return b;
        }
    }

    /** Index of row {@code r}'s first value in {@link #q}/{@link #qBytes}. */
    public int rowOffset(int r) { return r * cols; }

    /** Index of row {@code r}'s first block in {@link #d} (and in {@link #s} for Q8_1). */
    public int blockOffset(int r) { return r * (cols / format.blockSize()); }

    static Activations prepare(ActivationFormat format, FloatBatch in) {
        return prepare(format, in, null);
    }

    /** As {@link #prepare(ActivationFormat, FloatBatch)}, in {@code buffers}' arrays when given. */
    static Activations prepare(ActivationFormat format, FloatBatch in, Buffers buffers) {
        return prepare(format, in, buffers, null);
    }

    /** Batches of at least this many rows are prepared in parallel (a section costs a few microseconds). */
    private static final int PARALLEL_ROWS = 16;

    /**
     * As {@link #prepare(ActivationFormat, FloatBatch, Buffers)}, spread over {@code pool} (when given) in
     * groups of 8 rows for large batches: during a prefill this work ran on the calling thread while the
     * other threads waited. Each row's result is the same whichever thread computes it.
     */
    static Activations prepare(ActivationFormat format, FloatBatch in, Buffers buffers, Parallel pool) {
        int rows = in.rows(), cols = in.cols();
        int n = rows * cols;
        float[] x = in.data();
        switch (format) {
            case F32:
                return new Activations(format, rows, cols, x, null, null, null, null, null, null);
            case F16: {
                float[] q = floats(buffers, format, 0, n);
                for (int i = 0; i < n; i++) q[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
                return new Activations(format, rows, cols, q, null, null, null, null, null, null);
            }
            case BF16: {
                float[] q = floats(buffers, format, 0, n);
                for (int i = 0; i < n; i++) q[i] = io.promptune.localmodel.quant.BF16Format.fromBf16(io.promptune.localmodel.quant.BF16Format.toBf16(x[i]));
                return new Activations(format, rows, cols, q, null, null, null, null, null, null);
            }
            default:
                break;
        }
        int bs = format.blockSize();
        if (cols % bs != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of " + format + "'s block size " + bs);
        }
        int nb = cols / bs;
        float[] q = floats(buffers, format, 0, n);
        byte[] qb = buffers == null ? new byte[n] : buffers.bytes(format, n);
        float[] d = floats(buffers, format, 1, rows * nb);
        float[] s = floats(buffers, format, 2, format == ActivationFormat.Q8_K ? n / 16 : rows * nb);
        boolean parallel = pool != null && pool.threads() > 1 && rows >= PARALLEL_ROWS;
        // Q8_1 feeds the Q4_1 batch kernel, which reads row-grouped layouts for batches of GROUP_MIN (6) rows or more
        // (at 512 bits 16, or 13-15: Q4_1Matrix.groupedRows): build them here into reused buffers (in parallel for
        // large batches), not lazily with fresh arrays inside the kernel's parallel section while the other threads
        // wait on the lock (decode steps of 6-7 sequences, common while a continuous batch drains, took that lazy path).
        boolean rowGroups = format == ActivationFormat.Q8_1 && buffers != null && Q4_1Matrix.groupedRows(rows) > 0;
        Activations a = new Activations(format, rows, cols, q, qb, d, s,
                buffers == null || format != ActivationFormat.Q8_0 ? null : floats(buffers, format, 3, n),
                buffers == null ? null : buffers.ints(format, n / 2), buffers == null || format != ActivationFormat.Q8_0 ? null : buffers.shorts(n),
                false);
        a.buffers = buffers;
        int want = buffers == null ? 0 : buffers.demanded(format, rows);
        a.allocateDemanded(want);
        if (!parallel && !rowGroups) {
            // (splitting a single row's blocks over two spinning threads measured slower: 16.6 vs 8-9 us for 2048 values)
            a.prepareBlocks(x, 0, n / bs);
            return a;
        }
        int groups = (rows + 7) / 8;
        int[] pt = rowGroups ? buffers.groupedInts(rowGroupPairs(rows, cols)) : null;
        float[] dt = rowGroups ? buffers.floats(format, 4, a.rowGroupBlocks()) : null;
        float[] st = rowGroups ? buffers.floats(format, 5, a.rowGroupBlocks()) : null;
        Parallel.RangeTask body = (g0, g1) -> {
            int r0 = 8 * g0, r1 = Math.min(rows, 8 * g1);
            a.prepareBlocks(x, r0 * nb, r1 * nb);
            if (rowGroups) a.fillRowGroups(pt, dt, st, g0, g1);
        };
        if (parallel) pool.forRange(groups, body);
        else body.run(0, groups);
        if (rowGroups) {
            synchronized (a) {
                a.pairsByRowGroup = pt;
                a.scalesByRowGroup = dt;
                a.sumsByRowGroup = st;
            }
        }
        return a;
    }

    /** Quantizes blocks [k0, k1) (counted over all rows) of {@code x} and fills their layouts. */
    private void prepareBlocks(float[] x, int k0, int k1) {
        int bs = format.blockSize();
        quantizeBlocks(x, k0, k1);
        fillLayouts(k0 * bs, k1 * bs);
        fillDemanded(k0 * bs, k1 * bs);
    }

    /** Quantizes blocks [k0, k1) (counted over all rows: block k holds values [k * bs, (k + 1) * bs)) of {@code x} into q, qBytes, d and s. */
    private void quantizeBlocks(float[] x, int k0, int k1) {
        int bs = format.blockSize();
        for (int k = k0; k < k1; k++) {
            if (format == ActivationFormat.Q8_K) quantizeBlockQ8K(x, k * bs, q, qBytes, d, s, k);
            else quantizeBlockQ8(format, x, k * bs, q, qBytes, d, s, k);
        }
    }

    private static float[] floats(Buffers buffers, ActivationFormat format, int slot, int n) {
        return buffers == null ? new float[n] : buffers.floats(format, slot, n);
    }

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    /** 1.5 * 2^23: adding and subtracting it rounds a float below 2^22 in magnitude to an integer, ties to even. */
    private static final float ROUNDING_SHIFT = 0x1.8p23f;

    /**
     * As ggml's x86 quantize_row_q8_0/q8_1: scale 127/amax, round half to even, half-precision scale. In
     * vector lanes, with the same values as {@link #quantizeBlockQ8Scalar}: the maximum is exact in any order,
     * each lane's x * id is the same float product, the rounding shift rounds it to the nearest integer (ties
     * to even, as Math.rint) since |x * id| <= 127, and the integer sum is exact in float.
     */
    private static void quantizeBlockQ8(ActivationFormat f, float[] x, int off, float[] q, byte[] qb, float[] d, float[] s, int blk) {
        FloatVector v0 = FloatVector.fromArray(F8, x, off),
                v1 = FloatVector.fromArray(F8, x, off + 8),
                v2 = FloatVector.fromArray(F8, x, off + 16),
                v3 = FloatVector.fromArray(F8, x, off + 24);
        float amax = v0.abs().max(v1.abs()).max(v2.abs().max(v3.abs())).reduceLanes(VectorOperators.MAX);
        if (!(amax < Float.POSITIVE_INFINITY)) { // NaN or infinity: the scalar form's exact semantics
            quantizeBlockQ8Scalar(f, x, off, q, qb, d, s, blk);
            return;
        }
        float dd = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        FloatVector sh = FloatVector.broadcast(F8, ROUNDING_SHIFT);
        FloatVector r0 = v0.mul(id).add(sh).sub(sh), r1 = v1.mul(id).add(sh).sub(sh),
                r2 = v2.mul(id).add(sh).sub(sh), r3 = v3.mul(id).add(sh).sub(sh);
        r0.intoArray(q, off);
        r1.intoArray(q, off + 8);
        r2.intoArray(q, off + 16);
        r3.intoArray(q, off + 24);
        for (int i = off; i < off + 32; i++) qb[i] = (byte) (int) q[i];
        d[blk] = half(dd);
        if (f == ActivationFormat.Q8_1) {
            int sum = (int) r0.add(r1).add(r2.add(r3)).reduceLanes(VectorOperators.ADD);
            s[blk] = half(dd * sum);
        }
    }

    /** The scalar form of {@link #quantizeBlockQ8} (ggml's reference loop). */
    static void quantizeBlockQ8Scalar(ActivationFormat f, float[] x, int off, float[] q, byte[] qb, float[] d, float[] s, int blk) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        float dd = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        int sum = 0;
        for (int i = 0; i < 32; i++) {
            int v = (int) Math.rint(x[off + i] * id);
            q[off + i] = v;
            qb[off + i] = (byte) v;
            sum += v;
        }
        d[blk] = half(dd);
        if (f == ActivationFormat.Q8_1) s[blk] = half(dd * sum);
    }

    /** As ggml's quantize_row_q8_K: scale -127/max (the signed value of largest magnitude), float scale. */
    private static void quantizeBlockQ8K(float[] x, int off, float[] q, byte[] qb, float[] d, float[] s, int blk) {
        float max = 0, amax = 0;
        for (int i = 0; i < 256; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        int sOff = blk * 16;
        if (amax == 0f) {
            d[blk] = 0f;
            for (int i = 0; i < 256; i++) { q[off + i] = 0; qb[off + i] = 0; }
            for (int j = 0; j < 16; j++) s[sOff + j] = 0;
            return;
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i++) {
            int v = Math.min(127, (int) Math.rint(iscale * x[off + i]));
            q[off + i] = v;
            qb[off + i] = (byte) v;
        }
        for (int j = 0; j < 16; j++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += qb[off + j * 16 + i];
            s[sOff + j] = sum;
        }
        d[blk] = 1f / iscale;
    }

    static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }
}
