package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_1 weights (blocks of 32: half scale d, half minimum m, 16 bytes of nibbles; value = d * nibble + m)
 * with Q8_1 activations, as ggml_vec_dot_q4_1_q8_1: d_w*d_a*sum(q_w*q_a) + m_w*s_a per block.
 *
 * <p>The tensor is repacked at load time (the mapped bytes are not read again) with 8 rows interleaved per
 * block, as llama.cpp's block_q4_0x8 does for Q4_0, so that the matrix-vector kernel runs 8 rows in the 8
 * lanes. Per 8-row group and block k (in group-then-block order): the 8 rows' d as floats (fp16 to fp32 is
 * exact, so d_w * d_a is ggml's value), their 8 m, then 4 vectors v of 8 ints where lane l holds quads 2v and
 * 2v+1 (elements 8v..8v+7) of row l's block as a0|a1<<4|b0<<8|b1<<12|a2<<16|a3<<20|b2<<24|b3<<28. Each quad's
 * two weight-pair vectors for the 32-bit multiply trick are then a shift and a mask away: quad 2v = v &
 * 0x000F000F, (v >>> 4) & ..; quad 2v+1 = (v >>> 8) & .., (v >>> 12) & ... Two products per 32-bit multiply:
 * a weight int holding w0 + (w2 << 16) times an activation int a2 + (a0 << 16) (see {@link Activations#pairs})
 * has w0*a0 + w2*a2 in bits 16-31 and w0*a2 (|.| < 2^15) below; adding the w1/w3 product and 2^15 then
 * shifting by 16 leaves the quad's exact sum. The last group of a row count that is not a multiple of 8 is
 * zero-padded (its padding rows are computed, never written). 24 bytes per row and block.
 *
 * <p>The copy lives on the heap ({@link #quants}, {@link #halfScales}) while the Q4_1 copies fit a quarter of
 * the max heap, off the heap ({@link #packed}, same order) beyond that, so that a multi-GB model still loads with
 * the default heap. Heap arrays stream faster (lab: the GEMV at ~17-18 vs ~13-14 GMAC/s on a native segment);
 * each storage has its own kernel method so that the segment reads' type profile stays monomorphic. The heap
 * copy keeps the file's half scales and minimums (20 bytes per row and block, as the file: decode streams every
 * weight byte once per token, and float scales were 20% more bytes) and converts them in the lanes exactly
 * ({@link #HALF_BITS}).
 */
public final class Q4_1Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK_BYTES = 20;
    private static final int PAIR_MASK = 0x000F000F;
    /** Bytes of one 8-row group's block in {@link #packed}: 8 d, 8 m (floats), 32 nibble ints. */
    private static final int GROUP_BLOCK = 192;


    /** Activation rows from which a partial group of 8 is cheaper in {@link Q4_1BatchKernel} (lab: 5-6). */
    static final int GROUP_MIN = 6;
    /**
     * At 512 bits, rows from which a partial group of 16 is cheaper in the batch kernel's 16-row tile than
     * {@link #dotEachWide} (lab, 1536x576: 14 rows 538 vs 628 us, 12 rows padded to 16 would cost about 16's
     * 553 us vs 500-554); a whole or partial 8-row group alone is cheaper there too (8 rows 354 vs 397 us).
     */
    static final int WIDE_GROUP_MIN = 13;

    /** How many of a batch's first rows go through {@link Q4_1BatchKernel}; the rest one or two at a time. */
    static int groupedRows(int rows) {
        if (VectorWidth.WIDE) return rows % 16 >= WIDE_GROUP_MIN ? rows : rows / 16 * 16;
        return rows % 8 >= GROUP_MIN ? rows : rows / 8 * 8;
    }
    private final int nb;
    /** The heap copy's nibble ints (null off-heap): vector v of group g's block k at 32 * (g * nb + k) + 8v. */
    private final int[] quants;
    /**
     * The heap copy's scales and minimums (null off-heap), the file's half bits: lane l of group g's block k at
     * 8 * (g * nb + k) + l holds row 8g + l's d in bits 0-15 and its m in bits 16-31.
     */
    private final int[] halfScales;
    /** The off-heap copy (null on the heap): group g's block k at 192 * (g * nb + k), its 16 floats then 32 ints. */
    private final MemorySegment packed;

    public Q4_1Matrix(String name, int rows, int cols, MemorySegment data) {
        this(name, rows, cols, data, true);
    }

    /**
     * With {@code heapAllowed} false the copy goes off the heap whatever {@link HeapBudget} says (tests run both
     * kernels). The heap copy needs its arrays indexable by int, scales that convert in lanes (a tensor with an
     * infinite or NaN scale or minimum goes off the heap: {@link #HALF_BITS} does not convert those) and room in
     * the budget; the tensor's scales are scanned once, and only when the copy could go on the heap.
     */
    Q4_1Matrix(String name, int rows, int cols, MemorySegment data, boolean heapAllowed) {
        super(name, GgmlType.Q4_1, rows, cols, data);
        nb = cols / 32;
        long blocks = (long) ((rows + 7) / 8) * nb;
        long heapBytes = 160 * blocks; // per 8-row group and block 32 nibble ints and 8 scale ints
        boolean heap = heapAllowed && 32 * blocks <= Integer.MAX_VALUE - 64
                && finiteScales(data, rows, cols) && HeapBudget.reserve(this, heapBytes);
        if (heap) {
            quants = new int[Math.toIntExact(32 * blocks)];
            halfScales = new int[Math.toIntExact(8 * blocks) + 8]; // + 8: the 512-bit kernel loads 16 ints per block
            packed = null;
        } else {
            quants = null;
            halfScales = null;
            packed = Arena.ofAuto().allocate(GROUP_BLOCK * blocks, 64);
        }
        repack();
    }

    /** True when no block of the tensor has an infinite or NaN half as its scale or minimum. */
    private static boolean finiteScales(MemorySegment data, int rows, int cols) {
        long blocks = (long) rows * (cols / 32);
        for (long b = 0; b < blocks; b++) {
            int dm = data.get(INT_LE, b * BLOCK_BYTES);
            if ((dm & 0x7C00) == 0x7C00 || (dm & 0x7C000000) == 0x7C000000) return false;
        }
        return true;
    }

    /** True when the copy is on the heap. */
    boolean onHeap() { return quants != null; }

    private void repack() {
        int[] q = new int[32];
        for (int r = 0; r < rows; r++) {
            int l = r & 7;
            for (int k = 0; k < nb; k++) {
                long p = r * rowBytes + (long) k * BLOCK_BYTES, gb = (long) (r >> 3) * nb + k;
                for (int t = 0; t < 16; t++) {
                    int b = data.get(ValueLayout.JAVA_BYTE, p + 4 + t) & 0xFF;
                    q[t] = b & 0x0F;
                    q[t + 16] = b >>> 4;
                }
                if (quants != null) {
                    halfScales[(int) (8 * gb) + l] = data.get(INT_LE, p); // d | m << 16, the file's halves
                } else {
                    packed.set(FLOAT_LE, GROUP_BLOCK * gb + 4L * l, half(p));
                    packed.set(FLOAT_LE, GROUP_BLOCK * gb + 32 + 4L * l, half(p + 2));
                }
                for (int v = 0; v < 4; v++) {
                    int a = 8 * v, b = a + 4;
                    int x = q[a] | q[a + 1] << 4 | q[b] << 8 | q[b + 1] << 12
                            | q[a + 2] << 16 | q[a + 3] << 20 | q[b + 2] << 24 | q[b + 3] << 28;
                    if (quants != null) {
                        quants[(int) (32 * gb) + 8 * v + l] = x;
                    } else {
                        packed.set(INT_LE, GROUP_BLOCK * gb + 64 + 32L * v + 4L * l, x);
                    }
                }
            }
        }
    }

    /** Nibble vector v of group g's block k, lane l = row 8g + l. */
    private int nibbleInt(int g, int k, int v, int l) {
        long gb = (long) g * nb + k;
        return quants != null ? quants[(int) (32 * gb) + 8 * v + l] : packed.get(INT_LE, GROUP_BLOCK * gb + 64 + 32L * v + 4L * l);
    }

    /** Float f (0..15: 8 d then 8 m) of group g's block k. */
    private float scaleFloat(int g, int k, int f) {
        long gb = (long) g * nb + k;
        if (quants == null) return packed.get(FLOAT_LE, GROUP_BLOCK * gb + 4L * f);
        int dm = halfScales[(int) (8 * gb) + (f & 7)];
        return Float.float16ToFloat((short) (f < 8 ? dm : dm >>> 16));
    }

    /** Element i (0..31) of block k of row r, from the repacked copy. */
    private int nibble(int r, int k, int i) {
        int v = nibbleInt(r >> 3, k, i >> 3, r & 7);
        int e = i & 3; // a0 a1 at bits 0, 4; a2 a3 at 16, 20; the odd quad 8 bits higher
        int shift = (e < 2 ? 4 * e : 16 + 4 * (e - 2)) + 8 * ((i >> 2) & 1);
        return (v >>> shift) & 0x0F;
    }

    private float scale(int r, int k) { return scaleFloat(r >> 3, k, r & 7); }

    private float min(int r, int k) { return scaleFloat(r >> 3, k, 8 + (r & 7)); }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_1; }

    /** Kernels, dotReference and dequantizeRow read only the repacked copy. */
    @Override
    public boolean repacked() { return true; }

    /**
     * Half scales to floats in lanes, exactly: a half sign-extended into bits 13-28 of an int (bits 29-31 copies
     * of its sign) and masked with this is the float h * 2^-112 (normal and subnormal halves alike; not inf or NaN,
     * which keep the off-heap copy, see {@link #finiteScales}). For the d half in bits 0-15 that is
     * (x << 16) >> 3 (arithmetic), for the m half in bits 16-31 x >> 3. The kernels multiply by the activation's
     * d_a * 2^112 (and s_a * 2^112), exact since Q8_1's d and s are halves (|.| <= 65504): the products are the same
     * real numbers as ggml's d_w * d_a and m_w * s_a, so they round to the same floats (the fma alike).
     */
    private static final int HALF_BITS = 0x8FFFE000;

    /*
     * Every kernel below calls lanewise(op, vector) rather than the convenience methods (add, mul, and(int), fma ...),
     * gives scalar operands as vectors (shift counts too: lanewise(LSHR, int) is one of those methods; it boxed in a
     * fresh JVM of the launcher's flags), and stores only results of lanewise or rearrange (x + -0 == x for every float x
     * where a load or a reinterpretation would be stored). Why: the convenience methods are final methods of
     * FloatVector/IntVector that dispatch through one call site inside the JDK, whose receiver profile is shared by
     * every caller in the JVM and sees both Float256Vector and Float512Vector once 256- and 512-bit kernels run in one
     * JVM; when C2 has no speculative type for the receiver (under -XX:-UseTypeSpeculation always, otherwise in some
     * fresh JVMs) that bimorphic site boxes the vectors. lanewise(op, vector) is implemented by each vector class and
     * dispatched at the caller's own call site, whose profile sees one class (speed.md, session 12 jit;
     * KernelAllocationTest). Integer adds and multiplies give the same bits either way; the float operations are the
     * same operations in the same order.
     */
    private static final IntVector PAIRS = IntVector.broadcast(I, PAIR_MASK), HALF = IntVector.broadcast(I, HALF_BITS),
            ROUND = IntVector.broadcast(I, 0x8000);
    private static final FloatVector NEG_ZERO = FloatVector.broadcast(F, -0f);
    /** Shift counts as vectors (see above). */
    private static final IntVector BY3 = IntVector.broadcast(I, 3), BY4 = IntVector.broadcast(I, 4), BY8 = IntVector.broadcast(I, 8), BY12 = IntVector.broadcast(I, 12), BY16 = IntVector.broadcast(I, 16);

    /** Rows 8g..8g+7 against activation row b into out[oo..oo+7], on whichever storage the copy has. */
    private void groupDot(int g, Activations a, int b, float[] out, int oo) {
        if (quants != null) {
            groupDotHeap(g, a.pairs, a.rowOffset(b) / 2, a.d, a.s, a.blockOffset(b), out, oo);
        } else {
            groupDotSegment(g, a.pairs, a.rowOffset(b) / 2, a.d, a.s, a.blockOffset(b), out, oo);
        }
    }

    /**
     * Rows 8g..8g+7 (in the lanes) against one activation row (pairs from {@code xo}, scales and sums from
     * {@code bo}) into out[oo..oo+7], each lane exactly ggml_vec_dot_q4_1_q8_1's arithmetic for its row: ggml
     * lane j's chain fma(quad_j, d_w * d_a, acc_j) in block order (register c_j), the min chain fma(m, s, sum) in
     * block order, then hsum_float_8(acc) + sum as vector adds across the c_j.
     *
     * <p>Shaped for C2 (speed.md, sessions 4-5): one pass over the group's blocks with all 8 lanes' accumulators
     * as locals (no per-section passes), the block body unrolled and written without helper calls (past C2's
     * NodeCountInliningCutoff a helper is left as a call and every vector it touches is boxed), no vector crossing
     * a method boundary (the result goes to {@code out}).
     */
    private void groupDotHeap(int g, int[] x, int xo, float[] ad, float[] as, int bo, float[] out, int oo) {
        int[] q = quants;
        int[] s = halfScales;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, mins = c0;
        for (int k = 0; k < nb; k++) {
            int gb = g * nb + k, p = 32 * gb, xi = xo + 16 * k;
            IntVector dm = IntVector.fromArray(I, s, 8 * gb);
            FloatVector dd = ((FloatVector) dm.lanewise(VectorOperators.LSHL, BY16).lanewise(VectorOperators.ASHR, BY3)
                    .lanewise(VectorOperators.AND, HALF).reinterpretAsFloats()).lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ad[bo + k] * 0x1p112f));
            mins = ((FloatVector) dm.lanewise(VectorOperators.ASHR, BY3).lanewise(VectorOperators.AND, HALF).reinterpretAsFloats())
                    .lanewise(VectorOperators.FMA, FloatVector.broadcast(F, as[bo + k] * 0x1p112f), mins);
            IntVector w0 = IntVector.fromArray(I, q, p);
            IntVector w1 = IntVector.fromArray(I, q, p + 8);
            IntVector w2 = IntVector.fromArray(I, q, p + 16);
            IntVector w3 = IntVector.fromArray(I, q, p + 24);
            c0 = ((FloatVector) w0.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 0])
                    .lanewise(VectorOperators.ADD, w0.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 8]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c0);
            c1 = ((FloatVector) w0.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 1])
                    .lanewise(VectorOperators.ADD, w0.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 9]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c1);
            c2 = ((FloatVector) w1.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 2])
                    .lanewise(VectorOperators.ADD, w1.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 10]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c2);
            c3 = ((FloatVector) w1.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 3])
                    .lanewise(VectorOperators.ADD, w1.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 11]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c3);
            c4 = ((FloatVector) w2.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 4])
                    .lanewise(VectorOperators.ADD, w2.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 12]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c4);
            c5 = ((FloatVector) w2.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 5])
                    .lanewise(VectorOperators.ADD, w2.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 13]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c5);
            c6 = ((FloatVector) w3.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 6])
                    .lanewise(VectorOperators.ADD, w3.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 14]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c6);
            c7 = ((FloatVector) w3.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 7])
                    .lanewise(VectorOperators.ADD, w3.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 15]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c7);
        }
        c0.lanewise(VectorOperators.ADD, c4).lanewise(VectorOperators.ADD, c2.lanewise(VectorOperators.ADD, c6)).lanewise(VectorOperators.ADD, c1.lanewise(VectorOperators.ADD, c5).lanewise(VectorOperators.ADD, c3.lanewise(VectorOperators.ADD, c7))).lanewise(VectorOperators.ADD, mins).intoArray(out, oo);
    }

    /** {@link #groupDotHeap} on the off-heap copy. */
    private void groupDotSegment(int g, int[] x, int xo, float[] ad, float[] as, int bo, float[] out, int oo) {
        MemorySegment m = packed;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, mins = c0;
        for (int k = 0; k < nb; k++) {
            long p = GROUP_BLOCK * ((long) g * nb + k);
            int xi = xo + 16 * k;
            FloatVector dd = FloatVector.fromMemorySegment(F, m, p, ByteOrder.LITTLE_ENDIAN).lanewise(VectorOperators.MUL, FloatVector.broadcast(F, ad[bo + k]));
            mins = FloatVector.fromMemorySegment(F, m, p + 32, ByteOrder.LITTLE_ENDIAN).lanewise(VectorOperators.FMA, FloatVector.broadcast(F, as[bo + k]), mins);
            IntVector w0 = IntVector.fromMemorySegment(I, m, p + 64, ByteOrder.LITTLE_ENDIAN);
            IntVector w1 = IntVector.fromMemorySegment(I, m, p + 96, ByteOrder.LITTLE_ENDIAN);
            IntVector w2 = IntVector.fromMemorySegment(I, m, p + 128, ByteOrder.LITTLE_ENDIAN);
            IntVector w3 = IntVector.fromMemorySegment(I, m, p + 160, ByteOrder.LITTLE_ENDIAN);
            c0 = ((FloatVector) w0.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 0])
                    .lanewise(VectorOperators.ADD, w0.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 8]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c0);
            c1 = ((FloatVector) w0.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 1])
                    .lanewise(VectorOperators.ADD, w0.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 9]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c1);
            c2 = ((FloatVector) w1.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 2])
                    .lanewise(VectorOperators.ADD, w1.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 10]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c2);
            c3 = ((FloatVector) w1.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 3])
                    .lanewise(VectorOperators.ADD, w1.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 11]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c3);
            c4 = ((FloatVector) w2.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 4])
                    .lanewise(VectorOperators.ADD, w2.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 12]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c4);
            c5 = ((FloatVector) w2.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 5])
                    .lanewise(VectorOperators.ADD, w2.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 13]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c5);
            c6 = ((FloatVector) w3.lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 6])
                    .lanewise(VectorOperators.ADD, w3.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 14]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c6);
            c7 = ((FloatVector) w3.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 7])
                    .lanewise(VectorOperators.ADD, w3.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).lanewise(VectorOperators.MUL, x[xi + 15]))
                    .lanewise(VectorOperators.ADD, ROUND).lanewise(VectorOperators.ASHR, BY16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c7);
        }
        c0.lanewise(VectorOperators.ADD, c4).lanewise(VectorOperators.ADD, c2.lanewise(VectorOperators.ADD, c6)).lanewise(VectorOperators.ADD, c1.lanewise(VectorOperators.ADD, c5).lanewise(VectorOperators.ADD, c3.lanewise(VectorOperators.ADD, c7))).lanewise(VectorOperators.ADD, mins).intoArray(out, oo);
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[8]);

    @Override
    public float dot(int row, Activations a, int b) {
        float[] lanes = LANES.get();
        groupDot(row >> 3, a, b, lanes, 0);
        return lanes[row & 7];
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        dotEach(r0, r1, a, 0, out, outCol0);
    }

    /** Activation rows b0.. one at a time at this machine's width ({@link VectorWidth#WIDE}). */
    private void dotEach(int r0, int r1, Activations a, int b0, FloatBatch out, int outCol0) {
        if (VectorWidth.WIDE && quants != null) dotEachWide(r0, r1, a, b0, out, outCol0);
        else dotEachNarrow(r0, r1, a, b0, out, outCol0);
    }

    /** Activation rows b0.. one at a time, 8 weight rows per pass; rows of [r0, r1) are written. */
    void dotEachNarrow(int r0, int r1, Activations a, int b0, FloatBatch out, int outCol0) {
        float[] o = out.data(), part = LANES.get();
        int oc = out.cols();
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            boolean whole = 8 * g >= r0 && 8 * g + 8 <= r1;
            for (int b = b0; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g;
                if (whole) {
                    groupDot(g, a, b, o, ob);
                } else {
                    groupDot(g, a, b, part, 0);
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) o[ob + l] = part[l];
                }
            }
        }
    }

    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    /** One block's 8 half-scale ints (lanes 0-7 of a 16-int load) in both halves. */
    private static final VectorShuffle<Integer> LOW_TWICE = VectorShuffle.fromOp(I16, i -> i & 7);
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(F16, i -> i ^ 8);
    private static final VectorMask<Float> LOW_HALF = VectorMask.fromLong(F16, 0xFF);
    /** The 512-bit kernels' operand vectors (see {@link #PAIRS}). */
    private static final IntVector PAIRS16 = IntVector.broadcast(I16, PAIR_MASK), HALF16 = IntVector.broadcast(I16, HALF_BITS),
            ROUND16 = IntVector.broadcast(I16, 0x8000);
    private static final IntVector BY3_16 = IntVector.broadcast(I16, 3), BY4_16 = IntVector.broadcast(I16, 4), BY8_16 = IntVector.broadcast(I16, 8), BY12_16 = IntVector.broadcast(I16, 12), BY16_16 = IntVector.broadcast(I16, 16);
    /**
     * {@link #widePairs}' 8 shuffles of a block's 16 activation pair ints: vector u = 4h + 2p + e (h: nibble
     * ints 0-1 or 2-3, p: even or odd quad, e: first or second product) takes pair j = 8e + 4h + p into lanes
     * 0-7 and pair j + 2 into lanes 8-15.
     */
    private static final VectorShuffle<Integer> X0 = wideShuffle(0), X1 = wideShuffle(1), X2 = wideShuffle(2),
            X3 = wideShuffle(3), X4 = wideShuffle(4), X5 = wideShuffle(5), X6 = wideShuffle(6), X7 = wideShuffle(7);

    private static VectorShuffle<Integer> wideShuffle(int u) {
        int j = 8 * (u & 1) + 4 * (u >> 2) + ((u >> 1) & 1);
        return VectorShuffle.fromOp(I16, i -> i < 8 ? j : j + 2);
    }

    /** A thread's {@link #widePairs} and partial-group lanes for {@link #dotEachWide}. */
    private static final class WideScratch {
        int[] pairs = new int[0];
        final float[] lanes = new float[16];
    }

    private static final ThreadLocal<WideScratch> WIDE_SCRATCH = ThreadLocal.withInitial(WideScratch::new);

    /**
     * {@link #dotEachNarrow} with 512-bit vectors (heap copy only): lane l of a 16-lane vector does what lane l
     * of the 8-lane kernel does for ggml lane j and lane 8 + l what it does for ggml lane j + 2, so that one
     * 16-int load holds a block's nibble ints v and v + 1 as stored and every lane keeps its order. The
     * activation pairs those lanes multiply differ per half: each activation row's are spread once per call
     * ({@link #widePairs}) for all the weight groups.
     */
    void dotEachWide(int r0, int r1, Activations a, int b0, FloatBatch out, int outCol0) {
        WideScratch ws = WIDE_SCRATCH.get();
        int n = a.rows - b0, per = 128 * nb;
        if (ws.pairs.length < n * per) ws.pairs = new int[n * per];
        int[] wx = ws.pairs;
        for (int b = b0; b < a.rows; b++) widePairs(a.pairs, a.rowOffset(b) / 2, nb, wx, (b - b0) * per);
        float[] o = out.data(), part = ws.lanes;
        int oc = out.cols();
        if (n == 1) {
            dotOneWide(r0, r1, a, b0, wx, o, b0 * oc + outCol0, part);
            return;
        }
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            boolean whole = 8 * g >= r0 && 8 * g + 8 <= r1;
            int b = b0;
            for (; whole && b + 2 <= a.rows; b += 2) {
                int ob = b * oc + outCol0 + 8 * g, xo = (b - b0) * per;
                groupDotWide2(quants, halfScales, g, nb, wx, xo, xo + per, a.d, a.s, a.blockOffset(b), a.blockOffset(b + 1),
                        o, ob, ob + oc);
            }
            for (; b < a.rows; b++) {
                int ob = b * oc + outCol0 + 8 * g, xo = (b - b0) * per;
                if (whole) {
                    groupDotWide(quants, halfScales, g, nb, wx, xo, a.d, a.s, a.blockOffset(b), o, ob);
                } else {
                    groupDotWide(quants, halfScales, g, nb, wx, xo, a.d, a.s, a.blockOffset(b), part, 0);
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) o[ob + l] = part[l];
                }
            }
        }
    }

    /**
     * {@link #dotEachWide} for a single activation row (b0, its spread pairs at wx[0..)) into o[oo + r]: the whole
     * groups of [r0, r1) in pairs half the range apart ({@link #groupDotWidePair}, two weight streams read in
     * lockstep), an odd one and cut groups alone. Decode streams the weights from L3 or memory, and one stream per
     * core left it waiting (lab, SmolLM2's 30 layers of Q4_1, 1 thread: 13.5-16.5 -> 19.8-22.2 GMAC/s; one layer in
     * L2 19.3 -> 23.2: the pair also shares the activation loads).
     */
    private void dotOneWide(int r0, int r1, Activations a, int b0, int[] wx, float[] o, int oo, float[] part) {
        int w0 = (r0 + 7) >> 3, w1 = r1 >> 3, pairs = Math.max(0, w1 - w0) / 2, bo = a.blockOffset(b0);
        for (int i = 0; i < pairs; i++) {
            int ga = w0 + i, gb = ga + pairs;
            groupDotWidePair(quants, halfScales, ga, gb, nb, wx, a.d, a.s, bo, o, oo + 8 * ga, oo + 8 * gb);
        }
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            if (g >= w0 && g < w0 + 2 * pairs) continue;
            if (g >= w0 && g < w1) {
                groupDotWide(quants, halfScales, g, nb, wx, 0, a.d, a.s, bo, o, oo + 8 * g);
            } else {
                groupDotWide(quants, halfScales, g, nb, wx, 0, a.d, a.s, bo, part, 0);
                for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) o[oo + 8 * g + l] = part[l];
            }
        }
    }

    /** One activation row's pairs (from {@code po}, nb blocks of 16) spread for {@link #groupDotWide}: 128 ints per block. */
    private static void widePairs(int[] pairs, int po, int nb, int[] out, int oo) {
        for (int k = 0; k < nb; k++) {
            IntVector p = IntVector.fromArray(I16, pairs, po + 16 * k);
            int o = oo + 128 * k;
            p.rearrange(X0).intoArray(out, o);
            p.rearrange(X1).intoArray(out, o + 16);
            p.rearrange(X2).intoArray(out, o + 32);
            p.rearrange(X3).intoArray(out, o + 48);
            p.rearrange(X4).intoArray(out, o + 64);
            p.rearrange(X5).intoArray(out, o + 80);
            p.rearrange(X6).intoArray(out, o + 96);
            p.rearrange(X7).intoArray(out, o + 112);
        }
    }

    /**
     * {@link #groupDotHeap} in 16 lanes: register c0 holds ggml lanes 0 | 2 of the 8 rows, c1 1 | 3, c2 4 | 6,
     * c3 5 | 7, the min chain is computed in both halves; the end adds the halves in hsum_float_8's order
     * ((c0 + c4) + (c2 + c6)) + ((c1 + c5) + (c3 + c7)) + mins and stores the low 8 lanes.
     */
    private static void groupDotWide(int[] q, int[] s, int g, int nb, int[] x, int xo, float[] ad, float[] as, int bo,
                                     float[] out, int oo) {
        FloatVector c0 = FloatVector.zero(F16), c1 = c0, c2 = c0, c3 = c0, mins = c0;
        for (int k = 0; k < nb; k++) {
            int gb = g * nb + k, p = 32 * gb, xi = xo + 128 * k;
            IntVector dm = IntVector.fromArray(I16, s, 8 * gb).rearrange(LOW_TWICE);
            FloatVector dd = ((FloatVector) dm.lanewise(VectorOperators.LSHL, BY16_16).lanewise(VectorOperators.ASHR, BY3_16)
                    .lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats()).lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ad[bo + k] * 0x1p112f));
            mins = ((FloatVector) dm.lanewise(VectorOperators.ASHR, BY3_16).lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats())
                    .lanewise(VectorOperators.FMA, FloatVector.broadcast(F16, as[bo + k] * 0x1p112f), mins);
            IntVector w01 = IntVector.fromArray(I16, q, p);
            IntVector w23 = IntVector.fromArray(I16, q, p + 16);
            c0 = ((FloatVector) w01.lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi))
                    .lanewise(VectorOperators.ADD, w01.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 16)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c0);
            c1 = ((FloatVector) w01.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 32))
                    .lanewise(VectorOperators.ADD, w01.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 48)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c1);
            c2 = ((FloatVector) w23.lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 64))
                    .lanewise(VectorOperators.ADD, w23.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 80)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c2);
            c3 = ((FloatVector) w23.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 96))
                    .lanewise(VectorOperators.ADD, w23.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xi + 112)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd, c3);
        }
        FloatVector t = c0.lanewise(VectorOperators.ADD, c2), u = c1.lanewise(VectorOperators.ADD, c3);
        t.lanewise(VectorOperators.ADD, t.rearrange(SWAP_HALVES)).lanewise(VectorOperators.ADD, u.lanewise(VectorOperators.ADD, u.rearrange(SWAP_HALVES))).lanewise(VectorOperators.ADD, mins).intoArray(out, oo, LOW_HALF);
    }

    /**
     * {@link #groupDotWide} for two weight groups ga and gb against one activation row (spread pairs from 0), each
     * group with its own accumulators in {@link #groupDotWide}'s order; the activation loads and scale products are
     * shared. Written out in full (no helper calls: see {@link #groupDotHeap}).
     */
    private static void groupDotWidePair(int[] q, int[] s, int ga, int gb, int nb, int[] x, float[] ad, float[] as, int bo,
                                         float[] out, int ooa, int oob) {
        FloatVector a0 = FloatVector.zero(F16), a1 = a0, a2 = a0, a3 = a0, ma = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, mb = a0;
        for (int k = 0; k < nb; k++) {
            int ka = ga * nb + k, kb = gb * nb + k, pa = 32 * ka, pb = 32 * kb, xi = 128 * k;
            float dx = ad[bo + k] * 0x1p112f;
            FloatVector sx = FloatVector.broadcast(F16, as[bo + k] * 0x1p112f);
            IntVector dma = IntVector.fromArray(I16, s, 8 * ka).rearrange(LOW_TWICE);
            IntVector dmb = IntVector.fromArray(I16, s, 8 * kb).rearrange(LOW_TWICE);
            FloatVector dda = ((FloatVector) dma.lanewise(VectorOperators.LSHL, BY16_16).lanewise(VectorOperators.ASHR, BY3_16)
                    .lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats()).lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, dx));
            FloatVector ddb = ((FloatVector) dmb.lanewise(VectorOperators.LSHL, BY16_16).lanewise(VectorOperators.ASHR, BY3_16)
                    .lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats()).lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, dx));
            ma = ((FloatVector) dma.lanewise(VectorOperators.ASHR, BY3_16).lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats()).lanewise(VectorOperators.FMA, sx, ma);
            mb = ((FloatVector) dmb.lanewise(VectorOperators.ASHR, BY3_16).lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats()).lanewise(VectorOperators.FMA, sx, mb);
            IntVector wa = IntVector.fromArray(I16, q, pa), wb = IntVector.fromArray(I16, q, pb);
            IntVector x0 = IntVector.fromArray(I16, x, xi), x1 = IntVector.fromArray(I16, x, xi + 16);
            a0 = ((FloatVector) wa.lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x0).lanewise(VectorOperators.ADD, wa.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x1))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dda, a0);
            b0 = ((FloatVector) wb.lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x0).lanewise(VectorOperators.ADD, wb.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x1))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, ddb, b0);
            IntVector x2 = IntVector.fromArray(I16, x, xi + 32), x3 = IntVector.fromArray(I16, x, xi + 48);
            a1 = ((FloatVector) wa.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x2)
                    .lanewise(VectorOperators.ADD, wa.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x3))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dda, a1);
            b1 = ((FloatVector) wb.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x2)
                    .lanewise(VectorOperators.ADD, wb.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x3))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, ddb, b1);
            IntVector va = IntVector.fromArray(I16, q, pa + 16), vb = IntVector.fromArray(I16, q, pb + 16);
            IntVector x4 = IntVector.fromArray(I16, x, xi + 64), x5 = IntVector.fromArray(I16, x, xi + 80);
            a2 = ((FloatVector) va.lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x4).lanewise(VectorOperators.ADD, va.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x5))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dda, a2);
            b2 = ((FloatVector) vb.lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x4).lanewise(VectorOperators.ADD, vb.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x5))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, ddb, b2);
            IntVector x6 = IntVector.fromArray(I16, x, xi + 96), x7 = IntVector.fromArray(I16, x, xi + 112);
            a3 = ((FloatVector) va.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x6)
                    .lanewise(VectorOperators.ADD, va.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x7))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dda, a3);
            b3 = ((FloatVector) vb.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x6)
                    .lanewise(VectorOperators.ADD, vb.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16).lanewise(VectorOperators.MUL, x7))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, ddb, b3);
        }
        FloatVector t = a0.lanewise(VectorOperators.ADD, a2), u = a1.lanewise(VectorOperators.ADD, a3);
        t.lanewise(VectorOperators.ADD, t.rearrange(SWAP_HALVES)).lanewise(VectorOperators.ADD, u.lanewise(VectorOperators.ADD, u.rearrange(SWAP_HALVES))).lanewise(VectorOperators.ADD, ma).intoArray(out, ooa, LOW_HALF);
        FloatVector tb = b0.lanewise(VectorOperators.ADD, b2), ub = b1.lanewise(VectorOperators.ADD, b3);
        tb.lanewise(VectorOperators.ADD, tb.rearrange(SWAP_HALVES)).lanewise(VectorOperators.ADD, ub.lanewise(VectorOperators.ADD, ub.rearrange(SWAP_HALVES))).lanewise(VectorOperators.ADD, mb).intoArray(out, oob, LOW_HALF);
    }

    /**
     * {@link #groupDotWide} for 2 activation rows at once (x offsets in the spread pairs, block offsets, outputs):
     * the weight loads, nibble extraction and half-scale conversion are shared, each row keeps its own
     * accumulators and lanes in {@link #groupDotWide}'s order. (4 rows at once was too large for C1: "out of
     * virtual registers", left interpreted.)
     */
    private static void groupDotWide2(int[] q, int[] s, int g, int nb, int[] x, int xo0, int xo1,
                                      float[] ad, float[] as, int bo0, int bo1, float[] out, int oo0, int oo1) {
        FloatVector c00 = FloatVector.zero(F16), c10 = c00, c20 = c00, c30 = c00, c01 = c00, c11 = c00, c21 = c00, c31 = c00;
        FloatVector m0 = c00, m1 = c00;
        for (int k = 0; k < nb; k++) {
            int gb = g * nb + k, p = 32 * gb, xk = 128 * k;
            IntVector dm = IntVector.fromArray(I16, s, 8 * gb).rearrange(LOW_TWICE);
            FloatVector hd = (FloatVector) dm.lanewise(VectorOperators.LSHL, BY16_16).lanewise(VectorOperators.ASHR, BY3_16).lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats();
            FloatVector hm = (FloatVector) dm.lanewise(VectorOperators.ASHR, BY3_16).lanewise(VectorOperators.AND, HALF16).reinterpretAsFloats();
            FloatVector dd0 = hd.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ad[bo0 + k] * 0x1p112f));
            FloatVector dd1 = hd.lanewise(VectorOperators.MUL, FloatVector.broadcast(F16, ad[bo1 + k] * 0x1p112f));
            m0 = hm.lanewise(VectorOperators.FMA, FloatVector.broadcast(F16, as[bo0 + k] * 0x1p112f), m0);
            m1 = hm.lanewise(VectorOperators.FMA, FloatVector.broadcast(F16, as[bo1 + k] * 0x1p112f), m1);
            IntVector w01 = IntVector.fromArray(I16, q, p), w23 = IntVector.fromArray(I16, q, p + 16);
            IntVector e0a = w01.lanewise(VectorOperators.AND, PAIRS16), e0b = w01.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16);
            c00 = ((FloatVector) e0a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 0)).lanewise(VectorOperators.ADD, e0b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 16)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd0, c00);
            c01 = ((FloatVector) e0a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 0)).lanewise(VectorOperators.ADD, e0b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 16)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd1, c01);
            IntVector e1a = w01.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16), e1b = w01.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16);
            c10 = ((FloatVector) e1a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 32)).lanewise(VectorOperators.ADD, e1b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 48)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd0, c10);
            c11 = ((FloatVector) e1a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 32)).lanewise(VectorOperators.ADD, e1b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 48)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd1, c11);
            IntVector e2a = w23.lanewise(VectorOperators.AND, PAIRS16), e2b = w23.lanewise(VectorOperators.LSHR, BY4_16).lanewise(VectorOperators.AND, PAIRS16);
            c20 = ((FloatVector) e2a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 64)).lanewise(VectorOperators.ADD, e2b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 80)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd0, c20);
            c21 = ((FloatVector) e2a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 64)).lanewise(VectorOperators.ADD, e2b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 80)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd1, c21);
            IntVector e3a = w23.lanewise(VectorOperators.LSHR, BY8_16).lanewise(VectorOperators.AND, PAIRS16), e3b = w23.lanewise(VectorOperators.LSHR, BY12_16).lanewise(VectorOperators.AND, PAIRS16);
            c30 = ((FloatVector) e3a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 96)).lanewise(VectorOperators.ADD, e3b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo0 + xk + 112)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd0, c30);
            c31 = ((FloatVector) e3a.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 96)).lanewise(VectorOperators.ADD, e3b.lanewise(VectorOperators.MUL, IntVector.fromArray(I16, x, xo1 + xk + 112)))
                    .lanewise(VectorOperators.ADD, ROUND16).lanewise(VectorOperators.ASHR, BY16_16).convert(VectorOperators.I2F, 0)).lanewise(VectorOperators.FMA, dd1, c31);
        }
        FloatVector t0 = c00.lanewise(VectorOperators.ADD, c20), u0 = c10.lanewise(VectorOperators.ADD, c30);
        t0.lanewise(VectorOperators.ADD, t0.rearrange(SWAP_HALVES)).lanewise(VectorOperators.ADD, u0.lanewise(VectorOperators.ADD, u0.rearrange(SWAP_HALVES))).lanewise(VectorOperators.ADD, m0).intoArray(out, oo0, LOW_HALF);
        FloatVector t1 = c01.lanewise(VectorOperators.ADD, c21), u1 = c11.lanewise(VectorOperators.ADD, c31);
        t1.lanewise(VectorOperators.ADD, t1.rearrange(SWAP_HALVES)).lanewise(VectorOperators.ADD, u1.lanewise(VectorOperators.ADD, u1.rearrange(SWAP_HALVES))).lanewise(VectorOperators.ADD, m1).intoArray(out, oo1, LOW_HALF);
    }

    /**
     * Batches: groups of 8 (16 at 512 bits) activation rows go through {@link Q4_1BatchKernel}, and so does a
     * last partial group of at least {@link #GROUP_MIN} ({@link #WIDE_GROUP_MIN}) rows; fewer rows are cheaper
     * one at a time (a group's cost does not shrink with its row count), see {@link #groupedRows}.
     */
    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int grouped = groupedRows(a.rows);
        if (grouped > 0) Q4_1BatchKernel.dotRows(this, r0, r1, a, grouped, out, outCol0);
        if (grouped < a.rows) dotEach(r0, r1, a, grouped, out, outCol0);
    }

    /**
     * Group g's weight-pair ints for {@link Q4_1BatchKernel}, rows in the lanes: per block k and quad j,
     * out[8 * (16k + j) + l] = w[4j] + (w[4j+2] << 16) and out[8 * (16k + 8 + j) + l] = w[4j+1] + (w[4j+3] << 16)
     * of row 8g + l, each int's bits stored as a float (never NaN: at most 0x000F000F), which the kernel broadcasts
     * as a float and reinterprets: C2 folds a float array load into vbroadcastss, while an int array element went
     * through a general register (vmovd + vpbroadcastd, one more vector instruction for each of 8 per block and row).
     */
    void groupPairs(int g, float[] out) {
        if (quants != null) {
            groupPairsHeap(quants, 32 * g * nb, nb, out);
            return;
        }
        for (int k = 0; k < nb; k++) {
            long gb = (long) g * nb + k;
            for (int v = 0; v < 4; v++) {
                IntVector w = IntVector.fromMemorySegment(I, packed, GROUP_BLOCK * gb + 64 + 32L * v, ByteOrder.LITTLE_ENDIAN);
                int o = 8 * (16 * k + 2 * v);
                w.lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o);
                w.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 64);
                w.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 8);
                w.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 72);
            }
        }
    }

    /**
     * {@link #groupPairs} from the heap copy (the group's nibble ints from {@code q[base]}), with int offsets and
     * one storage only: the shared version (long offsets, both storages in the loop) cost ~1.3 ms per token of a
     * batch-8 decode of SmolLM2, a fifth of the batch kernel's time (lab, session 7).
     */
    private static void groupPairsHeap(int[] q, int base, int nb, float[] out) {
        if (q.length < base + 32 * nb || out.length < 128 * nb) throw new IllegalArgumentException("Q4_1 group out of range");
        for (int k = 0; k < nb; k++) {
            int p = base + 32 * k, o = 128 * k;
            IntVector w0 = IntVector.fromArray(I, q, p), w1 = IntVector.fromArray(I, q, p + 8);
            IntVector w2 = IntVector.fromArray(I, q, p + 16), w3 = IntVector.fromArray(I, q, p + 24);
            w0.lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o);
            w0.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 64);
            w0.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 8);
            w0.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 72);
            w1.lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 16);
            w1.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 80);
            w1.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 24);
            w1.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 88);
            w2.lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 32);
            w2.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 96);
            w2.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 40);
            w2.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 104);
            w3.lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 48);
            w3.lanewise(VectorOperators.LSHR, BY4).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 112);
            w3.lanewise(VectorOperators.LSHR, BY8).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 56);
            w3.lanewise(VectorOperators.LSHR, BY12).lanewise(VectorOperators.AND, PAIRS).reinterpretAsFloats().lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, o + 120);
        }
    }

    /**
     * Group g's scales and minimums as {@link Q4_1BatchKernel} reads them, into {@code out} (16 * nb floats): per
     * block k the 8 rows' d at [16k + l] and their m 8 further, copied (off the heap) or converted exactly (the
     * heap copy's halves, {@link #HALF_BITS} times 2^112), once per 8 weight rows of a batch.
     */
    void groupScales(int g, float[] out) {
        if (quants != null) {
            groupScalesHeap(halfScales, 8 * g * nb, nb, out);
            return;
        }
        for (int k = 0; k < nb; k++) {
            long gb = (long) g * nb + k;
            FloatVector.fromMemorySegment(F, packed, GROUP_BLOCK * gb, ByteOrder.LITTLE_ENDIAN).lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, 16 * k);
            FloatVector.fromMemorySegment(F, packed, GROUP_BLOCK * gb + 32, ByteOrder.LITTLE_ENDIAN).lanewise(VectorOperators.ADD, NEG_ZERO).intoArray(out, 16 * k + 8);
        }
    }

    /** {@link #groupScales} from the heap copy's halves (group's at {@code hs[base]}). */
    private static void groupScalesHeap(int[] hs, int base, int nb, float[] out) {
        if (hs.length < base + 8 * nb || out.length < 16 * nb) throw new IllegalArgumentException("Q4_1 group out of range");
        for (int k = 0; k < nb; k++) {
            IntVector dm = IntVector.fromArray(I, hs, base + 8 * k);
            ((FloatVector) dm.lanewise(VectorOperators.LSHL, BY16).lanewise(VectorOperators.ASHR, BY3).lanewise(VectorOperators.AND, HALF)
                    .reinterpretAsFloats()).lanewise(VectorOperators.MUL, FloatVector.broadcast(F, 0x1p112f)).intoArray(out, 16 * k);
            ((FloatVector) dm.lanewise(VectorOperators.ASHR, BY3).lanewise(VectorOperators.AND, HALF).reinterpretAsFloats()).lanewise(VectorOperators.MUL, FloatVector.broadcast(F, 0x1p112f))
                    .intoArray(out, 16 * k + 8);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < nb; k++) {
            int sumi = 0;
            for (int i = 0; i < 32; i++) sumi += nibble(row, k, i) * a.qBytes[xo + k * 32 + i];
            sum += sumi * (scale(row, k) * a.d[bo + k]) + min(row, k) * a.s[bo + k];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        for (int k = 0; k < nb; k++) {
            float d = scale(row, k), m = min(row, k);
            for (int i = 0; i < 32; i++) out[offset + k * 32 + i] = d * nibble(row, k, i) + m;
        }
    }
}
