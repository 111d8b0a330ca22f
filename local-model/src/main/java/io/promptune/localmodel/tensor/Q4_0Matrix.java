package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_0 weights (blocks of 32: half scale d, 16 bytes of nibbles; value = d * (nibble - 8); low nibbles
 * are elements 0-15, high nibbles 16-31) with Q8_0 activations, as ggml_vec_dot_q4_0_q8_0; for rows % 8 == 0
 * as llama.cpp's repacked block_q4_0x8 kernels (one scalar fma per block and row), on a copy of the tensor
 * repacked at load time (in heap arrays when it fits {@link HeapBudget}, off-heap otherwise) so that 8 rows sit in
 * the 8 lanes: one activation row through {@link #groupDots}, up to four on the heap copy through
 * {@link #windowDots}, otherwise two through {@link #pairDots} and more as whole groups decoded to 16-bit
 * tiles against the batch ({@link #shortTiles}); on 512-bit machines batches from {@link #WIDE_TILE_ROWS_MIN} rows run
 * {@link Q4_0Wide}'s float tiles instead.
 */
public final class Q4_0Matrix extends WeightMatrix implements BlockRowKernel.Decoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    private static final int BLOCK_BYTES = 18;

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes of one block of 8 interleaved rows in {@link #packed}: 8 float scales, then 8 x 16 nibble bytes. */
    private static final int GROUP_BLOCK_BYTES = 8 * 4 + 8 * 16;

    /**
     * For rows % 8 == 0, the tensor repacked at load time as llama.cpp's block_q4_0x8 (8 rows interleaved per
     * block), laid out for {@link #groupDot}: block k of rows 8g..8g+7 at (g * blocks + k) * 160 holds the 8
     * rows' scales as floats (row order; fp16 -> fp32 is exact, so they are ggml's values), then 32 ints: int
     * 8v + l = bytes 4v..4v+3 of row 8g+l's nibbles. 160 bytes per 8 blocks instead of the file's 144 (float scales,
     * from before the heap copy's half conversion, {@link #HALF_BITS}; this copy serves only tensors past the heap
     * budget or with inf/NaN scales). Null otherwise; the mapped bytes are then read in place.
     */
    private final MemorySegment packed;
    /**
     * The same copy in heap arrays when it fits {@link HeapBudget} (then {@link #packed} is null): block k of
     * group g's 32 nibble ints at (g * blocks + k) * 32, its 8 half scales (the file's bits, row order) at
     * (g * blocks + k) * 8 of {@link #halfScales}. The kernels streamed these 15-25% faster than the segment;
     * each kernel has a heap and a segment method. 144 bytes per 8 blocks, as the file and llama.cpp's
     * block_q4_0x8: decode streams every weight byte from memory once per token, and float scales (160 bytes)
     * cost 11% more bytes than converting halves with {@link #HALF_BITS} in the kernel does in instructions.
     */
    private final int[] nibbles;
    private final short[] halfScales;
    /** Whether batches from {@link #WIDE_TILE_ROWS_MIN} rows on the heap copy take {@link Q4_0Wide}'s 512-bit float tiles. */
    private final boolean wide;

    public Q4_0Matrix(String name, int rows, int cols, MemorySegment data) {
        this(name, rows, cols, data, true);
    }

    /** With {@code heapAllowed} false the repacked copy is off-heap whatever {@link HeapBudget} says (tests of both kernels). */
    Q4_0Matrix(String name, int rows, int cols, MemorySegment data, boolean heapAllowed) {
        this(name, rows, cols, data, heapAllowed, VectorWidth.WIDE);
    }

    /** With {@code wide} the heap copy's large batches run at 512 bits ({@link Q4_0Wide}; tests of both widths on any machine). */
    Q4_0Matrix(String name, int rows, int cols, MemorySegment data, boolean heapAllowed, boolean wide) {
        super(name, GgmlType.Q4_0, rows, cols, data);
        this.wide = wide;
        boolean grouped = rows % 8 == 0;
        long groupBlocksAll = (long) rows / 8 * (cols / 32);
        boolean heap = grouped && heapAllowed && 32 * groupBlocksAll <= Integer.MAX_VALUE - 16 // one int[] must hold the nibbles
                && finiteScales(data, rows, cols) && HeapBudget.reserve(this, groupBlocksAll * (8 * 16 + 8 * 2));
        int groupBlocks = heap ? (int) groupBlocksAll : 0;
        this.nibbles = heap ? new int[32 * groupBlocks] : null;
        this.halfScales = heap ? new short[8 * groupBlocks] : null;
        if (heap) repackToHeap();
        this.packed = grouped && !heap ? repack(data, rows, cols, rowBytes) : null;
    }

    @Override
    public boolean repacked() { return packed != null || nibbles != null; }

    /** True when no block scale of the tensor is an infinite or NaN half (the heap copy's scale conversion needs that). */
    private static boolean finiteScales(MemorySegment data, int rows, int cols) {
        long blocks = (long) rows * (cols / 32);
        for (long b = 0; b < blocks; b++) {
            if ((data.get(SHORT_LE, b * BLOCK_BYTES) & 0x7C00) == 0x7C00) return false;
        }
        return true;
    }

    /** Fills {@link #nibbles} and {@link #halfScales} from the file's blocks ({@link #packed}'s layout in two arrays, half scales). */
    private void repackToHeap() {
        int nb = cols / 32;
        for (int g = 0; g < rows / 8; g++) {
            for (int k = 0; k < nb; k++) {
                int gb = g * nb + k;
                for (int l = 0; l < 8; l++) {
                    long src = (8L * g + l) * rowBytes + (long) k * BLOCK_BYTES;
                    halfScales[8 * gb + l] = data.get(SHORT_LE, src);
                    for (int v = 0; v < 4; v++) nibbles[32 * gb + 8 * v + l] = data.get(INT_LE, src + 2 + 4 * v);
                }
            }
        }
    }

    /** The interleaved copy of the tensor described at {@link #packed}. */
    private static MemorySegment repack(MemorySegment data, int rows, int cols, long rowBytes) {
        return RepackedLanes.interleave8(rows, cols / 32, rowBytes, BLOCK_BYTES, GROUP_BLOCK_BYTES, (p, src, dst, l) -> {
            p.set(FLOAT_LE, dst + 4 * l, Float.float16ToFloat(data.get(SHORT_LE, src)));
            for (int v = 0; v < 4; v++) p.set(INT_LE, dst + 32 + 4 * (8 * v + l), data.get(INT_LE, src + 2 + 4 * v));
            return true;
        });
    }

    /** Offset in {@link #packed} of block k of row {@code row}'s group. */
    private long groupBlock(int row, int k) {
        return ((long) (row >> 3) * (cols / 32) + k) * GROUP_BLOCK_BYTES;
    }

    /** Nibble byte j (0..15) of block k of row {@code row}: low nibble element j, high nibble element j + 16. */
    private int quantByte(int row, int k, int j) {
        if (nibbles != null) return (nibbles[32 * ((row >> 3) * (cols / 32) + k) + 8 * (j >> 2) + (row & 7)] >>> 8 * (j & 3)) & 0xFF;
        if (packed == null) return data.get(ValueLayout.JAVA_BYTE, row * rowBytes + (long) k * BLOCK_BYTES + 2 + j) & 0xFF;
        return packed.get(ValueLayout.JAVA_BYTE, groupBlock(row, k) + 32 + 4 * (8 * (j >> 2) + (row & 7)) + (j & 3)) & 0xFF;
    }

    /** The scale of block k of row {@code row}. */
    private float scale(int row, int k) {
        if (nibbles != null) return Float.float16ToFloat(halfScales[8 * ((row >> 3) * (cols / 32) + k) + (row & 7)]);
        if (packed == null) return half(row * rowBytes + (long) k * BLOCK_BYTES);
        return packed.get(FLOAT_LE, groupBlock(row, k) + 4 * (row & 7));
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_0; }

    private static final VectorShuffle<Integer> DUP = VectorShuffle.fromValues(I, 0, 1, 2, 3, 0, 1, 2, 3);
    private static final IntVector NIBBLE_SHIFT = IntVector.fromArray(I, new int[]{0, 0, 0, 0, 4, 4, 4, 4}, 0);

    /** The 16 nibble bytes as 8 int lanes: lanes 0-3 hold the low nibbles (elements 0-15), lanes 4-7 the high ones. */
    private IntVector nibbleLanes(long offset) {
        IntVector v = (IntVector) IntVector.fromMemorySegment(I4, data, offset, ByteOrder.LITTLE_ENDIAN).reinterpretShape(I, 0);
        return v.rearrange(DUP).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
    }

    /** Nibble k (0..3) of each lane as floats: lane j = element 4j+k of the block. */
    private static FloatVector nibble(IntVector lanes, int k) {
        return (FloatVector) lanes.lanewise(VectorOperators.LSHR, 8 * k).and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** Lanes 1-4 of a load starting 2 bytes before the block (the 16 nibble bytes) spread as {@link #nibbleLanes} does. */
    private static final VectorShuffle<Integer> BLOCK_NIBBLES = VectorShuffle.fromValues(I, 1, 2, 3, 4, 1, 2, 3, 4);

    /**
     * Per lane j, the exact quad sum of (q-8)*a over elements 4j..4j+3 times 2^16, plus a term below 2^15
     * in magnitude: two products per 32-bit multiply, as {@link Q4_1Matrix} explains (weights here are the
     * exact integers (n0-8) + (n2-8)*2^16). The whole block's sum times 2^16 still fits in an int.
     */
    private static IntVector scaledQuads(IntVector v, int[] m, int mi) {
        return v.and(0x000F000F).sub(0x00080008).mul(IntVector.fromArray(I, m, mi))
                .add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).sub(0x00080008).mul(IntVector.fromArray(I, m, mi + 8)));
    }

    /** The 8 quad sums (ggml's AVX2 lane grouping) as floats. */
    private static FloatVector quadSums(IntVector v, int[] m, int mi) {
        return (FloatVector) scaledQuads(v, m, mi).add(0x8000).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
    }

    @Override
    public float dot(int row, Activations a, int b) {
        if (repacked()) return packedDot(row, a, b);
        long base = row * rowBytes;
        int[] m = a.pairs;
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2;
        int bo = a.blockOffset(b);
        int last = cols / 32 - 1;
        // Blocks 1..last-1 (and block 0 unless it starts the tensor) come from one 32-byte load starting 2 bytes
        // early: the scale in lane 0's upper half, the nibbles in lanes 1-4. The row's last block is loaded
        // separately so no load runs past the tensor's end.
        int k0 = base == 0 ? 0 : -1; // the first block starting the tensor is loaded separately too
        FloatVector acc = FloatVector.zero(F);
        if (k0 == 0 && last > 0) {
            acc = quadSums(nibbleLanes(base + 2), m, mo).fma(FloatVector.broadcast(F, half(base) * ad[bo]), acc);
        }
        for (int k = k0 + 1; k < last; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            IntVector raw = IntVector.fromMemorySegment(I, data, p - 2, ByteOrder.LITTLE_ENDIAN);
            float d = Float.float16ToFloat((short) (raw.lane(0) >>> 16));
            IntVector v = raw.rearrange(BLOCK_NIBBLES).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT);
            acc = quadSums(v, m, mo + 16 * k).fma(FloatVector.broadcast(F, d * ad[bo + k]), acc);
        }
        long p = base + (long) last * BLOCK_BYTES;
        acc = quadSums(nibbleLanes(p + 2), m, mo + 16 * last).fma(FloatVector.broadcast(F, half(p) * ad[bo + last]), acc);
        return GgmlSums.hsum8(acc);
    }

    /** Rows without the repacked copy (rows % 8 != 0): with it, {@link #dotRows} runs the group kernels instead. */
    @Override
    public void decodeBlocks(int row, float[] wq, float[] wd) {
        long base = row * rowBytes;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            IntVector w = nibbleLanes(p + 2);
            for (int j = 0; j < 4; j++) nibble(w, j).intoArray(wq, 32 * k + 8 * j);
            wd[k] = half(p);
        }
    }

    /**
     * With the repacked copy every batch runs llama.cpp's repacked order (its GEMM and GEMV take the same per-row
     * chain: one fma(block total, d_w * d_a, acc) per block in block order): one activation row through
     * {@link #groupDot}; on the heap copy up to {@link #WINDOW_ROWS_MAX} rows through {@link #windowDots}; otherwise
     * two through {@link #groupDot2} and from {@link #TILE_ROWS_MIN} rows {@link #shortTiles} (lab, 8 matrices
     * 5632x2048, GMAC/s: batch 2 pairs 14.0 vs tiles 9.3, batch 3 11.2 vs 12.4, batch 4 14.9 vs 18.6).
     */
    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        if (!repacked()) {
            super.dotRows(r0, r1, a, out, outCol0);
        } else if (a.rows == 1) {
            groupDots(r0, r1, a, out, outCol0);
        } else if (wide && nibbles != null && a.rows >= WIDE_TILE_ROWS_MIN) {
            Q4_0Wide.floatTiles(nibbles, halfScales, cols / 32, r0, r1, a, out, outCol0);
        } else if (nibbles != null && a.rows <= WINDOW_ROWS_MAX) {
            windowDots(r0, r1, a, out, outCol0);
        } else if (a.rows >= TILE_ROWS_MIN) {
            shortTiles(r0, r1, a, out, outCol0);
        } else {
            pairDots(r0, r1, a, out, outCol0);
        }
    }

    /**
     * The largest batch {@link #dotRows} runs through {@link #windowDots} (heap copy). Lab (8 matrices 5632x2048,
     * GMAC/s, load 9-13): batch 2 window 22-25 vs row pairs 15-17, batch 3 25-26 vs tiles 17-19, batch 4 17-26 vs
     * 16-23, batch 8 (two chunks of 4) 26-27 vs tiles 28-32.
     */
    private static final int WINDOW_ROWS_MAX = 4;

    /**
     * Small batches over the heap copy: per 8-row group the activation rows in chunks of up to four through
     * {@link #windowDot4} / {@link #windowDot3} / {@link #windowDot2} (a single row through {@link #groupDotHeap}), so
     * each block's weights are loaded and shifted once per chunk, with no decoded copy of the group in between
     * (what {@link #shortTiles} writes and reads back, which pays only from 8 rows).
     */
    private void windowDots(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        short[] ax = a.windowLanes();
        int[] bias = a.windowBias();
        float[] ad = a.d, o = out.data(), part = new float[32];
        int oc = out.cols(), nb = cols / 32, xs = 8 * a.cols;
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            boolean whole = 8 * g >= r0 && 8 * g + 8 <= r1;
            int l0 = Math.max(0, r0 - 8 * g), l1 = Math.min(8, r1 - 8 * g), base = outCol0 + 8 * g;
            for (int b = 0; b < a.rows; ) {
                int n = Math.min(4, a.rows - b);
                float[] to = whole ? o : part;
                int o0 = whole ? b * oc + base : 0, o1 = whole ? o0 + oc : 8, o2 = whole ? o1 + oc : 16, o3 = whole ? o2 + oc : 24;
                int x = 8 * a.rowOffset(b), bo = a.blockOffset(b);
                switch (n) {
                    case 1 -> groupDotHeap(g, ax, x, bias, ad, bo, nb, to, o0);
                    case 2 -> windowDot2(g, ax, x, x + xs, bias, ad, bo, bo + nb, nb, to, o0, o1);
                    case 3 -> windowDot3(g, ax, x, x + xs, x + 2 * xs, bias, ad, bo, bo + nb, bo + 2 * nb, nb, to, o0, o1, o2);
                    default -> windowDot4(g, ax, x, x + xs, x + 2 * xs, x + 3 * xs, bias, ad, bo, bo + nb, bo + 2 * nb, bo + 3 * nb, nb, to, o0, o1, o2, o3);
                }
                if (!whole) {
                    for (int i = 0; i < n; i++) {
                        int ob = (b + i) * oc + base;
                        for (int l = l0; l < l1; l++) o[ob + l] = part[8 * i + l];
                    }
                }
                b += n;
            }
        }
    }

    /**
     * The smallest batch {@link #dotRows} runs through {@link Q4_0Wide#floatTiles} on 512-bit machines. Lab (1 thread,
     * thread CPU, GMAC/s, 16-bit tiles vs float tiles): 8 matrices 5632x2048 streamed, batch 8 26.8 vs 29.2, batch 16
     * 31.8 vs 42.8; 4 x 2048x2048 at batch 128 36 vs 53. Below it the float tile's decode (4 bytes per weight) does not pay.
     */
    private static final int WIDE_TILE_ROWS_MIN = 8;

    /** The smallest batch {@link #dotRows} runs through {@link #shortTiles}. */
    private static final int TILE_ROWS_MIN = 3;

    /** {@link #groupDots} for batches: activation rows in pairs (an odd last row paired with itself). */
    private void pairDots(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int[] ap = a.shortPairs(), as = a.blockSums();
        boolean heap = nibbles != null;
        float[] ad = a.d, o = out.data(), part = new float[16];
        int oc = out.cols(), nb = cols / 32;
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            boolean whole = 8 * g >= r0 && 8 * g + 8 <= r1;
            for (int b = 0; b < a.rows; b += 2) {
                int c = Math.min(b + 1, a.rows - 1);
                int ob = b * oc + outCol0 + 8 * g, oc1 = c * oc + outCol0 + 8 * g;
                boolean direct = whole && c > b;
                float[] to = direct ? o : part;
                int at0 = direct ? ob : 0, at1 = direct ? oc1 : 8;
                if (heap) groupDot2Heap(g, ap, a.rowOffset(b) / 2, a.rowOffset(c) / 2, as, ad, a.blockOffset(b), a.blockOffset(c), nb, to, at0, at1);
                else groupDot2(g, ap, a.rowOffset(b) / 2, a.rowOffset(c) / 2, as, ad, a.blockOffset(b), a.blockOffset(c), nb, to, at0, at1);
                if (direct) continue;
                for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) {
                    o[ob + l] = part[l];
                    o[oc1 + l] = part[8 + l];
                }
            }
        }
    }

    /** Rows without the repacked copy (with it, {@link #dotRows} never comes here). */
    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    /**
     * The repacked GEMV (llama.cpp's ggml_gemv_q4_0_8x8_q8_0 order): per row, one fma(block total, d_w * d_a, acc)
     * per block in block order, the block total an exact integer. Eight weight rows run in the 8 lanes, so the
     * fma runs lane-wise and no horizontal sum is needed; rows of [r0, r1) are written, whole groups computed.
     */
    private void groupDots(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        short[] ax = a.windowLanes();
        int[] as = a.windowBias();
        boolean heap = nibbles != null;
        float[] ad = a.d, o = out.data(), part = new float[8];
        int oc = out.cols(), nb = cols / 32;
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            for (int b = 0; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g;
                boolean whole = 8 * g >= r0 && 8 * g + 8 <= r1;
                float[] to = whole ? o : part;
                int at = whole ? ob : 0;
                if (heap) groupDotHeap(g, ax, a.rowOffset(b) * 8, as, ad, a.blockOffset(b), nb, to, at);
                else groupDot(g, ax, a.rowOffset(b) * 8, as, ad, a.blockOffset(b), nb, to, at);
                if (!whole) {
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) o[ob + l] = part[l];
                }
            }
        }
    }

    private static final IntVector NIBBLES = IntVector.broadcast(I, 0x000F000F);
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    /**
     * Half scales to floats in lanes, exactly and in 3 operations: a half sign-extended to an int and shifted left
     * by 13 has its exponent and mantissa where a float's low exponent bits and mantissa go and copies of its sign
     * in bits 28-31; masked with this, it is the float d * 2^-112 (normal and subnormal halves alike; not inf or
     * NaN, so a tensor with such a scale keeps the off-heap copy's float scales, see {@link #finiteScales}). The
     * kernels multiply it by d_a * 2^112, which is exact (|d_a| <= 65504 < 2^16, or inf/NaN either way), so the
     * product is the same float as ggml's d_w * d_a.
     */
    static final int HALF_BITS = 0x8FFFE000;
    /** {@link #HALF_BITS} in every lane: the kernels' operands are vectors ({@link #groupDot} says why). */
    private static final IntVector HALF_MASK = IntVector.broadcast(I, HALF_BITS);

    /**
     * Rows 8g..8g+7 (lanes) against one activation row, into {@code acc[ai..ai+7]}: per block the exact sum of
     * (q - 8) * a from 16-bit "window" products, then llama.cpp's fma(total, d_w * d_a, acc). Each weight int
     * (8 nibbles of one row) is shifted right by 0, 4, 8 and 12 bits as a 32-bit lane; each 16-bit half of the
     * shifted int then holds a window of 4 consecutive nibbles (n_i + 16 n_(i+1) + 256 n_(i+2) + 4096 n_(i+3)
     * modulo 2^16) and is multiplied by the coefficient pairs of {@link Activations#windowLanes}, chosen so that
     * all window terms but n_m * a_m cancel modulo 2^16 once a lane's two halves are added; with
     * {@link Activations#windowBias} the high half of the lane is then the exact block total (it fits a short).
     * That is 3 shifts, 4 multiplies and 4 adds per weight int, no masks: 99 instructions per block of 8 rows
     * x 32 instead of 123 for nibble extraction (masks and shifts per nibble field).
     *
     * <p>Shaped for C2: the 4 weight ints of a block unrolled in one loop body (an inner loop over them was
     * not unrolled and cost range-check pre-loops per block), written out without helper methods (past 18000
     * parse nodes C2 inlines only the JDK's force-inline methods: a helper call left there boxes every vector
     * it touches and the kernel ran at 2 GMAC/s), activations loaded as ready vectors (broadcasting pairs in the
     * kernel made C2 move each through a general register: 3 instructions per pair), and the accumulator kept in
     * the array rather than in a loop-carried vector, which C2 boxed on every block (a float[8] and a vector
     * object per block: the lab kernel ran at 11 instead of 19 GMAC/s).
     * <p>Shaped so it compiles without boxed vectors under {@code -XX:-UseTypeSpeculation} (which makes the session-10
     * boxing flake deterministic; KernelAllocationTest, docs/dev-notes/speed.md session 12): every operation is
     * {@code lanewise(op, vector)} (dispatched at this call site) rather than a convenience method ({@code add},
     * {@code mul(float)}, {@code fma}: final methods whose inner call is one site for every caller in the JVM, seeing
     * both vector shapes), scalars go in as broadcast vectors, conversions name their species ({@code
     * reinterpretShape(S, 0)}, {@code convertShape(I2F, F, 0)}), only {@code lanewise} results are stored, and the
     * accumulator is zeroed with {@code Arrays.fill}.
     */
    private void groupDot(int g, short[] ax, int xo, int[] bias, float[] ad, int bo, int nb, float[] acc, int ai) {
        MemorySegment m = packed;
        long p0 = (long) g * nb * GROUP_BLOCK_BYTES;
        java.util.Arrays.fill(acc, ai, ai + 8, 0f);
        for (int k = 0; k < nb; k++) {
            long p = p0 + (long) k * GROUP_BLOCK_BYTES;
            int x = xo + 256 * k;
            IntVector w0 = IntVector.fromMemorySegment(I, m, p + 32, ByteOrder.LITTLE_ENDIAN);
            IntVector w1 = IntVector.fromMemorySegment(I, m, p + 64, ByteOrder.LITTLE_ENDIAN);
            IntVector w2 = IntVector.fromMemorySegment(I, m, p + 96, ByteOrder.LITTLE_ENDIAN);
            IntVector w3 = IntVector.fromMemorySegment(I, m, p + 128, ByteOrder.LITTLE_ENDIAN);
            IntVector t = (IntVector) ShortVector.fromArray(S, ax, x).lanewise(VectorOperators.MUL, w0.reinterpretShape(S, 0))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 16).lanewise(VectorOperators.MUL, w0.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 32).lanewise(VectorOperators.MUL, w0.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 48).lanewise(VectorOperators.MUL, w0.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 64).lanewise(VectorOperators.MUL, w1.reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 80).lanewise(VectorOperators.MUL, w1.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 96).lanewise(VectorOperators.MUL, w1.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 112).lanewise(VectorOperators.MUL, w1.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 128).lanewise(VectorOperators.MUL, w2.reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 144).lanewise(VectorOperators.MUL, w2.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 160).lanewise(VectorOperators.MUL, w2.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 176).lanewise(VectorOperators.MUL, w2.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 192).lanewise(VectorOperators.MUL, w3.reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 208).lanewise(VectorOperators.MUL, w3.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 224).lanewise(VectorOperators.MUL, w3.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 240).lanewise(VectorOperators.MUL, w3.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .reinterpretShape(I, 0);
            IntVector total = t.lanewise(VectorOperators.ADD, t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ADD, IntVector.broadcast(I, bias[bo + k])).lanewise(VectorOperators.ASHR, 16);
            FloatVector dd = FloatVector.fromMemorySegment(F, m, p, ByteOrder.LITTLE_ENDIAN).lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ad[bo + k]));
            ((FloatVector) total.convertShape(VectorOperators.I2F, F, 0)).lanewise(VectorOperators.FMA, dd, FloatVector.fromArray(F, acc, ai)).intoArray(acc, ai);
        }
    }

    /**
     * {@link #groupDot} over the heap copy ({@link #nibbles}, {@link #halfScales}): the same operations, array loads,
     * the scales converted as {@link #HALF_BITS} explains.
     */
    private void groupDotHeap(int g, short[] ax, int xo, int[] bias, float[] ad, int bo, int nb, float[] acc, int ai) {
        int[] nib = nibbles;
        short[] hs = halfScales;
        int q0 = g * nb;
        java.util.Arrays.fill(acc, ai, ai + 8, 0f);
        for (int k = 0; k < nb; k++) {
            int q = q0 + k;
            int x = xo + 256 * k;
            IntVector w0 = IntVector.fromArray(I, nib, 32 * q);
            IntVector w1 = IntVector.fromArray(I, nib, 32 * q + 8);
            IntVector w2 = IntVector.fromArray(I, nib, 32 * q + 16);
            IntVector w3 = IntVector.fromArray(I, nib, 32 * q + 24);
            IntVector t = (IntVector) ShortVector.fromArray(S, ax, x).lanewise(VectorOperators.MUL, w0.reinterpretShape(S, 0))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 16).lanewise(VectorOperators.MUL, w0.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 32).lanewise(VectorOperators.MUL, w0.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 48).lanewise(VectorOperators.MUL, w0.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 64).lanewise(VectorOperators.MUL, w1.reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 80).lanewise(VectorOperators.MUL, w1.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 96).lanewise(VectorOperators.MUL, w1.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 112).lanewise(VectorOperators.MUL, w1.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 128).lanewise(VectorOperators.MUL, w2.reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 144).lanewise(VectorOperators.MUL, w2.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 160).lanewise(VectorOperators.MUL, w2.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 176).lanewise(VectorOperators.MUL, w2.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 192).lanewise(VectorOperators.MUL, w3.reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 208).lanewise(VectorOperators.MUL, w3.lanewise(VectorOperators.LSHR, 4).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 224).lanewise(VectorOperators.MUL, w3.lanewise(VectorOperators.LSHR, 8).reinterpretShape(S, 0)))
                    .lanewise(VectorOperators.ADD, ShortVector.fromArray(S, ax, x + 240).lanewise(VectorOperators.MUL, w3.lanewise(VectorOperators.LSHR, 12).reinterpretShape(S, 0)))
                    .reinterpretShape(I, 0);
            IntVector total = t.lanewise(VectorOperators.ADD, t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ADD, IntVector.broadcast(I, bias[bo + k])).lanewise(VectorOperators.ASHR, 16);
            FloatVector dd = ((FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, HALF_MASK).reinterpretShape(F, 0)).lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ad[bo + k] * 0x1p112f));
            ((FloatVector) total.convertShape(VectorOperators.I2F, F, 0)).lanewise(VectorOperators.FMA, dd, FloatVector.fromArray(F, acc, ai)).intoArray(acc, ai);
        }
    }

    /**
     * {@link #groupDotHeap} for two activation rows at once (their {@link Activations#windowLanes} at {@code x0}.., block
     * offsets {@code b0}.., results into {@code acc[a0..a0+7]}, ..): each weight int is loaded and shifted once for
     * all of them, and each row keeps its own exact block total and its own fma(total, d_w * d_a, acc) chain in
     * block order, exactly {@link #groupDotHeap}'s arithmetic. The 4 weight ints of a block run as an inner loop:
     * unrolled, the 4-row body was too large for C1 ("out of virtual registers"), and the method then never
     * reached C2 (Vector API code left interpreted: 0.1 GMAC/s).
     */
    private void windowDot2(int g, short[] ax, int x0, int x1, int[] bias, float[] ad,
                               int b0, int b1, int nb, float[] acc, int a0, int a1) {
        int[] nib = nibbles;
        short[] hs = halfScales;
        int q0 = g * nb;
        FloatVector.zero(F).intoArray(acc, a0);
        FloatVector.zero(F).intoArray(acc, a1);
        for (int k = 0; k < nb; k++) {
            int q = q0 + k;
            ShortVector s0 = ShortVector.zero(S), s1 = ShortVector.zero(S);
            for (int v = 0; v < 4; v++) {
                int y0 = x0 + 256 * k + 64 * v, y1 = x1 + 256 * k + 64 * v;
                IntVector w = IntVector.fromArray(I, nib, 32 * q + 8 * v);
                ShortVector e0 = w.reinterpretAsShorts();
                ShortVector e1 = w.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
                ShortVector e2 = w.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts();
                ShortVector e3 = w.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts();
                s0 = s0.add(e0.mul(ShortVector.fromArray(S, ax, y0 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y0 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y0 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y0 + 48))));
                s1 = s1.add(e0.mul(ShortVector.fromArray(S, ax, y1 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y1 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y1 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y1 + 48))));
            }
            FloatVector dw = (FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_BITS).reinterpretAsFloats();
            IntVector t0 = s0.reinterpretAsInts();
            ((FloatVector) t0.add(t0.lanewise(VectorOperators.LSHL, 16)).add(bias[b0 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b0 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a0)).intoArray(acc, a0);
            IntVector t1 = s1.reinterpretAsInts();
            ((FloatVector) t1.add(t1.lanewise(VectorOperators.LSHL, 16)).add(bias[b1 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b1 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a1)).intoArray(acc, a1);
        }
    }

    /**
     * {@link #groupDotHeap} for three activation rows at once (their {@link Activations#windowLanes} at {@code x0}.., block
     * offsets {@code b0}.., results into {@code acc[a0..a0+7]}, ..): each weight int is loaded and shifted once for
     * all of them, and each row keeps its own exact block total and its own fma(total, d_w * d_a, acc) chain in
     * block order, exactly {@link #groupDotHeap}'s arithmetic. The 4 weight ints of a block run as an inner loop:
     * unrolled, the 4-row body was too large for C1 ("out of virtual registers"), and the method then never
     * reached C2 (Vector API code left interpreted: 0.1 GMAC/s).
     */
    private void windowDot3(int g, short[] ax, int x0, int x1, int x2, int[] bias, float[] ad,
                               int b0, int b1, int b2, int nb, float[] acc, int a0, int a1, int a2) {
        int[] nib = nibbles;
        short[] hs = halfScales;
        int q0 = g * nb;
        FloatVector.zero(F).intoArray(acc, a0);
        FloatVector.zero(F).intoArray(acc, a1);
        FloatVector.zero(F).intoArray(acc, a2);
        for (int k = 0; k < nb; k++) {
            int q = q0 + k;
            ShortVector s0 = ShortVector.zero(S), s1 = ShortVector.zero(S), s2 = ShortVector.zero(S);
            for (int v = 0; v < 4; v++) {
                int y0 = x0 + 256 * k + 64 * v, y1 = x1 + 256 * k + 64 * v, y2 = x2 + 256 * k + 64 * v;
                IntVector w = IntVector.fromArray(I, nib, 32 * q + 8 * v);
                ShortVector e0 = w.reinterpretAsShorts();
                ShortVector e1 = w.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
                ShortVector e2 = w.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts();
                ShortVector e3 = w.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts();
                s0 = s0.add(e0.mul(ShortVector.fromArray(S, ax, y0 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y0 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y0 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y0 + 48))));
                s1 = s1.add(e0.mul(ShortVector.fromArray(S, ax, y1 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y1 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y1 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y1 + 48))));
                s2 = s2.add(e0.mul(ShortVector.fromArray(S, ax, y2 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y2 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y2 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y2 + 48))));
            }
            FloatVector dw = (FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_BITS).reinterpretAsFloats();
            IntVector t0 = s0.reinterpretAsInts();
            ((FloatVector) t0.add(t0.lanewise(VectorOperators.LSHL, 16)).add(bias[b0 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b0 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a0)).intoArray(acc, a0);
            IntVector t1 = s1.reinterpretAsInts();
            ((FloatVector) t1.add(t1.lanewise(VectorOperators.LSHL, 16)).add(bias[b1 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b1 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a1)).intoArray(acc, a1);
            IntVector t2 = s2.reinterpretAsInts();
            ((FloatVector) t2.add(t2.lanewise(VectorOperators.LSHL, 16)).add(bias[b2 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b2 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a2)).intoArray(acc, a2);
        }
    }

    /**
     * {@link #groupDotHeap} for four activation rows at once (their {@link Activations#windowLanes} at {@code x0}.., block
     * offsets {@code b0}.., results into {@code acc[a0..a0+7]}, ..): each weight int is loaded and shifted once for
     * all of them, and each row keeps its own exact block total and its own fma(total, d_w * d_a, acc) chain in
     * block order, exactly {@link #groupDotHeap}'s arithmetic. The 4 weight ints of a block run as an inner loop:
     * unrolled, the 4-row body was too large for C1 ("out of virtual registers"), and the method then never
     * reached C2 (Vector API code left interpreted: 0.1 GMAC/s).
     */
    private void windowDot4(int g, short[] ax, int x0, int x1, int x2, int x3, int[] bias, float[] ad,
                               int b0, int b1, int b2, int b3, int nb, float[] acc, int a0, int a1, int a2, int a3) {
        int[] nib = nibbles;
        short[] hs = halfScales;
        int q0 = g * nb;
        FloatVector.zero(F).intoArray(acc, a0);
        FloatVector.zero(F).intoArray(acc, a1);
        FloatVector.zero(F).intoArray(acc, a2);
        FloatVector.zero(F).intoArray(acc, a3);
        for (int k = 0; k < nb; k++) {
            int q = q0 + k;
            ShortVector s0 = ShortVector.zero(S), s1 = ShortVector.zero(S), s2 = ShortVector.zero(S), s3 = ShortVector.zero(S);
            for (int v = 0; v < 4; v++) {
                int y0 = x0 + 256 * k + 64 * v, y1 = x1 + 256 * k + 64 * v, y2 = x2 + 256 * k + 64 * v, y3 = x3 + 256 * k + 64 * v;
                IntVector w = IntVector.fromArray(I, nib, 32 * q + 8 * v);
                ShortVector e0 = w.reinterpretAsShorts();
                ShortVector e1 = w.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
                ShortVector e2 = w.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts();
                ShortVector e3 = w.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts();
                s0 = s0.add(e0.mul(ShortVector.fromArray(S, ax, y0 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y0 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y0 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y0 + 48))));
                s1 = s1.add(e0.mul(ShortVector.fromArray(S, ax, y1 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y1 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y1 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y1 + 48))));
                s2 = s2.add(e0.mul(ShortVector.fromArray(S, ax, y2 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y2 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y2 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y2 + 48))));
                s3 = s3.add(e0.mul(ShortVector.fromArray(S, ax, y3 + 0))
                        .add(e1.mul(ShortVector.fromArray(S, ax, y3 + 16)))
                        .add(e2.mul(ShortVector.fromArray(S, ax, y3 + 32)))
                        .add(e3.mul(ShortVector.fromArray(S, ax, y3 + 48))));
            }
            FloatVector dw = (FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_BITS).reinterpretAsFloats();
            IntVector t0 = s0.reinterpretAsInts();
            ((FloatVector) t0.add(t0.lanewise(VectorOperators.LSHL, 16)).add(bias[b0 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b0 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a0)).intoArray(acc, a0);
            IntVector t1 = s1.reinterpretAsInts();
            ((FloatVector) t1.add(t1.lanewise(VectorOperators.LSHL, 16)).add(bias[b1 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b1 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a1)).intoArray(acc, a1);
            IntVector t2 = s2.reinterpretAsInts();
            ((FloatVector) t2.add(t2.lanewise(VectorOperators.LSHL, 16)).add(bias[b2 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b2 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a2)).intoArray(acc, a2);
            IntVector t3 = s3.reinterpretAsInts();
            ((FloatVector) t3.add(t3.lanewise(VectorOperators.LSHL, 16)).add(bias[b3 + k]).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(ad[b3 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a3)).intoArray(acc, a3);
        }
    }

    /**
     * {@link #groupDot} for two activation rows (pairs ints at {@code xo0}, {@code xo1} of {@link Activations#shortPairs})
     * into {@code acc[a0..a0+7]} and {@code acc[a1..a1+7]}: the 16 nibble vectors of a block are extracted once for
     * both (lab, batch 16: 17.3 vs 12.6 GMAC/s one row at a time). The activation pairs are broadcast here
     * (no 16x expanded copy for a batch); same per-row arithmetic and fma order as {@link #groupDot}.
     */
    private void groupDot2(int g, int[] ap, int xo0, int xo1, int[] as, float[] ad, int bo0, int bo1, int nb, float[] acc, int a0, int a1) {
        MemorySegment m = packed;
        long p0 = (long) g * nb * GROUP_BLOCK_BYTES;
        FloatVector.zero(F).intoArray(acc, a0);
        FloatVector.zero(F).intoArray(acc, a1);
        for (int k = 0; k < nb; k++) {
            long p = p0 + (long) k * GROUP_BLOCK_BYTES;
            int x0 = xo0 + 16 * k, x1 = xo1 + 16 * k;
            IntVector w0 = IntVector.fromMemorySegment(I, m, p + 32, ByteOrder.LITTLE_ENDIAN);
            IntVector w1 = IntVector.fromMemorySegment(I, m, p + 64, ByteOrder.LITTLE_ENDIAN);
            IntVector w2 = IntVector.fromMemorySegment(I, m, p + 96, ByteOrder.LITTLE_ENDIAN);
            IntVector w3 = IntVector.fromMemorySegment(I, m, p + 128, ByteOrder.LITTLE_ENDIAN);
            // e<v><j>: nibble int v's field j (bits 4j..4j+3 of each 16-bit half), times shortPairs int v + 4j
            ShortVector e00 = w0.and(NIBBLES).reinterpretAsShorts();
            ShortVector e01 = w0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e02 = w0.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e03 = w0.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            ShortVector e10 = w1.and(NIBBLES).reinterpretAsShorts();
            ShortVector e11 = w1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e12 = w1.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e13 = w1.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            ShortVector e20 = w2.and(NIBBLES).reinterpretAsShorts();
            ShortVector e21 = w2.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e22 = w2.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e23 = w2.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            ShortVector e30 = w3.and(NIBBLES).reinterpretAsShorts();
            ShortVector e31 = w3.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e32 = w3.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e33 = w3.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            FloatVector dw = FloatVector.fromMemorySegment(F, m, p, ByteOrder.LITTLE_ENDIAN);
            {
                ShortVector s0 = e00.mul(IntVector.broadcast(I, ap[x0 + 0]).reinterpretAsShorts())
                        .add(e01.mul(IntVector.broadcast(I, ap[x0 + 4]).reinterpretAsShorts()))
                        .add(e10.mul(IntVector.broadcast(I, ap[x0 + 1]).reinterpretAsShorts()))
                        .add(e11.mul(IntVector.broadcast(I, ap[x0 + 5]).reinterpretAsShorts()))
                        .add(e20.mul(IntVector.broadcast(I, ap[x0 + 2]).reinterpretAsShorts()))
                        .add(e21.mul(IntVector.broadcast(I, ap[x0 + 6]).reinterpretAsShorts()))
                        .add(e30.mul(IntVector.broadcast(I, ap[x0 + 3]).reinterpretAsShorts()))
                        .add(e31.mul(IntVector.broadcast(I, ap[x0 + 7]).reinterpretAsShorts()));
                ShortVector s1 = e02.mul(IntVector.broadcast(I, ap[x0 + 8]).reinterpretAsShorts())
                        .add(e03.mul(IntVector.broadcast(I, ap[x0 + 12]).reinterpretAsShorts()))
                        .add(e12.mul(IntVector.broadcast(I, ap[x0 + 9]).reinterpretAsShorts()))
                        .add(e13.mul(IntVector.broadcast(I, ap[x0 + 13]).reinterpretAsShorts()))
                        .add(e22.mul(IntVector.broadcast(I, ap[x0 + 10]).reinterpretAsShorts()))
                        .add(e23.mul(IntVector.broadcast(I, ap[x0 + 14]).reinterpretAsShorts()))
                        .add(e32.mul(IntVector.broadcast(I, ap[x0 + 11]).reinterpretAsShorts()))
                        .add(e33.mul(IntVector.broadcast(I, ap[x0 + 15]).reinterpretAsShorts()));
                IntVector t = s0.add(s1).reinterpretAsInts();
                IntVector total = t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(t.lanewise(VectorOperators.ASHR, 16)).sub(8 * as[bo0 + k]);
                ((FloatVector) total.convert(VectorOperators.I2F, 0)).fma(dw.mul(ad[bo0 + k]), FloatVector.fromArray(F, acc, a0)).intoArray(acc, a0);
            }
            {
                ShortVector s0 = e00.mul(IntVector.broadcast(I, ap[x1 + 0]).reinterpretAsShorts())
                        .add(e01.mul(IntVector.broadcast(I, ap[x1 + 4]).reinterpretAsShorts()))
                        .add(e10.mul(IntVector.broadcast(I, ap[x1 + 1]).reinterpretAsShorts()))
                        .add(e11.mul(IntVector.broadcast(I, ap[x1 + 5]).reinterpretAsShorts()))
                        .add(e20.mul(IntVector.broadcast(I, ap[x1 + 2]).reinterpretAsShorts()))
                        .add(e21.mul(IntVector.broadcast(I, ap[x1 + 6]).reinterpretAsShorts()))
                        .add(e30.mul(IntVector.broadcast(I, ap[x1 + 3]).reinterpretAsShorts()))
                        .add(e31.mul(IntVector.broadcast(I, ap[x1 + 7]).reinterpretAsShorts()));
                ShortVector s1 = e02.mul(IntVector.broadcast(I, ap[x1 + 8]).reinterpretAsShorts())
                        .add(e03.mul(IntVector.broadcast(I, ap[x1 + 12]).reinterpretAsShorts()))
                        .add(e12.mul(IntVector.broadcast(I, ap[x1 + 9]).reinterpretAsShorts()))
                        .add(e13.mul(IntVector.broadcast(I, ap[x1 + 13]).reinterpretAsShorts()))
                        .add(e22.mul(IntVector.broadcast(I, ap[x1 + 10]).reinterpretAsShorts()))
                        .add(e23.mul(IntVector.broadcast(I, ap[x1 + 14]).reinterpretAsShorts()))
                        .add(e32.mul(IntVector.broadcast(I, ap[x1 + 11]).reinterpretAsShorts()))
                        .add(e33.mul(IntVector.broadcast(I, ap[x1 + 15]).reinterpretAsShorts()));
                IntVector t = s0.add(s1).reinterpretAsInts();
                IntVector total = t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(t.lanewise(VectorOperators.ASHR, 16)).sub(8 * as[bo1 + k]);
                ((FloatVector) total.convert(VectorOperators.I2F, 0)).fma(dw.mul(ad[bo1 + k]), FloatVector.fromArray(F, acc, a1)).intoArray(acc, a1);
            }
        }
    }

    /** {@link #groupDot2} over the heap copy ({@link #nibbles}, {@link #halfScales} as {@link #HALF_BITS}): the same operations, array loads. */
    private void groupDot2Heap(int g, int[] ap, int xo0, int xo1, int[] as, float[] ad, int bo0, int bo1, int nb, float[] acc, int a0, int a1) {
        int[] nib = nibbles;
        short[] hs = halfScales;
        int q0 = g * nb;
        FloatVector.zero(F).intoArray(acc, a0);
        FloatVector.zero(F).intoArray(acc, a1);
        for (int k = 0; k < nb; k++) {
            int q = q0 + k;
            int x0 = xo0 + 16 * k, x1 = xo1 + 16 * k;
            IntVector w0 = IntVector.fromArray(I, nib, 32 * q);
            IntVector w1 = IntVector.fromArray(I, nib, 32 * q + 8);
            IntVector w2 = IntVector.fromArray(I, nib, 32 * q + 16);
            IntVector w3 = IntVector.fromArray(I, nib, 32 * q + 24);
            // e<v><j>: nibble int v's field j (bits 4j..4j+3 of each 16-bit half), times shortPairs int v + 4j
            ShortVector e00 = w0.and(NIBBLES).reinterpretAsShorts();
            ShortVector e01 = w0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e02 = w0.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e03 = w0.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            ShortVector e10 = w1.and(NIBBLES).reinterpretAsShorts();
            ShortVector e11 = w1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e12 = w1.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e13 = w1.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            ShortVector e20 = w2.and(NIBBLES).reinterpretAsShorts();
            ShortVector e21 = w2.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e22 = w2.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e23 = w2.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            ShortVector e30 = w3.and(NIBBLES).reinterpretAsShorts();
            ShortVector e31 = w3.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts();
            ShortVector e32 = w3.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts();
            ShortVector e33 = w3.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts();
            FloatVector dw = (FloatVector) ((IntVector) ShortVector.fromArray(S8, hs, 8 * q).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_BITS).reinterpretAsFloats();
            {
                ShortVector s0 = e00.mul(IntVector.broadcast(I, ap[x0 + 0]).reinterpretAsShorts())
                        .add(e01.mul(IntVector.broadcast(I, ap[x0 + 4]).reinterpretAsShorts()))
                        .add(e10.mul(IntVector.broadcast(I, ap[x0 + 1]).reinterpretAsShorts()))
                        .add(e11.mul(IntVector.broadcast(I, ap[x0 + 5]).reinterpretAsShorts()))
                        .add(e20.mul(IntVector.broadcast(I, ap[x0 + 2]).reinterpretAsShorts()))
                        .add(e21.mul(IntVector.broadcast(I, ap[x0 + 6]).reinterpretAsShorts()))
                        .add(e30.mul(IntVector.broadcast(I, ap[x0 + 3]).reinterpretAsShorts()))
                        .add(e31.mul(IntVector.broadcast(I, ap[x0 + 7]).reinterpretAsShorts()));
                ShortVector s1 = e02.mul(IntVector.broadcast(I, ap[x0 + 8]).reinterpretAsShorts())
                        .add(e03.mul(IntVector.broadcast(I, ap[x0 + 12]).reinterpretAsShorts()))
                        .add(e12.mul(IntVector.broadcast(I, ap[x0 + 9]).reinterpretAsShorts()))
                        .add(e13.mul(IntVector.broadcast(I, ap[x0 + 13]).reinterpretAsShorts()))
                        .add(e22.mul(IntVector.broadcast(I, ap[x0 + 10]).reinterpretAsShorts()))
                        .add(e23.mul(IntVector.broadcast(I, ap[x0 + 14]).reinterpretAsShorts()))
                        .add(e32.mul(IntVector.broadcast(I, ap[x0 + 11]).reinterpretAsShorts()))
                        .add(e33.mul(IntVector.broadcast(I, ap[x0 + 15]).reinterpretAsShorts()));
                IntVector t = s0.add(s1).reinterpretAsInts();
                IntVector total = t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(t.lanewise(VectorOperators.ASHR, 16)).sub(8 * as[bo0 + k]);
                ((FloatVector) total.convert(VectorOperators.I2F, 0)).fma(dw.mul(ad[bo0 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a0)).intoArray(acc, a0);
            }
            {
                ShortVector s0 = e00.mul(IntVector.broadcast(I, ap[x1 + 0]).reinterpretAsShorts())
                        .add(e01.mul(IntVector.broadcast(I, ap[x1 + 4]).reinterpretAsShorts()))
                        .add(e10.mul(IntVector.broadcast(I, ap[x1 + 1]).reinterpretAsShorts()))
                        .add(e11.mul(IntVector.broadcast(I, ap[x1 + 5]).reinterpretAsShorts()))
                        .add(e20.mul(IntVector.broadcast(I, ap[x1 + 2]).reinterpretAsShorts()))
                        .add(e21.mul(IntVector.broadcast(I, ap[x1 + 6]).reinterpretAsShorts()))
                        .add(e30.mul(IntVector.broadcast(I, ap[x1 + 3]).reinterpretAsShorts()))
                        .add(e31.mul(IntVector.broadcast(I, ap[x1 + 7]).reinterpretAsShorts()));
                ShortVector s1 = e02.mul(IntVector.broadcast(I, ap[x1 + 8]).reinterpretAsShorts())
                        .add(e03.mul(IntVector.broadcast(I, ap[x1 + 12]).reinterpretAsShorts()))
                        .add(e12.mul(IntVector.broadcast(I, ap[x1 + 9]).reinterpretAsShorts()))
                        .add(e13.mul(IntVector.broadcast(I, ap[x1 + 13]).reinterpretAsShorts()))
                        .add(e22.mul(IntVector.broadcast(I, ap[x1 + 10]).reinterpretAsShorts()))
                        .add(e23.mul(IntVector.broadcast(I, ap[x1 + 14]).reinterpretAsShorts()))
                        .add(e32.mul(IntVector.broadcast(I, ap[x1 + 11]).reinterpretAsShorts()))
                        .add(e33.mul(IntVector.broadcast(I, ap[x1 + 15]).reinterpretAsShorts()));
                IntVector t = s0.add(s1).reinterpretAsInts();
                IntVector total = t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(t.lanewise(VectorOperators.ASHR, 16)).sub(8 * as[bo1 + k]);
                ((FloatVector) total.convert(VectorOperators.I2F, 0)).fma(dw.mul(ad[bo1 + k] * 0x1p112f), FloatVector.fromArray(F, acc, a1)).intoArray(acc, a1);
            }
        }
    }

    /**
     * Batches: two 8-row weight groups at a time decoded into 16-bit nibble pairs with the rows in lanes
     * ({@link #decodeShortsHeap}: 16 shorts per pair step, 8 x cols shorts per group, in L2), then every activation
     * row against them four rows per {@link #shortTile4x2} call, 16-bit multiply-adds on exact integers
     * (each short lane sums 16 products of at most 15 * 127), then per block the exact total of (q - 8) * a
     * and fma(total, d_w * d_a, acc) in block order ({@link #shortTotals}).
     */
    private void shortTiles(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int nb = cols / 32, oc = out.cols(), last = a.rows - 1, chunks = (a.rows + 3) / 4;
        ShortScratch ss = SHORT_SCRATCH.get().fit(cols, a.rows);
        short[] t = ss.weights;
        float[] ts = ss.scales, res = ss.results, ad = a.d, o = out.data();
        int[] sums = ss.sums, ap = a.shortPairs(), as = a.blockSums();
        boolean heap = nibbles != null;
        int g1 = (r1 + 7) >> 3, t1 = 8 * cols, ts1 = cols / 4;
        for (int g = r0 >> 3; g < g1; g += 2) {
            int h = Math.min(g + 1, g1 - 1);
            java.util.Arrays.fill(res, 0, 64 * chunks, 0f);
            if (heap) {
                decodeShortsHeap(g, nb, t, 0, ts, 0);
                decodeShortsHeap(h, nb, t, t1, ts, ts1);
            } else {
                decodeShorts(g, nb, t, 0, ts, 0);
                decodeShorts(h, nb, t, t1, ts, ts1);
            }
            for (int c = 0; c < chunks; c++) {
                int b = 4 * c, b1 = Math.min(b + 1, last), b2 = Math.min(b + 2, last), b3 = Math.min(b + 3, last);
                shortTile4x2(t, t1, ap, a.rowOffset(b) / 2, a.rowOffset(b1) / 2, a.rowOffset(b2) / 2, a.rowOffset(b3) / 2, nb, sums);
                shortTotals(sums, ts, ts1, as, ad, a.blockOffset(b), a.blockOffset(b1), a.blockOffset(b2), a.blockOffset(b3), nb, res, 64 * c);
            }
            int l0 = Math.max(0, r0 - 8 * g), l1 = Math.min(h > g ? 16 : 8, r1 - 8 * g);
            for (int b = 0; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g, ri = 64 * (b >> 2) + 8 * (b & 3);
                for (int l = l0; l < l1; l++) o[ob + l] = res[ri + (l < 8 ? l : 24 + l)];
            }
        }
    }

    /** A thread's two decoded weight groups ({@link #shortTiles}), their scales, block sums and accumulators. */
    private static final class ShortScratch {
        short[] weights = new short[0];
        float[] scales = new float[0], results = new float[0];
        int[] sums = new int[0];

        ShortScratch fit(int cols, int batchRows) {
            if (weights.length < 16 * cols) {
                weights = new short[16 * cols];
                scales = new float[cols / 2];
                sums = new int[2 * cols];
            }
            int n = 16 * ((batchRows + 3) & ~3);
            if (results.length < n) results = new float[n];
            return this;
        }
    }

    private static final ThreadLocal<ShortScratch> SHORT_SCRATCH = ThreadLocal.withInitial(ShortScratch::new);

    /**
     * Group g of the heap copy as 16-bit nibbles (0..15), 16 shorts per pair step: t[t0 + 256k + 16p + 2l + h]
     * is row 8g + l's nibble paired with {@link Activations#shortPairs} int 16k + p (half h), p = v + 4j for
     * nibble int v's 4-bit field j; ts[ts0 + 8k + l] the block's scale.
     */
    private void decodeShortsHeap(int g, int nb, short[] t, int t0, float[] ts, int ts0) {
        int[] nib = nibbles;
        for (int k = 0; k < nb; k++) {
            int q = g * nb + k;
            for (int v = 0; v < 4; v++) {
                IntVector n = IntVector.fromArray(I, nib, 32 * q + 8 * v);
                int ti = t0 + 256 * k + 16 * v;
                n.and(NIBBLES).reinterpretAsShorts().intoArray(t, ti);
                n.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts().intoArray(t, ti + 64);
                n.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts().intoArray(t, ti + 128);
                n.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts().intoArray(t, ti + 192);
            }
            ((FloatVector) ((IntVector) ShortVector.fromArray(S8, halfScales, 8 * q).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_BITS).reinterpretAsFloats()).mul(0x1p112f).intoArray(ts, ts0 + 8 * k);
        }
    }

    /** {@link #decodeShortsHeap} from the off-heap copy. */
    private void decodeShorts(int g, int nb, short[] t, int t0, float[] ts, int ts0) {
        MemorySegment m = packed;
        for (int k = 0; k < nb; k++) {
            long p = ((long) g * nb + k) * GROUP_BLOCK_BYTES;
            for (int v = 0; v < 4; v++) {
                IntVector n = IntVector.fromMemorySegment(I, m, p + 32 + 32 * v, ByteOrder.LITTLE_ENDIAN);
                int ti = t0 + 256 * k + 16 * v;
                n.and(NIBBLES).reinterpretAsShorts().intoArray(t, ti);
                n.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts().intoArray(t, ti + 64);
                n.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts().intoArray(t, ti + 128);
                n.lanewise(VectorOperators.LSHR, 12).and(NIBBLES).reinterpretAsShorts().intoArray(t, ti + 192);
            }
            FloatVector.fromMemorySegment(F, m, p, ByteOrder.LITTLE_ENDIAN).intoArray(ts, ts0 + 8 * k);
        }
    }

    /**
     * Two decoded short groups (the second at {@code t1}) against 4 activation rows' {@link Activations#shortPairs}
     * (ints at x0..x3): per block, 16 steps of 16-bit multiply-adds, the raw 16-bit sums stored as ints in
     * {@code sums[64k + 8i + l]} (first group, row i) and {@code sums[64k + 32 + 8i + l]} (second group). Only
     * sums here: the totals' fma chains in the same method ran C2 out of registers in the float tiles.
     */
    private static void shortTile4x2(short[] t, int t1, int[] ap, int x0, int x1, int x2, int x3, int nb, int[] sums) {
        for (int k = 0; k < nb; k++) {
            ShortVector s0 = ShortVector.zero(S), s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
            int ti = 256 * k, tj = t1 + ti, xk = 16 * k;
            for (int p = 0; p < 16; p++) {
                ShortVector w = ShortVector.fromArray(S, t, ti + 16 * p), v = ShortVector.fromArray(S, t, tj + 16 * p);
                ShortVector a0 = IntVector.broadcast(I, ap[x0 + xk + p]).reinterpretAsShorts();
                ShortVector a1 = IntVector.broadcast(I, ap[x1 + xk + p]).reinterpretAsShorts();
                s0 = w.mul(a0).add(s0);
                u0 = v.mul(a0).add(u0);
                s1 = w.mul(a1).add(s1);
                u1 = v.mul(a1).add(u1);
                ShortVector a2 = IntVector.broadcast(I, ap[x2 + xk + p]).reinterpretAsShorts();
                ShortVector a3 = IntVector.broadcast(I, ap[x3 + xk + p]).reinterpretAsShorts();
                s2 = w.mul(a2).add(s2);
                u2 = v.mul(a2).add(u2);
                s3 = w.mul(a3).add(s3);
                u3 = v.mul(a3).add(u3);
            }
            int o = 64 * k;
            s0.reinterpretAsInts().intoArray(sums, o);
            s1.reinterpretAsInts().intoArray(sums, o + 8);
            s2.reinterpretAsInts().intoArray(sums, o + 16);
            s3.reinterpretAsInts().intoArray(sums, o + 24);
            u0.reinterpretAsInts().intoArray(sums, o + 32);
            u1.reinterpretAsInts().intoArray(sums, o + 40);
            u2.reinterpretAsInts().intoArray(sums, o + 48);
            u3.reinterpretAsInts().intoArray(sums, o + 56);
        }
    }

    /**
     * {@link #shortTile4x2}'s sums to totals: per lane the two 16-bit halves added, minus 8 * (the block's activation
     * sum), the exact sum of (q - 8) * a; then res = fma(total, d_w * d_a, res) per block in block order.
     */
    private static void shortTotals(int[] sums, float[] ts, int ts1, int[] as, float[] ad, int d0, int d1, int d2, int d3, int nb, float[] res, int r) {
        for (int k = 0; k < nb; k++) {
            FloatVector dw = FloatVector.fromArray(F, ts, 8 * k), dv = FloatVector.fromArray(F, ts, ts1 + 8 * k);
            int o = 64 * k;
            float e0 = ad[d0 + k], e1 = ad[d1 + k], e2 = ad[d2 + k], e3 = ad[d3 + k];
            int m0 = 8 * as[d0 + k], m1 = 8 * as[d1 + k], m2 = 8 * as[d2 + k], m3 = 8 * as[d3 + k];
            IntVector t;
            t = IntVector.fromArray(I, sums, o);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m0).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(e0), FloatVector.fromArray(F, res, r)).intoArray(res, r);
            t = IntVector.fromArray(I, sums, o + 8);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m1).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(e1), FloatVector.fromArray(F, res, r + 8)).intoArray(res, r + 8);
            t = IntVector.fromArray(I, sums, o + 16);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m2).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(e2), FloatVector.fromArray(F, res, r + 16)).intoArray(res, r + 16);
            t = IntVector.fromArray(I, sums, o + 24);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m3).convert(VectorOperators.I2F, 0))
                    .fma(dw.mul(e3), FloatVector.fromArray(F, res, r + 24)).intoArray(res, r + 24);
            t = IntVector.fromArray(I, sums, o + 32);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m0).convert(VectorOperators.I2F, 0))
                    .fma(dv.mul(e0), FloatVector.fromArray(F, res, r + 32)).intoArray(res, r + 32);
            t = IntVector.fromArray(I, sums, o + 40);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m1).convert(VectorOperators.I2F, 0))
                    .fma(dv.mul(e1), FloatVector.fromArray(F, res, r + 40)).intoArray(res, r + 40);
            t = IntVector.fromArray(I, sums, o + 48);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m2).convert(VectorOperators.I2F, 0))
                    .fma(dv.mul(e2), FloatVector.fromArray(F, res, r + 48)).intoArray(res, r + 48);
            t = IntVector.fromArray(I, sums, o + 56);
            ((FloatVector) t.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(t.lanewise(VectorOperators.ASHR, 16)).sub(m3).convert(VectorOperators.I2F, 0))
                    .fma(dv.mul(e3), FloatVector.fromArray(F, res, r + 56)).intoArray(res, r + 56);
        }
    }

    /** {@link #groupDots}' arithmetic for one row (the lane of its group), in scalar code. */
    private float packedDot(int row, Activations a, int b) {
        int xo = a.rowOffset(b), bo = a.blockOffset(b);
        float acc = 0f;
        for (int k = 0; k < cols / 32; k++) {
            int sum = 0;
            for (int j = 0; j < 16; j++) {
                int q = quantByte(row, k, j);
                sum += ((q & 0x0F) - 8) * a.qBytes[xo + 32 * k + j] + ((q >>> 4) - 8) * a.qBytes[xo + 32 * k + j + 16];
            }
            acc = Math.fma((float) sum, scale(row, k) * a.d[bo + k], acc);
        }
        return acc;
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < cols / 32; k++) {
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = quantByte(row, k, j);
                sumi += ((q & 0x0F) - 8) * a.qBytes[xo + k * 32 + j];
                sumi += ((q >>> 4) - 8) * a.qBytes[xo + k * 32 + j + 16];
            }
            sum += sumi * (scale(row, k) * a.d[bo + k]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        for (int k = 0; k < cols / 32; k++) {
            float d = scale(row, k);
            for (int j = 0; j < 16; j++) {
                int q = quantByte(row, k, j);
                out[offset + k * 32 + j] = d * ((q & 0x0F) - 8);
                out[offset + k * 32 + j + 16] = d * ((q >>> 4) - 8);
            }
        }
    }
}
