package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.VectorSpecies;


/**
 * Q6_K weights (super-blocks of 256: ql[128] low nibbles, qh[64] high bit pairs, 16 int8 scales, half d;
 * value = d * scale_j * (q - 32)) with Q8_K activations, as ggml_vec_dot_q6_K_q8_K. Per 128 values,
 * byte l of ql/qh feeds elements l, l+32, l+64 and l+96; see {@link KQuantMatrix}.
 */
public final class Q6_KMatrix extends KQuantMatrix {
    private static final int BLOCK_BYTES = 210;
    /** Bytes of one super-block of 8 interleaved rows in {@link #packed}: 8 float d, 16 x 8 scales, 8 x 2 x 3 x 8 weight ints. */
    private static final int GROUP_BLOCK_BYTES = 32 + 128 + 1536;
    /** Masks of the copy's 16-bit fields (see {@link #packed}): a 6-bit value, a low nibble, bits 4-5. */
    static final int SIX = 0x003F003F, LOW4 = 0x000F000F, TOP2 = 0x00300030;
    /** Offsets in a group's super-block of the copy: scale bytes, value ints. */
    private static final int SCALES = 32, VALUES = 160;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64, B = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * For rows % 8 == 0, the tensor repacked at load time for the Vector API (8 rows in the 8 lanes): rows
     * 8g..8g+7, super-block k at (g * nb + k) * 1696 bytes: the 8 rows' d as floats (exact: a half conversion in
     * lanes was a method returning a vector, boxed), then the 16-value scales (byte 8j + r = scale j of row 8g+r),
     * then per ggml lane l (0..7: values 4l..4l+3 of a 32-value group) and group four f (groups c = 4f..4f+3) three
     * weight ints A, B, C per row (int t of row r at 192l + 96f + 32t + 4r): the four quads' 96 bits of 6-bit values,
     * 0.75 bytes per value, so the GEMV streams about the file's bytes (the earlier copy with a byte per value
     * streamed 1.31x of them, and the decode GEMVs are bound by this host's ~10 GB/s per core). Each int's two
     * 16-bit halves hold the same fields for the quads' values (x, y) = (q0, q1) (low half) and (q2, q3) (high
     * half); with Q_i the quad of group 4f+i:
     * A = Q0.x | Q0.y << 6 | (Q3.y & 15) << 12, B = (Q3.x & 15) | Q1.x << 4 | Q1.y << 10,
     * C = Q2.x | (Q3.x >> 4) << 6 | (Q3.y >> 4) << 8 | Q2.y << 10, so 32-bit shifts and masks ({@link #SIX},
     * {@link #LOW4}, {@link #TOP2}) give each quad as the 16-bit pairs (q0, q2) and (q1, q3) that multiply
     * {@link Activations#shortPairs} broadcasts: 19 operations per four quads. Null otherwise, or if a d is
     * infinite or NaN.
     */
    private final MemorySegment packed;
    /**
     * The same copy in a heap byte[] when it fits {@link HeapBudget} (then {@link #packed} is a heap segment over
     * it, for the batch kernel): the GEMV streams it faster than the off-heap copy. Null for the off-heap copy.
     */
    private final byte[] heap;
    /** Where the copy starts in {@link #heap} (a shared slab, see {@link RepackedLanes#heapRegion}). */
    private final int heapBase;

    public Q6_KMatrix(String name, int rows, int cols, MemorySegment data) {
        this(name, rows, cols, data, true);
    }

    /** With {@code heapAllowed} false the repacked copy is off-heap whatever {@link HeapBudget} says (tests of both kernels). */
    Q6_KMatrix(String name, int rows, int cols, MemorySegment data, boolean heapAllowed) {
        super(name, GgmlType.Q6_K, rows, cols, data, Mins.NONE);
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

    /** The layout described at {@link #packed}, or null if a d is not finite. */
    private static MemorySegment repack(MemorySegment into, MemorySegment data, int rows, int cols, long rowBytes) {
        int[] q = new int[QK];
        return RepackedLanes.interleave8(into, rows, cols / QK, rowBytes, BLOCK_BYTES, GROUP_BLOCK_BYTES, (p, src, dst, r) -> {
            short d = data.get(SHORT_LE, src + 208);
            if ((d & 0x7C00) == 0x7C00) return false;
            p.set(FLOAT_LE, dst + 4 * r, Float.float16ToFloat(d));
            for (int j = 0; j < 16; j++) p.set(ValueLayout.JAVA_BYTE, dst + SCALES + 8 * j + r, data.get(ValueLayout.JAVA_BYTE, src + 192 + j));
            values(data, src, q);
            for (int l = 0; l < 8; l++) {
                for (int f = 0; f < 2; f++) {
                    int a = 0, b = 0, c = 0;
                    for (int half = 0; half < 2; half++) { // (x, y) = (q0, q1), then (q2, q3)
                        int e = 32 * 4 * f + 4 * l + 2 * half, sh = 16 * half;
                        int x0 = q[e], y0 = q[e + 1], x1 = q[e + 32], y1 = q[e + 33], x2 = q[e + 64], y2 = q[e + 65];
                        int x3 = q[e + 96], y3 = q[e + 97];
                        a |= (x0 | y0 << 6 | (y3 & 15) << 12) << sh;
                        b |= ((x3 & 15) | x1 << 4 | y1 << 10) << sh;
                        c |= (x2 | (x3 >> 4) << 6 | (y3 >> 4) << 8 | y2 << 10) << sh;
                    }
                    long o = dst + VALUES + 192L * l + 96 * f + 4 * r;
                    p.set(INT_LE, o, a);
                    p.set(INT_LE, o + 32, b);
                    p.set(INT_LE, o + 64, c);
                }
            }
            return true;
        });
    }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The 256 unsigned 6-bit values of the super-block at {@code p} (file layout) in element order. */
    private static void values(MemorySegment data, long p, int[] q) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int lo = data.get(ValueLayout.JAVA_BYTE, p + 64 * h + l) & 0xFF;
                int hi = data.get(ValueLayout.JAVA_BYTE, p + 64 * h + 32 + l) & 0xFF;
                int hh = data.get(ValueLayout.JAVA_BYTE, p + 128 + 32 * h + l) & 0xFF;
                q[128 * h + l] = (lo & 0xF) | ((hh & 3) << 4);
                q[128 * h + l + 32] = (hi & 0xF) | (((hh >> 2) & 3) << 4);
                q[128 * h + l + 64] = (lo >>> 4) | (((hh >> 4) & 3) << 4);
                q[128 * h + l + 96] = (hi >>> 4) | (((hh >> 6) & 3) << 4);
            }
        }
    }

    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        if (packed == null) {
            super.dotRows(r0, r1, a, out, outCol0);
            return;
        }
        boolean tiled = a.rows >= TILED_MIN_BATCH;
        int first = 0;
        if (tiled) { // the batch kernel takes the rows in fours, the per-row kernel the rest (the same order)
            first = a.rows - a.rows % 4;
            Q6_KBatchKernel.dotRows(packed, heap, heapBase, cols / QK, GROUP_BLOCK_BYTES, r0, r1, first, a, out, outCol0);
            if (first == a.rows) return;
        }
        int[] ap = a.shortPairs();
        float[] o = out.data();
        int[] scales = GEMV_SCALES.get(); // every slot is written before it is read (per call: 768 bytes per 16-row chunk)
        int oc = out.cols();
        if (!tiled) {
            gemv(r0, r1, ap, a, o, oc, outCol0, scales);
            return;
        }
        float[] acc = GEMV_ACC.get(); // groupDotTiledHeap zeroes the 8 floats it uses
        for (int g = r0 >> 3; g < (r1 + 7) >> 3; g++) {
            for (int b = first; b < a.rows; b++) {
                FloatVector v;
                if (heap != null) {
                    groupDotTiledHeap(g, ap, a.rowOffset(b) / 2, a.d, a.s, a.blockOffset(b), scales, acc);
                    v = FloatVector.fromArray(F, acc, 0);
                } else {
                    v = groupDotTiled(g, ap, a, b, scales);
                }
                int ob = b * oc + outCol0 + 8 * g;
                if (8 * g >= r0 && 8 * g + 8 <= r1) {
                    v.intoArray(o, ob);
                } else {
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) o[ob + l] = v.lane(l);
                }
            }
        }
    }

    /** A thread's accumulators for {@link #gemv} (per call they were 1 KB per 16-row chunk). */
    private static final ThreadLocal<float[]> GEMV_ACC = ThreadLocal.withInitial(() -> new float[64 * Q4_KMatrix.LOCKSTEP]);

    /** A thread's scale scratch for the per-row kernels (128 scales, then the lane sums at {@link #SUMS}). */
    private static final ThreadLocal<int[]> GEMV_SCALES = ThreadLocal.withInitial(() -> new int[Q6_KMatrix.SUMS + 64]);

    /**
     * Batches below {@link #TILED_MIN_BATCH} rows, vec_dot order: up to {@link Q4_KMatrix#LOCKSTEP} groups at a time
     * ({@link #gemvHeap}), each row's lanes summed as hsum_float_8 in scalar code (the same float operations as the
     * lanes: no vector in this method).
     */
    private void gemv(int r0, int r1, int[] ap, Activations a, float[] o, int oc, int outCol0, int[] scales) {
        float[] acc = GEMV_ACC.get(); // gemvHeap and groupDotVecSegment zero what they use
        int gEnd = (r1 + 7) >> 3;
        for (int g0 = r0 >> 3; g0 < gEnd; g0 += Q4_KMatrix.LOCKSTEP) {
            int n = Math.min(Q4_KMatrix.LOCKSTEP, gEnd - g0);
            for (int b = 0; b < a.rows; b++) {
                // one branch per call: each kernel method sees one kind of copy (monomorphic profiles)
                if (heap != null) {
                    gemvHeap(g0, n, ap, a.rowOffset(b) / 2, a.d, a.s, a.blockOffset(b), scales, acc);
                } else {
                    for (int j = 0; j < n; j++) groupDotVecSegment(g0 + j, ap, a.rowOffset(b) / 2, a.d, a.s, a.blockOffset(b), scales, acc, 64 * j);
                }
                for (int j = 0; j < n; j++) {
                    int g = g0 + j, ob = b * oc + outCol0 + 8 * g, c = 64 * j;
                    for (int l = Math.max(0, r0 - 8 * g); l < Math.min(8, r1 - 8 * g); l++) {
                        // hsum_float_8 over the lanes: acc[c + 8i + l] is row l's lane i
                        float a0 = acc[c + l] + acc[c + 32 + l], a1 = acc[c + 8 + l] + acc[c + 40 + l];
                        float a2 = acc[c + 16 + l] + acc[c + 48 + l], a3 = acc[c + 24 + l] + acc[c + 56 + l];
                        o[ob + l] = (a0 + a2) + (a1 + a3);
                    }
                }
            }
        }
    }

    /**
     * Groups g0..g0+n-1 against one activation row from the heap copy: super-block k of every group, then k+1 (n
     * streams in flight; see {@link Q4_KMatrix#LOCKSTEP}), group j's lane accumulators in acc[64j..64j+63]. No vector
     * here: each super-block is a call to {@link #blockVecHeap}, too big for C2 to inline, so it compiles alone.
     */
    private void gemvHeap(int g0, int n, int[] ap, int apo, float[] ad, float[] bs, int bo, int[] sc, float[] acc) {
        int nb = cols / QK, stride = nb * GROUP_BLOCK_BYTES, p = heapBase + g0 * stride;
        java.util.Arrays.fill(acc, 0, 64 * n, 0f);
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            int x = apo + 128 * k, so = 16 * (bo + k);
            float da = ad[bo + k];
            for (int j = 0; j < n; j++) blockVecHeap(p + j * stride, ap, x, so, da, bs, sc, acc, 64 * j);
        }
    }

    /**
     * Super-block {@code p} of rows 8g..8g+7 (lanes) against one activation row in ggml_vec_dot_q6_K_q8_K's order,
     * from the heap copy: per ggml lane l the exact int sum over the 32-value groups c of scale * (quad l's dot), minus
     * q8sclsub's lane l, fma'd into lane l's float accumulator ({@code acc[ao + 8l..]}, one per row); the caller
     * does hsum_float_8 over l. A quad's dot: unsigned 6-bit values times activations as 16-bit products, two per
     * short (each at most 2 * 63 * 128), the row's two shorts added as (t + (t << 16)) >> 16 (exact: the 4
     * products sum to at most 32256 in magnitude). Lane l's int sum starts as its offset (negated q8sclsub) and
     * lives in the scratch ({@code sc[SUMS + 8l..]}) between the two group fours. Loops shaped for C2: the inner
     * loop over l runs with f and the scale half fixed, so every index in it is linear in l (with the scale index
     * 8 * (l >> 2) in the loop, C2 kept a dozen range checks per iteration and spilled; 7 vs 10 GMAC/s), and one
     * method with the accumulators in arrays (no helper of ours: C2's node cutoff, boxing).
     */
    private void blockVecHeap(int p, int[] ap, int x, int so, float da, float[] bs, int[] sc, float[] acc, int ao) {
        byte[] w = heap;
        for (int j = 0; j < 16; j++) {
            ((IntVector) ByteVector.fromArray(B64, w, p + SCALES + 8 * j).convertShape(VectorOperators.B2I, I, 0)).intoArray(sc, 8 * j);
        }
        for (int l = 0; l < 8; l++) { // lane l's q8sclsub, negated, starts its sum
            IntVector.fromArray(I, sc, 16 * l).mul((int) bs[so + 2 * l]).add(IntVector.fromArray(I, sc, 16 * l + 8).mul((int) bs[so + 2 * l + 1]))
                    .lanewise(VectorOperators.LSHL, 5).neg().intoArray(sc, SUMS + 8 * l);
        }
        for (int f = 0; f < 2; f++) { // groups 4f..4f+3: three weight ints per row, one quad per group
            for (int sl = 0; sl < 16; sl += 8) { // lanes 0-3 take a group's first 16-value scale, 4-7 its second
                int s0 = 64 * f + sl;
                for (int l = sl / 2; l < sl / 2 + 4; l++) { // f, sl invariant: the indices are linear in l
                    int q = p + VALUES + 192 * l + 96 * f, xa = x + 64 * f + l;
                    IntVector wa = ByteVector.fromArray(B, w, q).reinterpretAsInts(), wb = ByteVector.fromArray(B, w, q + 32).reinterpretAsInts(), wc = ByteVector.fromArray(B, w, q + 64).reinterpretAsInts();
                    IntVector t = wa.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa]).reinterpretAsShorts())
                            .add(wa.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 8]).reinterpretAsShorts())).reinterpretAsInts();
                    IntVector sum = t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0));
                    t = wb.lanewise(VectorOperators.LSHR, 4).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 16]).reinterpretAsShorts())
                            .add(wb.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 24]).reinterpretAsShorts())).reinterpretAsInts();
                    sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 16)));
                    t = wc.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 32]).reinterpretAsShorts())
                            .add(wc.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 40]).reinterpretAsShorts())).reinterpretAsInts();
                    sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 32)));
                    t = wb.and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 2).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 48]).reinterpretAsShorts())
                            .add(wa.lanewise(VectorOperators.LSHR, 12).and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 4).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 56]).reinterpretAsShorts())).reinterpretAsInts();
                    sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 48)))
                            .add(IntVector.fromArray(I, sc, SUMS + 8 * l)).intoArray(sc, SUMS + 8 * l);
                }
            }
        }
        FloatVector dd = ByteVector.fromArray(B, w, p).reinterpretAsFloats().mul(da);
        for (int l = 0; l < 8; l++) {
            ((FloatVector) IntVector.fromArray(I, sc, SUMS + 8 * l).convert(VectorOperators.I2F, 0)).fma(dd, FloatVector.fromArray(F, acc, ao + 8 * l)).intoArray(acc, ao + 8 * l);
        }
    }

    /** Where the GEMV keeps lane l's int sums (8 rows) in its scale scratch, after the 128 scales. */
    private static final int SUMS = 128;

    /** {@link #blockVecHeap} over the off-heap copy (a large model's tensors past the heap budget). */
    private void groupDotVecSegment(int g, int[] ap, int apo, float[] ad, float[] bs, int bo, int[] sc, float[] acc, int ao) {
        MemorySegment w = packed;
        int nb = cols / QK;
        java.util.Arrays.fill(acc, ao, ao + 64, 0f);
        long p = (long) g * nb * GROUP_BLOCK_BYTES;
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            for (int j = 0; j < 16; j++) {
                ((IntVector) ByteVector.fromMemorySegment(B64, w, p + SCALES + 8 * j, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2I, I, 0)).intoArray(sc, 8 * j);
            }
            int x = apo + 128 * k, so = 16 * (bo + k);
            for (int l = 0; l < 8; l++) { // lane l's q8sclsub, negated, starts its sum
                IntVector.fromArray(I, sc, 16 * l).mul((int) bs[so + 2 * l]).add(IntVector.fromArray(I, sc, 16 * l + 8).mul((int) bs[so + 2 * l + 1]))
                        .lanewise(VectorOperators.LSHL, 5).neg().intoArray(sc, SUMS + 8 * l);
            }
            for (int f = 0; f < 2; f++) { // groups 4f..4f+3: three weight ints per row, one quad per group
                for (int sl = 0; sl < 16; sl += 8) { // lanes 0-3 take a group's first 16-value scale, 4-7 its second
                    int s0 = 64 * f + sl;
                    for (int l = sl / 2; l < sl / 2 + 4; l++) { // f, sl invariant: the indices are linear in l
                        long q = p + VALUES + 192L * l + 96 * f;
                        int xa = x + 64 * f + l;
                        IntVector wa = IntVector.fromMemorySegment(I, w, q, ByteOrder.LITTLE_ENDIAN), wb = IntVector.fromMemorySegment(I, w, q + 32, ByteOrder.LITTLE_ENDIAN), wc = IntVector.fromMemorySegment(I, w, q + 64, ByteOrder.LITTLE_ENDIAN);
                        IntVector t = wa.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa]).reinterpretAsShorts())
                                .add(wa.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 8]).reinterpretAsShorts())).reinterpretAsInts();
                        IntVector sum = t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0));
                        t = wb.lanewise(VectorOperators.LSHR, 4).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 16]).reinterpretAsShorts())
                                .add(wb.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 24]).reinterpretAsShorts())).reinterpretAsInts();
                        sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 16)));
                        t = wc.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 32]).reinterpretAsShorts())
                                .add(wc.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 40]).reinterpretAsShorts())).reinterpretAsInts();
                        sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 32)));
                        t = wb.and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 2).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 48]).reinterpretAsShorts())
                                .add(wa.lanewise(VectorOperators.LSHR, 12).and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 4).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 56]).reinterpretAsShorts())).reinterpretAsInts();
                        sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 48)))
                                .add(IntVector.fromArray(I, sc, SUMS + 8 * l)).intoArray(sc, SUMS + 8 * l);
                    }
                }
            }
            FloatVector dd = FloatVector.fromMemorySegment(F, w, p, ByteOrder.LITTLE_ENDIAN).mul(ad[bo + k]);
            for (int l = 0; l < 8; l++) {
                ((FloatVector) IntVector.fromArray(I, sc, SUMS + 8 * l).convert(VectorOperators.I2F, 0)).fma(dd, FloatVector.fromArray(F, acc, ao + 8 * l)).intoArray(acc, ao + 8 * l);
            }
        }
    }


    /**
     * The tiled order from the heap copy into {@code acc[0..7]}: per super-block one exact total per row (the lane
     * sums of {@link #blockVecHeap} added, less the whole offset), acc = fma(d * total, d_a, acc).
     */
    private void groupDotTiledHeap(int g, int[] ap, int apo, float[] ad, float[] bs, int bo, int[] sc, float[] acc) {
        byte[] w = heap;
        int nb = cols / QK;
        FloatVector.zero(F).intoArray(acc, 0);
        int p = heapBase + g * nb * GROUP_BLOCK_BYTES;
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            for (int j = 0; j < 16; j++) {
                ((IntVector) ByteVector.fromArray(B64, w, p + SCALES + 8 * j).convertShape(VectorOperators.B2I, I, 0)).intoArray(sc, 8 * j);
            }
            int x = apo + 128 * k, so = 16 * (bo + k);
            IntVector.zero(I).intoArray(sc, 8 * 16);
            for (int sl = 0; sl < 16; sl += 8) { // lanes 0-3 take a group's first 16-value scale, 4-7 its second
                for (int l = sl / 2; l < sl / 2 + 4; l++) { // sl invariant: the inner loop's indices are linear in l
                    IntVector sum = IntVector.zero(I);
                    for (int f = 0; f < 2; f++) { // groups 4f..4f+3: three weight ints per row, one quad per group
                        int q = p + VALUES + 192 * l + 96 * f;
                        int xa = x + 64 * f + l, s0 = 64 * f + sl;
                        IntVector wa = ByteVector.fromArray(B, w, q).reinterpretAsInts(), wb = ByteVector.fromArray(B, w, q + 32).reinterpretAsInts(), wc = ByteVector.fromArray(B, w, q + 64).reinterpretAsInts();
                        IntVector t = wa.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa]).reinterpretAsShorts())
                                .add(wa.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 8]).reinterpretAsShorts())).reinterpretAsInts();
                        sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0)));
                        t = wb.lanewise(VectorOperators.LSHR, 4).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 16]).reinterpretAsShorts())
                                .add(wb.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 24]).reinterpretAsShorts())).reinterpretAsInts();
                        sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 16)));
                        t = wc.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 32]).reinterpretAsShorts())
                                .add(wc.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 40]).reinterpretAsShorts())).reinterpretAsInts();
                        sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 32)));
                        t = wb.and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 2).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 48]).reinterpretAsShorts())
                                .add(wa.lanewise(VectorOperators.LSHR, 12).and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 4).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 56]).reinterpretAsShorts())).reinterpretAsInts();
                        sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 48)));
                    }
                    sum.sub(IntVector.fromArray(I, sc, 16 * l).mul((int) bs[so + 2 * l])
                                    .add(IntVector.fromArray(I, sc, 16 * l + 8).mul((int) bs[so + 2 * l + 1])).lanewise(VectorOperators.LSHL, 5))
                            .add(IntVector.fromArray(I, sc, 8 * 16)).intoArray(sc, 8 * 16);
                }
            }
            ByteVector.fromArray(B, w, p).reinterpretAsFloats().mul((FloatVector) IntVector.fromArray(I, sc, 8 * 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F, ad[bo + k]), FloatVector.fromArray(F, acc, 0)).intoArray(acc, 0);
        }
    }

    /** The tiled order (batches of 8 rows or more): per super-block one exact total per row, fma(d * total, d_a, acc). */
    private FloatVector groupDotTiled(int g, int[] ap, Activations a, int b, int[] scales) {
        int nb = cols / QK, apo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        float[] ad = a.d, bs = a.s;
        FloatVector acc = FloatVector.zero(F);
        long p = (long) g * nb * GROUP_BLOCK_BYTES;
        for (int k = 0; k < nb; k++, p += GROUP_BLOCK_BYTES) {
            storeScales(p, scales);
            int x = apo + 128 * k, so = 16 * (bo + k);
            IntVector total = IntVector.zero(I), offset = total;
            for (int l = 0; l < 8; l++) {
                total = total.add(laneSum(p, l, ap, x, scales));
                offset = offset.add(IntVector.fromArray(I, scales, 16 * l).mul((int) bs[so + 2 * l])
                        .add(IntVector.fromArray(I, scales, 16 * l + 8).mul((int) bs[so + 2 * l + 1])));
            }
            total = total.sub(offset.lanewise(VectorOperators.LSHL, 5));
            FloatVector dt = FloatVector.fromMemorySegment(F, packed, p, ByteOrder.LITTLE_ENDIAN).mul((FloatVector) total.convert(VectorOperators.I2F, 0));
            acc = dt.fma(FloatVector.broadcast(F, ad[bo + k]), acc);
        }
        return acc;
    }

    /** The 16 scales of super-block {@code p} of a group as ints: scales[8j + r] = scale j of row r. */
    private void storeScales(long p, int[] scales) {
        for (int j = 0; j < 16; j++) {
            ((IntVector) ByteVector.fromMemorySegment(B64, packed, p + SCALES + 8 * j, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, I, 0)).intoArray(scales, 8 * j);
        }
    }

    /**
     * Lane l of super-block {@code p} for the 8 rows: sum over groups c of scale(c, l) * (exact dot of values
     * 32c+4l..32c+4l+3), unsigned 6-bit values times activations as 16-bit products (two per short: at most
     * 2 * 63 * 127), a row's two shorts added. x: the super-block's first {@link Activations#shortPairs} index.
     */
    private IntVector laneSum(long p, int l, int[] ap, int x, int[] sc) {
        MemorySegment w = packed;
        IntVector sum = IntVector.zero(I);
        int sl = 8 * (l >> 2); // lanes 0-3 take a group's first 16-value scale, 4-7 its second
        for (int f = 0; f < 2; f++) { // groups 4f..4f+3: three weight ints per row, one quad per group
            long q = p + VALUES + 192L * l + 96 * f;
            int xa = x + 64 * f + l, s0 = 64 * f + sl;
            IntVector wa = IntVector.fromMemorySegment(I, w, q, ByteOrder.LITTLE_ENDIAN), wb = IntVector.fromMemorySegment(I, w, q + 32, ByteOrder.LITTLE_ENDIAN), wc = IntVector.fromMemorySegment(I, w, q + 64, ByteOrder.LITTLE_ENDIAN);
            IntVector t = wa.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa]).reinterpretAsShorts())
                    .add(wa.lanewise(VectorOperators.LSHR, 6).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 8]).reinterpretAsShorts())).reinterpretAsInts();
            sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0)));
            t = wb.lanewise(VectorOperators.LSHR, 4).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 16]).reinterpretAsShorts())
                    .add(wb.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 24]).reinterpretAsShorts())).reinterpretAsInts();
            sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 16)));
            t = wc.and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 32]).reinterpretAsShorts())
                    .add(wc.lanewise(VectorOperators.LSHR, 10).and(SIX).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 40]).reinterpretAsShorts())).reinterpretAsInts();
            sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 32)));
            t = wb.and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 2).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 48]).reinterpretAsShorts())
                    .add(wa.lanewise(VectorOperators.LSHR, 12).and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 4).and(TOP2)).reinterpretAsShorts().mul(IntVector.broadcast(I, ap[xa + 56]).reinterpretAsShorts())).reinterpretAsInts();
            sum = sum.add(t.add(t.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, s0 + 48)));
        }
        return sum;
    }

    /** Lanes 0-3 (the group's first 16 values) take one scale, lanes 4-7 the next. */
    private static final VectorMask<Integer> SECOND_HALF = VectorMask.fromValues(I, false, false, false, false, true, true, true, true);

    /** Bytes of 6-bit values: the low nibbles (already shifted down) or'ed with 2 high bits from {@code qh >> shift}. */
    private static IntVector six(IntVector low4, IntVector qh, int shift) {
        return low4.and(0x0F0F0F0F).or(qh.lanewise(VectorOperators.LSHR, shift).and(0x03030303).lanewise(VectorOperators.LSHL, 4));
    }

    @Override
    void decodeRow(int row, Decoded out) {
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            out.d[k] = half(p + 208);
            for (int h = 0; h < 2; h++) {
                // 128 values: byte l of ql / ql+32 / qh feeds elements l, l+32, l+64, l+96 (group c = element / 32)
                IntVector ql1 = IntVector.fromMemorySegment(I, data, p + 64L * h, ByteOrder.LITTLE_ENDIAN);
                IntVector ql2 = IntVector.fromMemorySegment(I, data, p + 64L * h + 32, ByteOrder.LITTLE_ENDIAN);
                IntVector qh = IntVector.fromMemorySegment(I, data, p + 128 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                int g = 8 * k + 4 * h;
                storeBytePairs(six(ql1, qh, 0), 0, out.w, g);
                storeBytePairs(six(ql2, qh, 2), 0, out.w, g + 1);
                storeBytePairs(six(ql1.lanewise(VectorOperators.LSHR, 4), qh, 4), 0, out.w, g + 2);
                storeBytePairs(six(ql2.lanewise(VectorOperators.LSHR, 4), qh, 6), 0, out.w, g + 3);
                long sc = p + 192 + 8L * h; // one int8 scale per 16 values
                for (int c = 0; c < 4; c++) {
                    IntVector.broadcast(I, data.get(ValueLayout.JAVA_BYTE, sc + 2 * c))
                            .blend(data.get(ValueLayout.JAVA_BYTE, sc + 2 * c + 1), SECOND_HALF).intoArray(out.sc, 8 * (g + c));
                }
            }
        }
    }

    /** Scaled exact quad sums of one group of 32 values given as unsigned 6-bit bytes (the 32 offset comes off later). */
    private static IntVector group(IntVector bytes, int[] m, int mi, IntVector scales) {
        IntVector t = bytes.and(0x00FF00FF).mul(IntVector.fromArray(I, m, mi))
                .add(bytes.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).mul(IntVector.fromArray(I, m, mi + 8)));
        return t.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(scales);
    }

    /**
     * One row without the decoded form (the matrix-vector case): the same integer lanes and float
     * operations as {@link KQuantMatrix}'s decoded path, so both give identical results.
     */
    @Override
    public float dot(int row, Activations a, int b) {
        int[] m = a.pairs;
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        int[] off = scratch().off;
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < cols / QK; k++) {
            long p = block(row, k);
            IntVector sumi = IntVector.zero(I);
            for (int j = 0; j < 8; j++) {
                // group j = values 32j..32j+31: half h = j / 4, c = j % 4 picks the ql bytes, nibble and qh bit pair
                int h = j >> 2, c = j & 3;
                IntVector ql = IntVector.fromMemorySegment(I, data, p + 64L * h + 32 * (c & 1), ByteOrder.LITTLE_ENDIAN);
                IntVector qh = IntVector.fromMemorySegment(I, data, p + 128 + 32L * h, ByteOrder.LITTLE_ENDIAN);
                IntVector scales = IntVector.broadcast(I, data.get(ValueLayout.JAVA_BYTE, p + 192 + 2 * j))
                        .blend(data.get(ValueLayout.JAVA_BYTE, p + 193 + 2 * j), SECOND_HALF);
                sumi = sumi.add(group(six(ql.lanewise(VectorOperators.LSHR, 4 * (c >> 1)), qh, 2 * c), m, mo + 16 * (8 * k + j), scales));
            }
            sumi = sumi.sub(offsetLanes(p, a.s, 16 * (bo + k), off));
            acc = ((FloatVector) sumi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ad[bo + k] * half(p + 208)), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    /** q8sclsub of super-block {@code p} (see {@link KQuantMatrix#offsetLanes}), its scales read from the tensor. */
    private IntVector offsetLanes(long p, float[] bsums, int so, int[] t) {
        for (int l = 0; l < 8; l++) {
            t[l] = 32 * (data.get(ValueLayout.JAVA_BYTE, p + 192 + 2 * l) * (int) bsums[so + 2 * l]
                    + data.get(ValueLayout.JAVA_BYTE, p + 193 + 2 * l) * (int) bsums[so + 2 * l + 1]);
        }
        return IntVector.fromArray(I, t, 0);
    }

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
        long base = row * rowBytes;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        int[] q = new int[256];
        for (int k = 0; k < cols / 256; k++) {
            long p = base + (long) k * type.bytesPerBlock();
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int lo = data.get(ValueLayout.JAVA_BYTE, p + 64 * h + l) & 0xFF;
                    int hi = data.get(ValueLayout.JAVA_BYTE, p + 64 * h + 32 + l) & 0xFF;
                    int hh = data.get(ValueLayout.JAVA_BYTE, p + 128 + 32 * h + l) & 0xFF;
                    q[128 * h + l] = ((lo & 0xF) | ((hh & 3) << 4)) - 32;
                    q[128 * h + l + 32] = ((hi & 0xF) | (((hh >> 2) & 3) << 4)) - 32;
                    q[128 * h + l + 64] = ((lo >>> 4) | (((hh >> 4) & 3) << 4)) - 32;
                    q[128 * h + l + 96] = ((hi >>> 4) | (((hh >> 6) & 3) << 4)) - 32;
                }
            }
            int sumq = 0;
            for (int j = 0; j < 16; j++) {
                int isum = 0;
                for (int l = 0; l < 16; l++) isum += q[16 * j + l] * a.qBytes[xo + k * 256 + 16 * j + l];
                sumq += data.get(ValueLayout.JAVA_BYTE, p + 192 + j) * isum;
            }
            sum += half(p + 208) * a.d[bo + k] * sumq;
        }
        return sum;
    }

}
