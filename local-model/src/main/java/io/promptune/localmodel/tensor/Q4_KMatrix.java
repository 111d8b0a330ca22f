package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import io.promptune.localmodel.quant.QuantFormats;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_K weights (super-blocks of 256: half d, half dmin, 12 bytes of 6-bit sub-block scales and mins,
 * 128 bytes of nibbles) with Q8_K activations, as ggml_vec_dot_q4_K_q8_K: per super-block
 * d*d_a*sum_j(scale_j * sum(q*a)) - dmin*d_a*sum_j(min_j * bsum_j); see {@link KQuantMatrix}.
 *
 * <p>For rows % 8 == 0 llama.cpp (AVX2) repacks Q4_K into block_q4_Kx8 and uses ggml_gemv/gemm_q4_K_8x8_q8_K,
 * whose float order differs from the vec_dot: per row and super-block one exact integer total
 * sum_j(scale_j * dot_j) and one sum_j(min_j * bsum_j), accumulated as acc = fma(total, d * d_a, acc) and
 * accm = fma(mins, dmin * d_a, accm), the result acc - accm (no lanes, no horizontal sum). Its GEMM (a batch's
 * rows in whole fours) does the same per pair of sub-blocks (64 values: 4 fma per super-block and chain).
 * Such matrices are repacked at load time too ({@link #packed}), 8 rows in the 8 lanes of {@link #gemvHeap}.
 */
public final class Q4_KMatrix extends KQuantMatrix {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Offsets in a group's super-block of the copy (see {@link #packed}): scale ints, nibble ints. */
    private static final int SCALES = 64, NIBBLE_BYTES = 160;

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final int BLOCK_BYTES = 144;
    /** Bytes of a super-block of 8 rows in the copy: 8 float d, 8 float dmin, 3 x 8 scale ints, 4 x 8 x 8 nibble ints. */
    private static final int GROUP_BLOCK_BYTES = 32 + 32 + 96 + 1024;
    private static final int NIBBLES = 0x000F000F;

    /**
     * For rows % 8 == 0, the tensor repacked at load time: super-block k of rows 8g..8g+7 at
     * (g * blocks + k) * GROUP_BLOCK_BYTES holds the 8 rows' d as floats (row order; exact, and the kernels load
     * them as one vector: a half conversion in lanes was a method C2 did not inline, boxing its result), their
     * 8 dmin as floats, then 3 x 8 ints (int 8t + l = scale bytes 4t..4t+3 of row 8g+l), then 4 x 8 x 8 ints
     * (int 64h + 8v + l = nibble bytes 32h + 4v..32h + 4v + 3 of row 8g+l): 3% more than the file's bytes. Null
     * otherwise, or if a d/dmin is infinite or NaN (kept to the file's bytes, read in place with the vec_dot order).
     */
    private final MemorySegment packed;
    /**
     * The same copy in a heap byte[] when it fits {@link HeapBudget} (then {@link #packed} is a heap segment over
     * it, for the batch kernel and the rare per-row readers): the GEMV streams it faster than the off-heap copy
     * (the loads' range checks hoist; segment loads kept a checkIndex each). Null for the off-heap copy.
     */
    private final byte[] heap;
    /** Where the copy starts in {@link #heap} (a shared slab, see {@link RepackedLanes#heapRegion}). */
    private final int heapBase;

    public Q4_KMatrix(String name, int rows, int cols, MemorySegment data) {
        this(name, rows, cols, data, true);
    }

    /** With {@code heapAllowed} false the repacked copy is off-heap whatever {@link HeapBudget} says (tests of both kernels). */
    Q4_KMatrix(String name, int rows, int cols, MemorySegment data, boolean heapAllowed) {
        super(name, GgmlType.Q4_K, rows, cols, data, Mins.FOUR_LANES);
        long bytes = (long) rows / 8 * (cols / QK) * GROUP_BLOCK_BYTES;
        boolean onHeap = rows % 8 == 0 && heapAllowed && bytes < Integer.MAX_VALUE - 64 && HeapBudget.reserve(this, bytes);
        RepackedLanes.HeapRegion h = onHeap ? RepackedLanes.heapRegion(bytes) : null;
        this.packed = rows % 8 != 0 ? null
                : repack(onHeap ? h.segment(bytes) : Arena.ofAuto().allocate(bytes, 32), data, rows, cols, rowBytes);
        this.heap = packed != null && onHeap ? h.array() : null;
        this.heapBase = onHeap ? h.base() : 0;
    }

    @Override
    public boolean repacked() { return packed != null; }

    /** True when the repacked copy is the heap one (tests). */
    boolean onHeap() { return heap != null; }

    /** The interleaved copy described at {@link #packed}, or null if a d or dmin is not finite. */
    private static MemorySegment repack(MemorySegment into, MemorySegment data, int rows, int cols, long rowBytes) {
        return RepackedLanes.interleave8(into, rows, cols / QK, rowBytes, BLOCK_BYTES, GROUP_BLOCK_BYTES, (p, src, dst, l) -> {
            short d = data.get(SHORT_LE, src), dmin = data.get(SHORT_LE, src + 2);
            if ((d & 0x7C00) == 0x7C00 || (dmin & 0x7C00) == 0x7C00) return false;
            p.set(FLOAT_LE, dst + 4 * l, Float.float16ToFloat(d));
            p.set(FLOAT_LE, dst + 32 + 4 * l, Float.float16ToFloat(dmin));
            for (int t = 0; t < 3; t++) p.set(INT_LE, dst + SCALES + 32 * t + 4 * l, data.get(INT_LE, src + 4 + 4 * t));
            for (int h = 0; h < 4; h++) {
                for (int v = 0; v < 8; v++) {
                    p.set(INT_LE, dst + NIBBLE_BYTES + 256 * h + 32 * v + 4 * l, data.get(INT_LE, src + 16 + 32 * h + 4 * v));
                }
            }
            return true;
        });
    }

    private static final ThreadLocal<MemorySegment> FILE_BLOCK = ThreadLocal.withInitial(() -> MemorySegment.ofArray(new byte[BLOCK_BYTES]));

    /**
     * Super-block k of row {@code row} in the file's layout, at offset 0 of the result: a slice of the mapped
     * bytes, or (repacked) a per-thread copy rebuilt from {@link #packed}, valid until the thread's next call.
     */
    private MemorySegment fileBlock(int row, int k) {
        if (packed == null) return data.asSlice(block(row, k), BLOCK_BYTES);
        MemorySegment b = FILE_BLOCK.get();
        long src = ((long) (row >> 3) * (cols / QK) + k) * GROUP_BLOCK_BYTES, l = row & 7;
        b.set(SHORT_LE, 0, Float.floatToFloat16(packed.get(FLOAT_LE, src + 4 * l))); // exact: the floats came from halves
        b.set(SHORT_LE, 2, Float.floatToFloat16(packed.get(FLOAT_LE, src + 32 + 4 * l)));
        for (int t = 0; t < 3; t++) b.set(INT_LE, 4 + 4 * t, packed.get(INT_LE, src + SCALES + 32 * t + 4 * l));
        for (int h = 0; h < 4; h++) {
            for (int v = 0; v < 8; v++) b.set(INT_LE, 16 + 32 * h + 4 * v, packed.get(INT_LE, src + NIBBLE_BYTES + 256 * h + 32 * v + 4 * l));
        }
        return b;
    }

    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        if (packed != null) {
            groupDots(VectorWidth.WIDE, r0, r1, a, out, outCol0);
            return;
        }
        super.dotRows(r0, r1, a, out, outCol0);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        if (packed == null) {
            super.dequantizeRow(row, out, offset);
            return;
        }
        for (int k = 0; k < cols / QK; k++) QuantFormats.of(type).dequantize(fileBlock(row, k), 0, QK, out, offset + QK * k);
    }

    /**
     * The repacked GEMV/GEMM order for rows [r0, r1) (whole 8-row groups computed) and every activation row, the GEMM
     * rows on the 512-bit batch kernel when {@code wide} ({@link VectorWidth#WIDE}; tests run both widths): the same results.
     */
    void groupDots(boolean wide, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int nb = cols / QK;
        // llama.cpp sends a batch's rows in whole fours through its GEMM, the rest through its GEMV
        int gemmRows = a.rows > 3 ? a.rows - a.rows % 4 : 0, first = 0;
        if (gemmRows >= Q4_KBatchKernel.MIN_ROWS) {
            Q4_KBatchKernel.dotRows(wide, packed, heap, heapBase, nb, GROUP_BLOCK_BYTES, r0, r1, gemmRows, a, out, outCol0);
            first = gemmRows;
            if (first == a.rows) return;
        }
        int[] ap = a.shortPairs(), q8s = a.sums32;
        float[] ad = a.d, o = out.data();
        int oc = out.cols();
        GemvScratch scratch = GEMV_SCRATCH.get(); // per call they were 16-42 MB/token (a call per 16-row chunk)
        int[] scales = scratch.scales;
        short[] products = scratch.products;
        float[] acc = scratch.acc;
        int gEnd = (r1 + 7) >> 3;
        for (int g0 = r0 >> 3; g0 < gEnd; g0 += LOCKSTEP) {
            int n = Math.min(LOCKSTEP, gEnd - g0);
            for (int b = first; b < a.rows; b++) {
                // one branch per call: each kernel method sees one kind of copy (monomorphic profiles)
                if (heap != null) {
                    gemvHeap(g0, n, ap, a.rowOffset(b) / 2, q8s, ad, a.blockOffset(b), nb, scales, products, acc);
                } else {
                    for (int j = 0; j < n; j++) {
                        groupDotGemvSegment(g0 + j, ap, a.rowOffset(b) / 2, q8s, ad, a.blockOffset(b), nb, scales, acc, 8 * j);
                    }
                }
                // scalar result stage (no vector here): acc - accm per row, as the lanes' sub would give
                for (int j = 0; j < n; j++) {
                    int g = g0 + j, ob = b * oc + outCol0 + 8 * g;
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) {
                        o[ob + l] = acc[8 * j + l] - acc[8 * LOCKSTEP + 8 * j + l];
                    }
                }
            }
        }
    }

    /**
     * How many 8-row groups the heap GEMV walks in lockstep: each group's super-blocks are one sequential stream,
     * and one core here reads 5.4 GB/s from one stream but 11.7 from four (memory-level parallelism). A section's
     * 16-row tail chunks give 2.
     */
    static final int LOCKSTEP = 4;

    /** A thread's work arrays for {@link #groupDots}; every slot is written before it is read. */
    private static final class GemvScratch {
        final int[] scales = new int[TOTAL + 32];
        final short[] products = new short[256];
        final float[] acc = new float[16 * LOCKSTEP];
    }

    private static final ThreadLocal<GemvScratch> GEMV_SCRATCH = ThreadLocal.withInitial(GemvScratch::new);

    /**
     * Groups g0..g0+n-1 (n <= {@link #LOCKSTEP}) against one activation row in the GEMV order, from the heap copy:
     * super-block k of every group, then k+1 (n streams in flight), group j's acc chain into acc[8j..8j+7] and its
     * accm chain into acc[8 * LOCKSTEP + 8j..]. Everything in this one method, and no vector lives across a loop:
     * the 16-bit products, the per-chunk totals and the accumulators go through arrays (session 10's version kept
     * loop-carried vectors and compiled boxed in 2 of 3 fresh JVMs; session 11, jit helper, for why).
     */
    private void gemvHeap(int g0, int n, int[] ap, int apo, int[] q8s, float[] ad, int bo, int nb, int[] sc, short[] ps, float[] acc) {
        java.util.Arrays.fill(acc, 0f);
        int stride = nb * GROUP_BLOCK_BYTES, p = heapBase + g0 * stride;
        byte[] w = heap;
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            int so = 8 * (bo + k);
            float da = ad[bo + k];
            for (int j = 0, pj = p; j < n; j++, pj += stride) {
                int x = apo + 128 * k, ao = 8 * j;
                // get_scale_min_k4 in lanes: scale j of each row to sc[8j..8j+7]; constant shifts only
                IntVector a = ByteVector.fromArray(B, w, pj + SCALES).reinterpretAsInts();  // scale bytes 0-3
                IntVector b = ByteVector.fromArray(B, w, pj + SCALES + 64).reinterpretAsInts(); // bytes 8-11
                a.and(63).intoArray(sc, 0);
                a.lanewise(VectorOperators.LSHR, 8).and(63).intoArray(sc, 8);
                a.lanewise(VectorOperators.LSHR, 16).and(63).intoArray(sc, 16);
                a.lanewise(VectorOperators.LSHR, 24).and(63).intoArray(sc, 24);
                IntVector s4 = b.and(0x0F0F0F0F).or(a.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                s4.and(0xFF).intoArray(sc, 32);
                s4.lanewise(VectorOperators.LSHR, 8).and(0xFF).intoArray(sc, 40);
                s4.lanewise(VectorOperators.LSHR, 16).and(0xFF).intoArray(sc, 48);
                s4.lanewise(VectorOperators.LSHR, 24).intoArray(sc, 56);
                for (int h = 0; h < 4; h++, x += 32) {
                    // each int's 16-bit products to the scratch, summed after the loop: a loop-carried lo/hi is a vector phi
                    // whose class C2 cannot prove at parse time, and past the method's trap limit it compiles that phi's
                    // operations as virtual calls on boxed vectors (s11 jit helper: the flaky boxed compiles)
                    int q = pj + NIBBLE_BYTES + 256 * h;
                    for (int v = 0; v < 8; v++) {
                        IntVector nib = ByteVector.fromArray(B, w, q + 32 * v).reinterpretAsInts();
                        nib.and(NIBBLES).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[x + v]).reinterpretAsShorts())
                                .add(nib.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts()
                                        .mul(IntVector.broadcast(I, ap[x + 8 + v]).reinterpretAsShorts())).intoArray(ps, 16 * v);
                        nib.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[x + 16 + v]).reinterpretAsShorts())
                                .add(nib.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, ap[x + 24 + v]).reinterpretAsShorts()))
                                .intoArray(ps, 128 + 16 * v);
                    }
                    // exact 16-bit sums (a lane's 16 products stay below 2^15): any order gives the same bits
                    ShortVector lo = ShortVector.fromArray(S, ps, 0).add(ShortVector.fromArray(S, ps, 16))
                            .add(ShortVector.fromArray(S, ps, 32).add(ShortVector.fromArray(S, ps, 48)))
                            .add(ShortVector.fromArray(S, ps, 64).add(ShortVector.fromArray(S, ps, 80))
                                    .add(ShortVector.fromArray(S, ps, 96).add(ShortVector.fromArray(S, ps, 112))));
                    ShortVector hi = ShortVector.fromArray(S, ps, 128).add(ShortVector.fromArray(S, ps, 144))
                            .add(ShortVector.fromArray(S, ps, 160).add(ShortVector.fromArray(S, ps, 176)))
                            .add(ShortVector.fromArray(S, ps, 192).add(ShortVector.fromArray(S, ps, 208))
                                    .add(ShortVector.fromArray(S, ps, 224).add(ShortVector.fromArray(S, ps, 240))));
                    IntVector tl = lo.reinterpretAsInts(), th = hi.reinterpretAsInts();
                    tl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(tl.lanewise(VectorOperators.ASHR, 16))
                            .mul(IntVector.fromArray(I, sc, 16 * h))
                            .add(th.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(th.lanewise(VectorOperators.ASHR, 16))
                                    .mul(IntVector.fromArray(I, sc, 16 * h + 8)))
                            .intoArray(sc, TOTAL + 8 * h); // its own slot: a load-add-store of one slot per h boxed (s11)
                }
                IntVector total = IntVector.fromArray(I, sc, TOTAL).add(IntVector.fromArray(I, sc, TOTAL + 8))
                        .add(IntVector.fromArray(I, sc, TOTAL + 16).add(IntVector.fromArray(I, sc, TOTAL + 24))); // exact
                ((FloatVector) total.convertShape(VectorOperators.I2F, F, 0))
                        .fma(ByteVector.fromArray(B, w, pj).reinterpretAsFloats().mul(da), FloatVector.fromArray(F, acc, ao)).intoArray(acc, ao);
                // the mins chain: sum_j(min_j * bsum_j) per row, exact, accm = fma(mins, dmin * d_a, accm)
                IntVector m = ByteVector.fromArray(B, w, pj + SCALES + 32).reinterpretAsInts(); // bytes 4-7
                IntVector m4 = b.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(m.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                IntVector mins = m.and(63).mul(q8s[so])
                        .add(m.lanewise(VectorOperators.LSHR, 8).and(63).mul(q8s[so + 1]))
                        .add(m.lanewise(VectorOperators.LSHR, 16).and(63).mul(q8s[so + 2]))
                        .add(m.lanewise(VectorOperators.LSHR, 24).and(63).mul(q8s[so + 3]))
                        .add(m4.and(0xFF).mul(q8s[so + 4]))
                        .add(m4.lanewise(VectorOperators.LSHR, 8).and(0xFF).mul(q8s[so + 5]))
                        .add(m4.lanewise(VectorOperators.LSHR, 16).and(0xFF).mul(q8s[so + 6]))
                        .add(m4.lanewise(VectorOperators.LSHR, 24).mul(q8s[so + 7]));
                int am = ao + 8 * LOCKSTEP;
                ((FloatVector) mins.convertShape(VectorOperators.I2F, F, 0))
                        .fma(ByteVector.fromArray(B, w, pj + 32).reinterpretAsFloats().mul(da), FloatVector.fromArray(F, acc, am)).intoArray(acc, am);
            }
        }
    }

    /** {@link #gemvHeap} over the off-heap copy (a large model's tensors past the heap budget). */
    private void groupDotGemvSegment(int g, int[] ap, int apo, int[] q8s, float[] ad, int bo, int nb, int[] sc, float[] acc, int ao) {
        MemorySegment w = packed;
        FloatVector.zero(F).intoArray(acc, ao);
        long p = (long) g * nb * GROUP_BLOCK_BYTES;
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            IntVector a = IntVector.fromMemorySegment(I, w, p + SCALES, ByteOrder.LITTLE_ENDIAN);
            IntVector b = IntVector.fromMemorySegment(I, w, p + SCALES + 64, ByteOrder.LITTLE_ENDIAN);
            a.and(63).intoArray(sc, 0);
            a.lanewise(VectorOperators.LSHR, 8).and(63).intoArray(sc, 8);
            a.lanewise(VectorOperators.LSHR, 16).and(63).intoArray(sc, 16);
            a.lanewise(VectorOperators.LSHR, 24).and(63).intoArray(sc, 24);
            IntVector s4 = b.and(0x0F0F0F0F).or(a.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
            s4.and(0xFF).intoArray(sc, 32);
            s4.lanewise(VectorOperators.LSHR, 8).and(0xFF).intoArray(sc, 40);
            s4.lanewise(VectorOperators.LSHR, 16).and(0xFF).intoArray(sc, 48);
            s4.lanewise(VectorOperators.LSHR, 24).intoArray(sc, 56);
            IntVector.zero(I).intoArray(sc, TOTAL);
            int x = apo + 128 * k;
            for (int h = 0; h < 4; h++, x += 32) {
                ShortVector lo = ShortVector.zero(S), hi = lo;
                long q = p + NIBBLE_BYTES + 256 * h;
                for (int v = 0; v < 8; v++) {
                    IntVector n = IntVector.fromMemorySegment(I, w, q + 32 * v, ByteOrder.LITTLE_ENDIAN);
                    lo = lo.add(n.and(NIBBLES).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[x + v]).reinterpretAsShorts()))
                            .add(n.lanewise(VectorOperators.LSHR, 8).and(NIBBLES).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, ap[x + 8 + v]).reinterpretAsShorts()));
                    hi = hi.add(n.lanewise(VectorOperators.LSHR, 4).and(NIBBLES).reinterpretAsShorts()
                                    .mul(IntVector.broadcast(I, ap[x + 16 + v]).reinterpretAsShorts()))
                            .add(n.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, ap[x + 24 + v]).reinterpretAsShorts()));
                }
                IntVector tl = lo.reinterpretAsInts(), th = hi.reinterpretAsInts();
                tl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(tl.lanewise(VectorOperators.ASHR, 16))
                        .mul(IntVector.fromArray(I, sc, 16 * h))
                        .add(th.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(th.lanewise(VectorOperators.ASHR, 16))
                                .mul(IntVector.fromArray(I, sc, 16 * h + 8)))
                        .add(IntVector.fromArray(I, sc, TOTAL)).intoArray(sc, TOTAL);
            }
            ((FloatVector) IntVector.fromArray(I, sc, TOTAL).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, w, p, ByteOrder.LITTLE_ENDIAN).mul(ad[bo + k]), FloatVector.fromArray(F, acc, ao)).intoArray(acc, ao);
        }
        minsChainSegment(g, q8s, ad, bo, nb, acc, ao + 8 * LOCKSTEP);
    }

    /** The accm chain of {@link #groupDotGemvSegment} into acc[ao..ao+7]: a second pass over the group (in cache by then). */
    private void minsChainSegment(int g, int[] q8s, float[] ad, int bo, int nb, float[] acc, int ao) {
        MemorySegment w = packed;
        FloatVector.zero(F).intoArray(acc, ao);
        long p = (long) g * nb * GROUP_BLOCK_BYTES;
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            IntVector m = IntVector.fromMemorySegment(I, w, p + SCALES + 32, ByteOrder.LITTLE_ENDIAN); // bytes 4-7
            IntVector b = IntVector.fromMemorySegment(I, w, p + SCALES + 64, ByteOrder.LITTLE_ENDIAN); // bytes 8-11
            IntVector m4 = b.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(m.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
            int so = 8 * (bo + k);
            IntVector mins = m.and(63).mul(q8s[so])
                    .add(m.lanewise(VectorOperators.LSHR, 8).and(63).mul(q8s[so + 1]))
                    .add(m.lanewise(VectorOperators.LSHR, 16).and(63).mul(q8s[so + 2]))
                    .add(m.lanewise(VectorOperators.LSHR, 24).and(63).mul(q8s[so + 3]))
                    .add(m4.and(0xFF).mul(q8s[so + 4]))
                    .add(m4.lanewise(VectorOperators.LSHR, 8).and(0xFF).mul(q8s[so + 5]))
                    .add(m4.lanewise(VectorOperators.LSHR, 16).and(0xFF).mul(q8s[so + 6]))
                    .add(m4.lanewise(VectorOperators.LSHR, 24).mul(q8s[so + 7]));
            ((FloatVector) mins.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromMemorySegment(F, w, p + 32, ByteOrder.LITTLE_ENDIAN).mul(ad[bo + k]), FloatVector.fromArray(F, acc, ao)).intoArray(acc, ao);
        }
    }

    /** Where the GEMVs put a super-block's per-chunk row totals in the scales scratch (the scales take slots 0-63). */
    private static final int TOTAL = 128;

    /** {@link #gemvHeap}'s arithmetic for one row, in scalar code. */
    private float packedDot(int row, Activations a, int b) {
        int xo = a.rowOffset(b), bo = a.blockOffset(b);
        int[] sc = new int[8], m = new int[8];
        float acc = 0f, accm = 0f;
        for (int k = 0; k < cols / QK; k++) {
            MemorySegment blk = fileBlock(row, k);
            scalesAndMins(blk, 4, sc, m);
            int total = 0, mins = 0;
            for (int j = 0; j < 8; j++) {
                int dot = 0;
                for (int l = 0; l < 32; l++) {
                    int v = blk.get(ValueLayout.JAVA_BYTE, 16 + 32 * (j / 2) + l) & 0xFF;
                    dot += (j % 2 == 0 ? v & 0xF : v >>> 4) * a.qBytes[xo + QK * k + 32 * j + l];
                }
                total += sc[j] * dot;
                mins += m[j] * a.sums32[8 * (bo + k) + j];
            }
            float da = a.d[bo + k];
            acc = Math.fma((float) total, Float.float16ToFloat(blk.get(SHORT_LE, 0)) * da, acc);
            accm = Math.fma((float) mins, Float.float16ToFloat(blk.get(SHORT_LE, 2)) * da, accm);
        }
        return acc - accm;
    }

    /** Unpacks the 8 six-bit scales and mins stored in the 12 bytes at {@code p} (get_scale_min_k4). */
    static void scalesAndMins(MemorySegment data, long p, int[] sc, int[] m) {
        scalesAndMins(data, p, sc, m, 0);
    }

    /** As above, the mins written from {@code m[mo]}. */
    static void scalesAndMins(MemorySegment data, long p, int[] sc, int[] m, int mo) {
        long b8 = data.get(LONG_LE, p);           // bytes 0-3: scales 0-3 (+ top bits of 4-7), 4-7: mins 0-3 (+ top bits)
        int b4 = data.get(INT_LE, p + 8);         // bytes 8-11: low nibbles of scales and mins 4-7
        for (int j = 0; j < 4; j++) {
            int lo = (int) (b8 >>> (8 * j)) & 0xFF;
            int mid = (int) (b8 >>> (8 * j + 32)) & 0xFF;
            int hi = (b4 >>> (8 * j)) & 0xFF;
            sc[j] = lo & 63;
            m[mo + j] = mid & 63;
            sc[j + 4] = (hi & 0xF) | ((lo >> 6) << 4);
            m[mo + j + 4] = (hi >> 4) | ((mid >> 6) << 4);
        }
    }

    @Override
    void decodeRow(int row, Decoded out) {
        for (int k = 0; k < cols / QK; k++) {
            MemorySegment src = packed == null ? data : fileBlock(row, k);
            long p = packed == null ? block(row, k) : 0;
            out.d[k] = Float.float16ToFloat(src.get(SHORT_LE, p));
            out.dmin[k] = Float.float16ToFloat(src.get(SHORT_LE, p + 2));
            int[] sc = out.sub;
            scalesAndMins(src, p + 4, sc, out.mins, 8 * k);
            for (int h = 0; h < 4; h++) {
                // 32 bytes: low nibbles are group 2h, high nibbles group 2h+1; int lane j holds quad j of both
                IntVector v = IntVector.fromMemorySegment(I, src, p + 16 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int g = 8 * k + 2 * h;
                v.and(0x000F000F).intoArray(out.w, 16 * g);
                v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).intoArray(out.w, 16 * g + 8);
                v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).intoArray(out.w, 16 * g + 16);
                v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).intoArray(out.w, 16 * g + 24);
                IntVector.broadcast(I, sc[2 * h]).intoArray(out.sc, 8 * g);
                IntVector.broadcast(I, sc[2 * h + 1]).intoArray(out.sc, 8 * g + 8);
            }
        }
    }

    /**
     * One row without the decoded form (the matrix-vector case): the same integer lanes and float
     * operations as {@link KQuantMatrix}'s decoded path, so both give identical results.
     */
    @Override
    public float dot(int row, Activations a, int b) {
        if (packed != null) return packedDot(row, a, b);
        Decoded s = scratch();
        int[] sc = s.sub, mn = s.mins, m = a.pairs, q8s = a.sums32;
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        FloatVector acc = FloatVector.zero(F);
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            scalesAndMins(data, p + 4, sc, mn, 0);
            IntVector sumi = IntVector.zero(I);
            for (int h = 0; h < 4; h++) {
                IntVector v = IntVector.fromMemorySegment(I, data, p + 16 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int mi = mo + 16 * (8 * k + 2 * h);
                IntVector lo = v.and(0x000F000F).mul(IntVector.fromArray(I, m, mi))
                        .add(v.lanewise(VectorOperators.LSHR, 8).and(0x000F000F).mul(IntVector.fromArray(I, m, mi + 8)));
                IntVector hi = v.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).mul(IntVector.fromArray(I, m, mi + 16))
                        .add(v.lanewise(VectorOperators.LSHR, 12).and(0x000F000F).mul(IntVector.fromArray(I, m, mi + 24)));
                sumi = sumi.add(lo.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(sc[2 * h]))
                        .add(hi.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(sc[2 * h + 1]));
            }
            float da = ad[bo + k];
            acc = ((FloatVector) sumi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, da * half(p)), acc);
            float dmin = -da * half(p + 2);
            int so = 8 * (bo + k);
            m0 = Math.fma(dmin, (float) (mn[0] * q8s[so] + mn[1] * q8s[so + 1]), m0);
            m1 = Math.fma(dmin, (float) (mn[2] * q8s[so + 2] + mn[3] * q8s[so + 3]), m1);
            m2 = Math.fma(dmin, (float) (mn[4] * q8s[so + 4] + mn[5] * q8s[so + 5]), m2);
            m3 = Math.fma(dmin, (float) (mn[6] * q8s[so + 6] + mn[7] * q8s[so + 7]), m3);
        }
        return GgmlSums.hsum8(acc) + ((m0 + m2) + (m1 + m3));
    }

    /** Rows without the repacked copy (with it, {@link #dotRows} takes every batch). */
    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        int[] sc = new int[8], m = new int[8];
        float sum = 0;
        for (int k = 0; k < cols / 256; k++) {
            MemorySegment blk = fileBlock(row, k);
            long p = 0;
            scalesAndMins(blk, p + 4, sc, m);
            int sumq = 0;
            for (int j = 0; j < 8; j++) {
                int isum = 0;
                for (int l = 0; l < 32; l++) {
                    int byteIdx = (j / 2) * 32 + l;
                    int qv = blk.get(ValueLayout.JAVA_BYTE, p + 16 + byteIdx) & 0xFF;
                    int q = (j % 2 == 0) ? qv & 0xF : qv >>> 4;
                    isum += q * a.qBytes[xo + k * 256 + 32 * j + l];
                }
                sumq += sc[j] * isum;
            }
            int summ = 0;
            for (int j = 0; j < 16; j++) summ += (int) a.s[(bo + k) * 16 + j] * m[j / 2];
            float da = a.d[bo + k];
            sum += Float.float16ToFloat(blk.get(SHORT_LE, 0)) * da * sumq - Float.float16ToFloat(blk.get(SHORT_LE, 2)) * da * summ;
        }
        return sum;
    }

}
