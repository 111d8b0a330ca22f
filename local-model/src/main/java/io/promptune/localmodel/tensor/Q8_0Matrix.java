package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q8_0 weights (blocks of 32: half scale d, 32 int8) with Q8_0 activations, in the order llama.cpp uses
 * on x86: it does not repack Q8_0 there, a single activation row goes to ggml_vec_dot_q8_0_q8_0 and two or
 * more to llamafile's tinyBLAS_Q0_AVX, and both keep, per output, 8 float lanes where lane j accumulates
 * fma(exact sum of elements 4j..4j+3 of block k, d_w * d_a, acc) in block order, then hsum_float_8.
 *
 * <p>The constructor repacks the tensor into its own copy, and the kernels never read the mapped file again:
 * the 32 values of each block as bytes, rows interleaved in pairs block by block (see {@link #quants}), in a
 * heap {@code byte[]} while the Q8_0 copies fit a quarter of the max heap (lab: the int16 kernel streams
 * 6-45% faster from a heap array than from a native segment), else off the heap (a multi-GB model must still
 * load with the launcher's default heap); the scales as the file's halves in a heap {@code short[]} (converted
 * per block with {@link Float#float16ToFloat}, one vcvtph2ps: float scales made the copy 36/34 of the file's bytes).
 * Matrix-vector products and batches of fewer than {@link #FLOAT_BATCH_ROWS} rows: two weight rows per pass
 * (one activation load for both, one sequential stream; on the heap copy two or four pairs in lockstep, two or four
 * streams: see {@link #dot4Heap} and, at 512 bits, {@link #dot8Wide}), int8 x int8 products in 16-bit lanes (see {@link #quadInts}), each pair of rows taken against
 * every activation row while its bytes are in L1.
 * Larger batches (prefill): {@link Q8_0BatchKernel}, float FMAs on row pairs widened once per batch.
 */
public final class Q8_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I_WIDE = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B_WIDE = ByteVector.SPECIES_512;
    private static final VectorSpecies<Long> L_WIDE = LongVector.SPECIES_512;
    private static final VectorSpecies<Short> S_WIDE = ShortVector.SPECIES_512;
    private static final VectorSpecies<Float> F_WIDE = FloatVector.SPECIES_512;
    private static final FloatVector NZ_WIDE = FloatVector.broadcast(F_WIDE, -0f);
    /** From a block's 32 activation shorts (xEven then xOdd, 256 bits each): xEven in both halves, or xOdd in both. */
    private static final VectorShuffle<Long> EVEN_TWICE = VectorShuffle.fromValues(L_WIDE, 0, 1, 2, 3, 0, 1, 2, 3);
    private static final VectorShuffle<Long> ODD_TWICE = VectorShuffle.fromValues(L_WIDE, 4, 5, 6, 7, 4, 5, 6, 7);
    /** From floats (d0, d1, ...): d0 in the low 8 lanes, d1 in the high 8 (a pair-block's two rows' scales). */
    private static final VectorShuffle<Float> SPREAD = VectorShuffle.fromOp(F_WIDE, i -> i / 8);
    /** A pair-block's 16 ints (8 per row) with the rows' lanes alternating: lane 2j from the first row's int j, 2j + 1 from the second's. */
    private static final VectorShuffle<Integer> ZIP = VectorShuffle.fromOp(I_WIDE, i -> (i & 1) * 8 + i / 2);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int BLOCK_BYTES = 34;

    /**
     * The copy on the heap (null off it): rows * cols bytes. Rows are interleaved in pairs, block by block: for
     * an even row r with r + 1 < rows, block k of row r is at r * cols + 64k and block k of row r + 1 at
     * r * cols + 64k + 32, so the two-row kernel reads one sequential stream; a last unpaired row lies plainly at
     * r * cols + 32k.
     */
    private final byte[] quants;
    /** The copy off the heap (null when {@link #quants} holds it), 32-byte aligned, in the same order. */
    private final MemorySegment packed;
    /**
     * Scales as fp16 bits (as in the file), paired like {@link #quants}: row r's block k at {@link #scaleBase} + k *
     * {@link #scaleStride}. The kernels widen them with {@link Float#float16ToFloat} (exact, as ggml's FP16_TO_FP32).
     */
    private final short[] scales;
    private final int blocks;


    public Q8_0Matrix(String name, int rows, int cols, MemorySegment data) {
        this(name, rows, cols, data, takeHeap((long) rows * cols));
        if (onHeap()) {
            long bytes = (long) rows * cols;
            HeapBudget.giveBackWhenCollected(this, bytes);
        }
    }

    /** With {@code onHeap} false the copy goes off the heap whatever its size (tests run both kernels). */
    Q8_0Matrix(String name, int rows, int cols, MemorySegment data, boolean onHeap) {
        super(name, GgmlType.Q8_0, rows, cols, data);
        blocks = cols / 32;
        quants = onHeap ? new byte[Math.multiplyExact(rows, cols)] : null;
        packed = onHeap ? null : Arena.ofAuto().allocate((long) rows * cols, 64);
        scales = new short[Math.multiplyExact(rows, blocks)];
        // a pair of rows at a time through heap arrays: one bulk copy in, one out (per-block segment copies took seconds per GB)
        byte[] in = new byte[(int) (2 * rowBytes)], out = new byte[2 * cols];
        for (int r = 0; r < rows; r += 2) {
            int n = Math.min(2, rows - r);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, r * rowBytes, in, 0, (int) (n * rowBytes));
            for (int i = 0; i < n; i++) {
                int row = r + i, qs = quantStride(row), q0 = (int) (quantBase(row) - (long) r * cols);
                int s0 = scaleBase(row), ss = scaleStride(row);
                for (int k = 0, p = (int) (i * rowBytes); k < blocks; k++, p += BLOCK_BYTES) {
                    scales[s0 + k * ss] = (short) ((in[p] & 0xFF) | (in[p + 1] << 8));
                    System.arraycopy(in, p + 2, out, q0 + k * qs, 32);
                }
            }
            if (onHeap) System.arraycopy(out, 0, quants, r * cols, n * cols);
            else MemorySegment.copy(out, 0, packed, ValueLayout.JAVA_BYTE, (long) r * cols, n * cols);
        }
    }

    /** Takes {@code bytes} from the {@link HeapBudget} if they fit (and one byte[] can hold them). */
    private static boolean takeHeap(long bytes) {
        if (bytes > Integer.MAX_VALUE - 64) return false;
        return HeapBudget.take(bytes);
    }

    /** True when the copy is on the heap. */
    boolean onHeap() { return quants != null; }

    private boolean paired(int row) { return (row | 1) < rows; }

    /** Byte offset of row {@code row}'s first block in {@link #quants}. */
    private long quantBase(int row) { return (long) (row & ~1) * cols + (paired(row) ? 32 * (row & 1) : 0); }

    /** Bytes from one block of a row to its next. */
    private int quantStride(int row) { return paired(row) ? 64 : 32; }

    private int scaleBase(int row) { return (row & ~1) * blocks + (paired(row) ? row & 1 : 0); }

    private int scaleStride(int row) { return paired(row) ? 2 : 1; }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_0; }

    /** Every kernel (and dequantizeRow, i.e. token embeddings) reads the copy, never the mapped bytes. */
    @Override
    public boolean repacked() { return true; }

    /** Value {@code i} (0..31) of block {@code k} of row {@code row}. */
    private byte value(int row, int k, int i) {
        return quantAt(quantBase(row) + (long) k * quantStride(row) + i);
    }

    private byte quantAt(long i) {
        return quants != null ? quants[(int) i] : packed.get(ValueLayout.JAVA_BYTE, i);
    }

    /**
     * The 8 exact quad sums (lane j = elements 4j..4j+3, ggml's AVX2 grouping) of the block at {@code q}
     * against activations (xEven, xOdd) in {@link Activations#wordPairs} order: bytes sign-extended into
     * 16-bit lanes, products summed in pairs (|b0*a0 + b1*a1| <= 2 * 128 * 127 fits), then the two halves of each int.
     */
    private IntVector quadInts(long q, ShortVector xEven, ShortVector xOdd) {
        return quadInts(IntVector.fromMemorySegment(I, packed, q, LE).reinterpretAsShorts(), xEven, xOdd);
    }

    /** {@link #quadInts(long, ShortVector, ShortVector)} from the heap copy. */
    private IntVector quadInts(int q, ShortVector xEven, ShortVector xOdd) {
        return quadInts(ByteVector.fromArray(B, quants, q).reinterpretAsShorts(), xEven, xOdd);
    }

    /** The quad sums of block bytes {@code s} (as 16 shorts). */
    private static IntVector quadInts(ShortVector s, ShortVector xEven, ShortVector xOdd) {
        IntVector u = s.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xEven)
                .add(s.lanewise(VectorOperators.ASHR, 8).mul(xOdd)).reinterpretAsInts();
        return u.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u.lanewise(VectorOperators.ASHR, 16));
    }

    @Override
    public float dot(int row, Activations a, int b) {
        return quants != null ? dotHeap(row, a, b) : dotPacked(row, a, b);
    }

    /** {@link #dot} on the heap copy (each storage its own kernel method: one type profile per call site). */
    private float dotHeap(int row, Activations a, int b) {
        int q = (int) quantBase(row);
        int qs = quantStride(row), si = scaleBase(row), ss = scaleStride(row), nb = blocks;
        short[] x = a.wordPairs;
        float[] ad = a.d;
        short[] wd = scales;
        int xo = a.rowOffset(b), bo = a.blockOffset(b);
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++, q += qs, si += ss) {
            IntVector quad = quadInts(q, ShortVector.fromArray(S, x, xo + 32 * k), ShortVector.fromArray(S, x, xo + 32 * k + 16));
            acc = ((FloatVector) quad.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(wd[si]) * ad[bo + k]), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    /** {@link #dot} on the off-heap copy. */
    private float dotPacked(int row, Activations a, int b) {
        long q = quantBase(row);
        int qs = quantStride(row), si = scaleBase(row), ss = scaleStride(row), nb = blocks;
        short[] x = a.wordPairs;
        float[] ad = a.d;
        short[] wd = scales;
        int xo = a.rowOffset(b), bo = a.blockOffset(b);
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++, q += qs, si += ss) {
            IntVector quad = quadInts(q, ShortVector.fromArray(S, x, xo + 32 * k), ShortVector.fromArray(S, x, xo + 32 * k + 16));
            acc = ((FloatVector) quad.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(wd[si]) * ad[bo + k]), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    /**
     * Rows {@code row} and {@code row + 1} (a pair: row even) against activation row {@code b}, reading the pair's one
     * stream (heap copy); {@code ws} holds the pair's scales as floats ({@link #widenPairScales}).
     */
    private void dot2Heap(int row, Activations a, int b, float[] ws, float[] o, int oi) {
        int q = (int) quantBase(row);
        short[] x = a.wordPairs;
        float[] ad = a.d;
        int nb = blocks, xo = a.rowOffset(b), bo = a.blockOffset(b);
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int k = 0; k < nb; k++, q += 64) {
            ShortVector xe = ShortVector.fromArray(S, x, xo + 32 * k), xd = ShortVector.fromArray(S, x, xo + 32 * k + 16);
            float dx = ad[bo + k];
            acc0 = ((FloatVector) quadInts(q, xe, xd).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[2 * k] * dx), acc0);
            acc1 = ((FloatVector) quadInts(q + 32, xe, xd).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[2 * k + 1] * dx), acc1);
        }
        o[oi] = GgmlSums.hsum8(acc0);
        o[oi + 1] = GgmlSums.hsum8(acc1);
    }

    /** {@link #dot2Heap} on the off-heap copy. */
    private void dot2Packed(int row, Activations a, int b, float[] ws, float[] o, int oi) {
        long q = quantBase(row);
        short[] x = a.wordPairs;
        float[] ad = a.d;
        int nb = blocks, xo = a.rowOffset(b), bo = a.blockOffset(b);
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int k = 0; k < nb; k++, q += 64) {
            ShortVector xe = ShortVector.fromArray(S, x, xo + 32 * k), xd = ShortVector.fromArray(S, x, xo + 32 * k + 16);
            float dx = ad[bo + k];
            acc0 = ((FloatVector) quadInts(q, xe, xd).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[2 * k] * dx), acc0);
            acc1 = ((FloatVector) quadInts(q + 32, xe, xd).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[2 * k + 1] * dx), acc1);
        }
        o[oi] = GgmlSums.hsum8(acc0);
        o[oi + 1] = GgmlSums.hsum8(acc1);
    }

    /**
     * {@link #dot2Heap} for two stored pairs at once (rows {@code row..row + 3}; the second pair's widened scales at
     * ws[2 * blocks]): each row's operations and order are dot2Heap's, so results are bit-identical, but a core reads two
     * weight streams (2 * cols bytes apart) instead of one and keeps more loads in flight when decoding from memory (lab,
     * 1 thread: 1/2/4/8 sequential streams read 5.4/8.0/11.7/12.6 GB/s). The quad products are written out rather than
     * called through {@link #quadInts} (with those calls inside {@code dotEach} C2 boxed the vectors: gc 5800+), and the
     * accumulators go through {@code sums} to {@link GgmlSums#hsum8(float[], int)} (32 lane extractions in one method
     * left some uninlined: boxed at every call, which slowed SmolLM2's short-row output matrix).
     */
    private void dot4Heap(int row, Activations a, int b, float[] ws, float[] sums, float[] o, int oi) {
        int q = (int) quantBase(row), ps = 2 * cols;
        byte[] w = quants;
        short[] x = a.wordPairs;
        float[] ad = a.d;
        int nb = blocks, xo = a.rowOffset(b), bo = a.blockOffset(b), w1 = 2 * nb;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k = 0; k < nb; k++, q += 64) {
            ShortVector xe = ShortVector.fromArray(S, x, xo + 32 * k), xd = ShortVector.fromArray(S, x, xo + 32 * k + 16);
            float dx = ad[bo + k];
            int k2 = 2 * k;
            ShortVector s0 = ByteVector.fromArray(B, w, q).reinterpretAsShorts(), s1 = ByteVector.fromArray(B, w, q + 32).reinterpretAsShorts();
            ShortVector s2 = ByteVector.fromArray(B, w, q + ps).reinterpretAsShorts(), s3 = ByteVector.fromArray(B, w, q + ps + 32).reinterpretAsShorts();
            IntVector u0 = s0.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xe).add(s0.lanewise(VectorOperators.ASHR, 8).mul(xd)).reinterpretAsInts();
            IntVector u1 = s1.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xe).add(s1.lanewise(VectorOperators.ASHR, 8).mul(xd)).reinterpretAsInts();
            IntVector u2 = s2.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xe).add(s2.lanewise(VectorOperators.ASHR, 8).mul(xd)).reinterpretAsInts();
            IntVector u3 = s3.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xe).add(s3.lanewise(VectorOperators.ASHR, 8).mul(xd)).reinterpretAsInts();
            c0 = ((FloatVector) u0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u0.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[k2] * dx), c0);
            c1 = ((FloatVector) u1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u1.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[k2 + 1] * dx), c1);
            c2 = ((FloatVector) u2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u2.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[w1 + k2] * dx), c2);
            c3 = ((FloatVector) u3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u3.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws[w1 + k2 + 1] * dx), c3);
        }
        c0.intoArray(sums, 0);
        c1.intoArray(sums, 8);
        c2.intoArray(sums, 16);
        c3.intoArray(sums, 24);
        for (int i = 0; i < 4; i++) o[oi + i] = GgmlSums.hsum8(sums, 8 * i);
    }

    /**
     * Four stored pairs (rows {@code row..row + 7}) per pass at 512 bits: a pair-block's 64 bytes are one vector, the
     * first row's 8 int lanes then the second's, so each lane does what the 256-bit kernel's lane does (same quad sum,
     * same fma order: bit-identical) while a pass reads four weight streams (one core keeps more loads in flight: lab,
     * TinyLlama-shaped GEMVs from memory, 8.0-8.5 vs dot4Heap's 7.2-7.3 GB/s per CPU-second) with half the instructions
     * per byte. The activation shorts are loaded once per block and doubled by two lane permutes; {@code ws} holds the
     * pairs' scales as {@link #widenPairScales} writes them (pair p at 2 * blocks * p), each block's two spread over the
     * vector's halves by a lane permute (spreading them in a separate pass cost ~15% in L2), with 14 floats of room past
     * the last pair for the last block's 16-float load.
     * <p>Shaped so C2 knows every vector's exact class while parsing (else a guard whose miss path, past the method's trap
     * limit, becomes a virtual call and the chain boxes: the flaky "gc in the thousands" compiles): the accumulators live
     * in {@code sums} (loaded and stored each block, no loop-carried vector), conversions name their species, no zero
     * vector. Under {@code -XX:-UseTypeSpeculation} (which makes that failure deterministic) the loop-carried version
     * boxed every run. Two more conditions (KernelAllocationTest's probe still read 0.6 MB per decode token without them):
     * the four pairs' code is written once in a loop over the pairs, because written out four times the parse passed C2's
     * inlining node budget at the second pair and the later calls, late-inlined, lost their receivers' exact classes; and
     * the FMA's receiver is the scale product ({@code fma(quad, d, acc) == d.lanewise(FMA, quad, acc)} bit for bit), not the
     * converted quad sums, whose class C2 does not see.
     */
    private void dot8Wide(int row, Activations a, int b, float[] ws, float[] sums, float[] o, int oi) {
        int q = (int) quantBase(row), ps = 2 * cols;
        byte[] w = quants;
        short[] x = a.wordPairs;
        float[] ad = a.d;
        int nb = blocks, xo = a.rowOffset(b), bo = a.blockOffset(b), wn = 2 * nb;
        java.util.Arrays.fill(sums, 0, 64, 0f);
        for (int k = 0; k < nb; k++, q += 64) {
            LongVector xl = (LongVector) ShortVector.fromArray(S_WIDE, x, xo + 32 * k).reinterpretShape(L_WIDE, 0);
            ShortVector xe = (ShortVector) xl.rearrange(EVEN_TWICE).reinterpretShape(S_WIDE, 0), xd = (ShortVector) xl.rearrange(ODD_TWICE).reinterpretShape(S_WIDE, 0);
            FloatVector dx = FloatVector.broadcast(F_WIDE, ad[bo + k]);
            for (int p = 0, wq = q, wi = 2 * k; p < 4; p++, wq += ps, wi += wn) {
                ShortVector s = (ShortVector) ByteVector.fromArray(B_WIDE, w, wq).reinterpretShape(S_WIDE, 0);
                IntVector u = (IntVector) s.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xe).add(s.lanewise(VectorOperators.ASHR, 8).mul(xd)).reinterpretShape(I_WIDE, 0);
                FloatVector.fromArray(F_WIDE, ws, wi).rearrange(SPREAD).lanewise(VectorOperators.MUL, dx)
                        .lanewise(VectorOperators.FMA, u.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(u.lanewise(VectorOperators.ASHR, 16)).convertShape(VectorOperators.I2F, F_WIDE, 0), FloatVector.fromArray(F_WIDE, sums, 16 * p))
                        .intoArray(sums, 16 * p);
            }
        }
        for (int i = 0; i < 8; i++) o[oi + i] = GgmlSums.hsum8(sums, 8 * i);
    }

    /**
     * The scales of the pair at even row {@code row} as floats into ws[wo..wo + 2 * blocks) (block k of the pair's rows at
     * 2k, 2k + 1): one pass C2 vectorizes (vcvtph2ps), so the kernels' block loops read floats. Converting per block
     * inside the loop cost the GEMV ~5% (lab, 5632x2048).
     */
    private void widenPairScales(int row, float[] ws, int wo) {
        short[] s = scales;
        int si = scaleBase(row), n = 2 * blocks;
        for (int i = 0; i < n; i++) ws[wo + i] = Float.float16ToFloat(s[si + i]);
    }

    /** Up to eight rows' accumulators, stored for the hsums (lane extraction of four vectors in one method boxed them). */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[64]);

    private static final ThreadLocal<float[]> PAIR_SCALES = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's scratch for a pair's widened scales. */
    private float[] pairScales() {
        float[] ws = PAIR_SCALES.get();
        if (ws.length < 8 * blocks + 16) PAIR_SCALES.set(ws = new float[8 * blocks + 16]);
        return ws;
    }

    /**
     * Batches of at least this many rows take {@link Q8_0BatchKernel} (a row pair is widened once for all of them).
     * On the heap copy the int16 kernel was faster up to ~32 rows in the lab (2048x2048: 14.9 vs 13.1 GMAC/s at
     * batch 8) but not in SmolLM2's batched decode at N=8/16 (3 alternated pairs, +6% CPU per token at N=16), so
     * both copies switch at 8.
     */
    static final int FLOAT_BATCH_ROWS = 8;

    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        if (a.rows < FLOAT_BATCH_ROWS) dotEach(r0, r1, a, out, outCol0);
        else if (VectorWidth.WIDE) Q8_0WideBatchKernel.dotRows(this, r0, r1, a, out, outCol0);
        else Q8_0BatchKernel.dotRows(this, r0, r1, a, out, outCol0);
    }

    /**
     * Widens blocks [k0, k1) of rows {@code r0} and {@code r1} into integer-valued floats for {@link Q8_0BatchKernel}, one
     * row after the other: with n = k1 - k0, block k of row r0 at wq[wo + 32(k - k0)] and of row r1 at wq[wo + 32n + 32(k - k0)],
     * each in {@link Activations#quads} order (vector v holds element 4j + v in lane j: byte v of int lane j, sign-extended
     * by shifts); scales to wd[so + k - k0] and wd[so + n + k - k0].
     */
    void widenPair(int r0, int r1, int k0, int k1, float[] wq, int wo, float[] wd, int so) {
        int n = k1 - k0;
        for (int i = 0; i < 2; i++) {
            int row = i == 0 ? r0 : r1, qs = quantStride(row), ss = scaleStride(row), si = scaleBase(row) + k0 * ss;
            long q = quantBase(row) + (long) k0 * qs;
            for (int k = 0, o = wo + 32 * n * i; k < n; k++, q += qs, si += ss, o += 32) {
                IntVector v = quants != null ? ByteVector.fromArray(B, quants, (int) q).reinterpretAsInts() : IntVector.fromMemorySegment(I, packed, q, LE);
                ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o);
                ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o + 8);
                ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o + 16);
                ((FloatVector) v.lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o + 24);
                wd[so + i * n + k] = Float.float16ToFloat(scales[si]);
            }
        }
    }

    /**
     * Widens blocks [k0, k1) of rows {@code r0} and {@code r1} for {@link Q8_0WideBatchKernel}, the two rows interleaved:
     * block k at wq[wo + 80(k - k0)], its quads vector v (see {@link #widenPair}) at + 16v with lane 2j from row r0 and
     * 2j + 1 from r1, then the scales {d0, d1, d0, d1, ...} at + 64. A stored pair (r0 even, r1 = r0 + 1) is one 64-byte
     * load and a lane shuffle per block; other rows (a range starting at an odd row, a last row with itself) go value by value.
     */
    void widenPairInterleaved(int r0, int r1, int k0, int k1, float[] wq, int wo) {
        int n = k1 - k0;
        if ((r0 & 1) == 0 && r1 == r0 + 1) {
            long q = (long) r0 * cols + 64L * k0;
            short[] sc = scales;
            int si = scaleBase(r0) + 2 * k0;
            for (int k = 0, o = wo; k < n; k++, q += 64, o += 80, si += 2) {
                IntVector v = (quants != null ? ByteVector.fromArray(B_WIDE, quants, (int) q).reinterpretAsInts()
                        : IntVector.fromMemorySegment(I_WIDE, packed, q, LE)).rearrange(ZIP);
                ((FloatVector) v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o);
                ((FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o + 16);
                ((FloatVector) v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o + 32);
                ((FloatVector) v.lanewise(VectorOperators.ASHR, 24).convertShape(VectorOperators.I2F, F_WIDE, 0)).intoArray(wq, o + 48);
                long d = Float.floatToRawIntBits(Float.float16ToFloat(sc[si])) & 0xFFFFFFFFL
                        | (long) Float.floatToRawIntBits(Float.float16ToFloat(sc[si + 1])) << 32; // lane 0 = the low half
                NZ_WIDE.lanewise(VectorOperators.ADD, (FloatVector) LongVector.broadcast(L_WIDE, d).reinterpretShape(F_WIDE, 0)).intoArray(wq, o + 64); // -0 + x == x: a store receiver of a class C2 sees
            }
        } else {
            for (int h = 0; h < 2; h++) {
                int row = h == 0 ? r0 : r1;
                for (int k = 0; k < n; k++) {
                    for (int v = 0; v < 4; v++) {
                        for (int j = 0; j < 8; j++) wq[wo + 80 * k + 16 * v + 2 * j + h] = value(row, k0 + k, 4 * j + v);
                    }
                    for (int j = 0; j < 8; j++) wq[wo + 80 * k + 64 + 2 * j + h] = scale(row, k0 + k);
                }
            }
        }
    }

    /** Row pairs (two rows per pass) for every activation row; a pair's bytes stay in L1 from one activation row to the next. */
    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        int r = r0;
        if ((r & 1) == 1 && r < r1) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
            r++;
        }
        float[] ws = pairScales(), sums = SUMS.get();
        if (quants != null) {
            if (VectorWidth.WIDE) {
                for (; r + 8 <= r1 && paired(r + 6); r += 8) {
                    for (int p = 0; p < 4; p++) widenPairScales(r + 2 * p, ws, 2 * blocks * p);
                    for (int b = 0; b < a.rows; b++) dot8Wide(r, a, b, ws, sums, o, b * oc + outCol0 + r);
                }
            }
            for (; r + 4 <= r1 && paired(r + 2); r += 4) {
                widenPairScales(r, ws, 0);
                widenPairScales(r + 2, ws, 2 * blocks);
                for (int b = 0; b < a.rows; b++) dot4Heap(r, a, b, ws, sums, o, b * oc + outCol0 + r);
            }
            for (; r + 2 <= r1 && paired(r); r += 2) {
                widenPairScales(r, ws, 0);
                for (int b = 0; b < a.rows; b++) dot2Heap(r, a, b, ws, o, b * oc + outCol0 + r);
            }
        } else {
            for (; r + 2 <= r1 && paired(r); r += 2) {
                widenPairScales(r, ws, 0);
                for (int b = 0; b < a.rows; b++) dot2Packed(r, a, b, ws, o, b * oc + outCol0 + r);
            }
        }
        for (; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < blocks; k++) {
            int sumi = 0;
            for (int j = 0; j < 32; j++) sumi += value(row, k, j) * a.qBytes[xo + k * 32 + j];
            sum += sumi * (scale(row, k) * a.d[bo + k]);
        }
        return sum;
    }

    private float scale(int row, int k) { return Float.float16ToFloat(scales[scaleBase(row) + k * scaleStride(row)]); }

    /** Token embeddings read this: one row's values d * q, from the copy. */
    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        long q = quantBase(row);
        int qs = quantStride(row), si = scaleBase(row), ss = scaleStride(row);
        for (int k = 0; k < blocks; k++, q += qs, si += ss) {
            float d = Float.float16ToFloat(scales[si]);
            for (int j = 0; j < 32; j++) out[offset + k * 32 + j] = d * quantAt(q + j);
        }
    }
}
