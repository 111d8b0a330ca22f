package io.promptune.localmodel.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Repacked Q4_K weights times a batch of Q8_K activation rows (prefill) with float FMAs on exact integers, in the
 * order of llama.cpp's ggml_gemm_q4_K_8x8_q8_K (AVX2): per weight row, activation row and pair of sub-blocks h
 * (64 values) the exact total sc_2h * dot_2h + sc_2h+1 * dot_2h+1 and the exact min total
 * m_2h * bsum_2h + m_2h+1 * bsum_2h+1, accumulated as acc = fma(total, d * d_a, acc), accm = fma(mins, dmin * d_a,
 * accm); the result acc - accm (as {@link Q4_KMatrix}'s GEMM rows, bit for bit).
 *
 * <p>Why floats: each weight is widened once per batch into an integer-valued float already multiplied by its
 * sub-block scale (at most 63 * 15 = 945), so a product with an activation is at most 945 * 128 and a sum of the
 * 64 products of a sub-block pair stays below 2^23: exact in float in any order, and exactly the integer total
 * ggml converts. The micro-kernel runs 16 weight rows (two 8-row groups in the lanes of two vectors) against 4
 * activation rows (broadcast): 2 weight loads and 4 broadcasts feed 8 FMAs, against ~14 vector ops per 8 lanes of
 * 16-bit products in the per-row integer kernel. One super-block of the 16 rows (16 KB widened) stays in L1
 * while every activation row of the batch passes over it; the accumulators live in arrays between super-blocks.
 */
final class Q4_KBatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    /** The 512-bit tiles' species: one vector holds the 16 rows of both groups (lane 8g + l as the two 8-lane ones). */
    private static final VectorSpecies<Float> W = FloatVector.SPECIES_512;

    /**
     * GEMM rows (a batch's rows in whole fours) from which this kernel runs instead of the per-row integer one: one
     * four already pays for the widening (lab, 2048x2048 batch 4: 13-15 -> 18-19 GMAC/s; 5632x2048: 13.0 -> 13.8).
     */
    static final int MIN_ROWS = 4;

    /** Offsets in a group's super-block of {@link Q4_KMatrix}'s copy: d, dmin, scale ints, nibble ints. */
    private static final int DMIN = 32, SCALES = 64, NIBBLES = 160;

    private Q4_KBatchKernel() { }

    /**
     * A thread's widened super-block of a panel and its accumulators, kept between calls. The 256-bit path's panel is
     * two groups (P = 16 rows), the 512-bit path's four (P = 32: two 16-lane vectors per value).
     */
    private static final class Scratch {
        /** Widened weights: value e (0..63) of sub-block pair h, row 8g + l at wo + (64h + e) * P + 8g + l. */
        final float[] w = new float[256 * 32 + 16];
        /**
         * Where {@link #w}'s panel starts: on a 64-byte boundary, so no 512-bit load splits a cache line (in-L1 lab: 80-84
         * vs 72-75 GMAC/s misaligned). The scratch lives as long as its thread, so the GC rarely moves it.
         */
        final int wo = HeapAlignment.firstAligned(w, 64);
        /** d, dmin of row 8g + l at 8g + l. */
        final float[] d = new float[32], dmin = new float[32];
        /**
         * Sub-block j's scale (sc) and min (m) of row 8g + l as floats: at 8 * (8g + j) + l (256-bit path), at 32j + 8g + l
         * (512-bit path: a 16-row half of the panel is one vector).
         */
        final float[] sc = new float[256], m = new float[256];
        /** A tile's exact totals (see {@link #tile} and {@link #tileWide}). */
        final float[] tot = new float[1024];
        /** acc and accm of activation row b and row 8g + l at P * b + 8g + l. */
        float[] acc = new float[0], accm = new float[0];
        /** The batch's activation rows interleaved by fours. */
        final FourRows x = new FourRows();
        /** {@link Activations#sums32} of {@link #sumsOf} as floats (exact: |sum| <= 32 * 128). */
        float[] sums = new float[0];
        private Activations sumsOf;

        /**
         * The 32-value sums of {@code a} as floats, converted once per thread and batch: {@link #mins} broadcast
         * them from memory instead of converting an int per broadcast (vcvtsi2ss: 11% of the kernel went to mins).
         */
        float[] sumsOf(Activations a) {
            if (sumsOf != a) {
                int[] q8s = a.sums32;
                if (sums.length < q8s.length) sums = new float[q8s.length];
                for (int i = 0; i < q8s.length; i++) sums[i] = q8s[i];
                sumsOf = a;
            }
            return sums;
        }

        Scratch fit(int rows) {
            if (acc.length < 32 * rows) {
                acc = new float[32 * rows];
                accm = new float[32 * rows];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code out[b][outCol0 + r]} for rows [r0, r1) (whole 8-row groups computed, only [r0, r1) written) and the
     * activation rows b < {@code gemmRows} (a multiple of 4), from the group-interleaved copy ({@code heap} from
     * {@code heapBase} when not null, else {@code packed}) of a
     * matrix with {@code nb} super-blocks per row ({@code groupBlockBytes} per group and super-block), on the 512-bit
     * path when {@code wide} (the same results).
     */
    static void dotRows(boolean wide, MemorySegment packed, byte[] heap, int heapBase, int nb, long groupBlockBytes, int r0, int r1, int gemmRows,
                        Activations a, FloatBatch out, int outCol0) {
        if (wide) {
            dotRowsWide(packed, heap, heapBase, nb, groupBlockBytes, r0, r1, gemmRows, a, out, outCol0);
            return;
        }
        Scratch s = SCRATCH.get().fit(gemmRows);
        float[] acc = s.acc, accm = s.accm, o = out.data(), x = s.x.of(a, gemmRows), q8s = s.sumsOf(a);
        int oc = out.cols(), gEnd = (r1 + 7) >> 3;
        for (int g0 = r0 >> 3; g0 < gEnd; g0 += 2) {
            int g1 = Math.min(g0 + 1, gEnd - 1); // an odd last group is widened twice, written once
            java.util.Arrays.fill(acc, 0, 16 * gemmRows, 0f);
            java.util.Arrays.fill(accm, 0, 16 * gemmRows, 0f);
            for (int k = 0; k < nb; k++) {
                if (heap != null) {
                    widenHeap(heap, heapBase + (int) ((g0 * (long) nb + k) * groupBlockBytes), 0, NARROW, s);
                    widenHeap(heap, heapBase + (int) ((g1 * (long) nb + k) * groupBlockBytes), 1, NARROW, s);
                } else {
                    widen(packed, (g0 * (long) nb + k) * groupBlockBytes, 0, NARROW, s);
                    widen(packed, (g1 * (long) nb + k) * groupBlockBytes, 1, NARROW, s);
                }
                for (int b = 0; b < gemmRows; b += 4) {
                    tile(s.w, s.wo, x, b * a.cols + 1024 * k, s.tot);
                    accumulate(s.tot, 0, s.d, a.d, a.blockOffset(b) + k, nb, acc, 16 * b);
                    mins(s.m, s.dmin, q8s, 8 * (a.blockOffset(b) + k), 8 * nb, a.d, a.blockOffset(b) + k, nb, accm, 16 * b);
                }
            }
            for (int g = g0; g <= g1; g++) {
                int lo = Math.max(0, r0 - 8 * g), hi = Math.min(8, r1 - 8 * g), at = 8 * (g - g0);
                for (int b = 0; b < gemmRows; b++) {
                    int ob = b * oc + outCol0 + 8 * g;
                    if (lo == 0 && hi == 8) {
                        FloatVector.fromArray(F, acc, 16 * b + at).sub(FloatVector.fromArray(F, accm, 16 * b + at)).intoArray(o, ob);
                    } else {
                        for (int l = lo; l < hi; l++) o[ob + l] = acc[16 * b + at + l] - accm[16 * b + at + l];
                    }
                }
            }
        }
    }

    /**
     * {@link #dotRows} at 512 bits: panels of four groups (32 rows) widened once per super-block, then every
     * activation row of the batch in eights ({@link #tileWide}) and a last four ({@link #tileWide4}).
     */
    private static void dotRowsWide(MemorySegment packed, byte[] heap, int heapBase, int nb, long groupBlockBytes, int r0, int r1, int gemmRows,
                                    Activations a, FloatBatch out, int outCol0) {
        Scratch s = SCRATCH.get().fit(gemmRows);
        float[] acc = s.acc, accm = s.accm, o = out.data(), x = s.x.of(a, gemmRows), q8s = s.sumsOf(a);
        int oc = out.cols(), gEnd = (r1 + 7) >> 3;
        for (int g0 = r0 >> 3; g0 < gEnd; g0 += 4) {
            java.util.Arrays.fill(acc, 0, 32 * gemmRows, 0f);
            java.util.Arrays.fill(accm, 0, 32 * gemmRows, 0f);
            for (int k = 0; k < nb; k++) {
                for (int j = 0; j < 4; j++) {
                    long g = Math.min(g0 + j, gEnd - 1); // a panel past the last group repeats it, written once
                    if (heap != null) {
                        widenHeap(heap, heapBase + (int) ((g * nb + k) * groupBlockBytes), j, WIDE_PANEL, s);
                    } else {
                        widen(packed, (g * nb + k) * groupBlockBytes, j, WIDE_PANEL, s);
                    }
                }
                int b = 0;
                for (; b + 8 <= gemmRows; b += 8) {
                    tileWide(s.w, s.wo, x, b * a.cols + 1024 * k, (b + 4) * a.cols + 1024 * k, s.tot);
                    accumulateWide(s.tot, 0, s.d, a.d, a.blockOffset(b) + k, nb, acc, 32 * b);
                    accumulateWide(s.tot, 512, s.d, a.d, a.blockOffset(b + 4) + k, nb, acc, 32 * (b + 4));
                    minsWide(s.m, s.dmin, q8s, 8 * (a.blockOffset(b) + k), 8 * nb, a.d, a.blockOffset(b) + k, nb, accm, 32 * b);
                    minsWide(s.m, s.dmin, q8s, 8 * (a.blockOffset(b + 4) + k), 8 * nb, a.d, a.blockOffset(b + 4) + k, nb, accm, 32 * (b + 4));
                }
                if (b < gemmRows) {
                    tileWide4(s.w, s.wo, x, b * a.cols + 1024 * k, s.tot);
                    accumulateWide(s.tot, 0, s.d, a.d, a.blockOffset(b) + k, nb, acc, 32 * b);
                    minsWide(s.m, s.dmin, q8s, 8 * (a.blockOffset(b) + k), 8 * nb, a.d, a.blockOffset(b) + k, nb, accm, 32 * b);
                }
            }
            for (int g = g0; g < Math.min(g0 + 4, gEnd); g++) {
                int lo = Math.max(0, r0 - 8 * g), hi = Math.min(8, r1 - 8 * g), at = 8 * (g - g0);
                for (int b = 0; b < gemmRows; b++) {
                    int ob = b * oc + outCol0 + 8 * g;
                    if (lo == 0 && hi == 8) {
                        FloatVector.fromArray(F, acc, 32 * b + at).sub(FloatVector.fromArray(F, accm, 32 * b + at)).intoArray(o, ob);
                    } else {
                        for (int l = lo; l < hi; l++) o[ob + l] = acc[32 * b + at + l] - accm[32 * b + at + l];
                    }
                }
            }
        }
    }

    /** Panel widths (rows) of the two paths: two groups at 256 bits, four at 512. */
    private static final int NARROW = 16, WIDE_PANEL = 32;

    /**
     * Group super-block at {@code p} into slot {@code g} (0..P/8-1) of a {@code P}-row panel in the scratch: its d and
     * dmin, its 6-bit scales and mins as floats (get_scale_min_k4 in lanes; scale j of the slot's row l at Pj + 8g + l),
     * and its nibbles times their sub-block scale as floats.
     */
    private static void widen(MemorySegment packed, long p, int g, int P, Scratch s) {
        FloatVector.fromMemorySegment(F, packed, p, ByteOrder.LITTLE_ENDIAN).intoArray(s.d, 8 * g);
        FloatVector.fromMemorySegment(F, packed, p + DMIN, ByteOrder.LITTLE_ENDIAN).intoArray(s.dmin, 8 * g);
        IntVector a = IntVector.fromMemorySegment(I, packed, p + SCALES, ByteOrder.LITTLE_ENDIAN); // scale bytes 0-3
        IntVector m = IntVector.fromMemorySegment(I, packed, p + SCALES + 32, ByteOrder.LITTLE_ENDIAN); // bytes 4-7
        IntVector b = IntVector.fromMemorySegment(I, packed, p + SCALES + 64, ByteOrder.LITTLE_ENDIAN); // bytes 8-11
        IntVector s4 = b.and(0x0F0F0F0F).or(a.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        IntVector m4 = b.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(m.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        float[] sc = s.sc, mm = s.m;
        int o = 8 * g;
        ((FloatVector) a.and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + P);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 2 * P);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 3 * P);
        ((FloatVector) s4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 4 * P);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 5 * P);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 6 * P);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 7 * P);
        ((FloatVector) m.and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + P);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 2 * P);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 3 * P);
        ((FloatVector) m4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 4 * P);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 5 * P);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 6 * P);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 7 * P);
        for (int h = 0; h < 4; h++) widenPair(packed, p + NIBBLES + 256 * h, sc, o + 2 * h * P, P, s.w, s.wo + 64 * h * P + o);
    }

    /** As {@link #widen} from the heap copy (its own method: one kind of copy per compiled body). */
    private static void widenHeap(byte[] heap, int p, int g, int P, Scratch s) {
        ByteVector.fromArray(B, heap, p).reinterpretAsFloats().intoArray(s.d, 8 * g);
        ByteVector.fromArray(B, heap, p + DMIN).reinterpretAsFloats().intoArray(s.dmin, 8 * g);
        IntVector a = ByteVector.fromArray(B, heap, p + SCALES).reinterpretAsInts(); // scale bytes 0-3
        IntVector m = ByteVector.fromArray(B, heap, p + SCALES + 32).reinterpretAsInts(); // bytes 4-7
        IntVector b = ByteVector.fromArray(B, heap, p + SCALES + 64).reinterpretAsInts(); // bytes 8-11
        IntVector s4 = b.and(0x0F0F0F0F).or(a.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        IntVector m4 = b.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(m.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        float[] sc = s.sc, mm = s.m;
        int o = 8 * g;
        ((FloatVector) a.and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + P);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 2 * P);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 3 * P);
        ((FloatVector) s4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 4 * P);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 5 * P);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 6 * P);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 7 * P);
        ((FloatVector) m.and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + P);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 2 * P);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 3 * P);
        ((FloatVector) m4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 4 * P);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 5 * P);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 6 * P);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 7 * P);
        for (int h = 0; h < 4; h++) widenPairHeap(heap, p + NIBBLES + 256 * h, sc, o + 2 * h * P, P, s.w, s.wo + 64 * h * P + o);
    }

    /**
     * Sub-block pair h of a group: int v of row l (at q + 32v) holds bytes 4v..4v+3, whose low nibbles are values
     * 4v..4v+3 of sub-block 2h and high nibbles those of sub-block 2h+1; value e of the pair (0..31 low, 32..63
     * high) goes to w[wo + Pe], times its scale (sc[so], sc[so + P]).
     */
    private static void widenPair(MemorySegment packed, long q, float[] sc, int so, int P, float[] w, int wo) {
        FloatVector lo = FloatVector.fromArray(F, sc, so), hi = FloatVector.fromArray(F, sc, so + P);
        for (int v = 0; v < 8; v++) {
            IntVector x = IntVector.fromMemorySegment(I, packed, q + 32 * v, ByteOrder.LITTLE_ENDIAN);
            int e = wo + 4 * P * v;
            ((FloatVector) x.and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 2 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 3 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 32 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 33 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 34 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 35 * P);
        }
    }

    /** As {@link #widenPair} from the heap copy (its own method: one kind of copy per compiled body). */
    private static void widenPairHeap(byte[] heap, int q, float[] sc, int so, int P, float[] w, int wo) {
        FloatVector lo = FloatVector.fromArray(F, sc, so), hi = FloatVector.fromArray(F, sc, so + P);
        for (int v = 0; v < 8; v++) {
            IntVector x = ByteVector.fromArray(B, heap, q + 32 * v).reinterpretAsInts();
            int e = wo + 4 * P * v;
            ((FloatVector) x.and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 2 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 3 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 32 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 33 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 34 * P);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 35 * P);
        }
    }

    /**
     * The 16 widened rows (from w[wo]) times 4 activation rows (super-block k's values, interleaved by {@link FourRows} from
     * x0): per sub-block pair h the 8 exact totals into tot[64h..64h+63] (activation row r, row 8g + l at 64h + 16r +
     * 8g + l). Nothing else is live across the loop: with the scale products here too C2 ran out of registers and kept
     * two of the 8 sums on the stack.
     */
    static void tile(float[] w, int wo, float[] x, int x0, float[] tot) {
        for (int h = 0; h < 4; h++) {
            FloatVector t00 = FloatVector.zero(F), t01 = t00, t02 = t00, t03 = t00, t10 = t00, t11 = t00, t12 = t00, t13 = t00;
            int wb = wo + 1024 * h, xb = x0 + 256 * h;
            for (int e = 0; e < 64; e++) {
                int wi = wb + 16 * e, xi = xb + 4 * e;
                FloatVector w0 = FloatVector.fromArray(F, w, wi), w1 = FloatVector.fromArray(F, w, wi + 8);
                FloatVector b = FloatVector.broadcast(F, x[xi]);
                t00 = w0.fma(b, t00);
                t10 = w1.fma(b, t10);
                b = FloatVector.broadcast(F, x[xi + 1]);
                t01 = w0.fma(b, t01);
                t11 = w1.fma(b, t11);
                b = FloatVector.broadcast(F, x[xi + 2]);
                t02 = w0.fma(b, t02);
                t12 = w1.fma(b, t12);
                b = FloatVector.broadcast(F, x[xi + 3]);
                t03 = w0.fma(b, t03);
                t13 = w1.fma(b, t13);
            }
            int t = 64 * h;
            t00.intoArray(tot, t);
            t10.intoArray(tot, t + 8);
            t01.intoArray(tot, t + 16);
            t11.intoArray(tot, t + 24);
            t02.intoArray(tot, t + 32);
            t12.intoArray(tot, t + 40);
            t03.intoArray(tot, t + 48);
            t13.intoArray(tot, t + 56);
        }
    }

    /**
     * {@link #tile} at 512 bits over a 32-row panel (two 16-lane vectors per value) and two fours of activation rows
     * (from x0 and x1): 16 sums, 2 weight loads and 8 broadcasts per 16 FMAs (a 16-row panel needs a broadcast per FMA
     * and ran at 58-61 GMAC/s in L1 where this runs at 75-80). Totals of pair h, activation row r of the first four, panel
     * row R at tot[128h + 32r + R], of the second four from 512. Every total is an exact integer whatever the order of
     * its products, so the results are the 256-bit tile's, bit for bit.
     */
    static void tileWide(float[] w, int wo, float[] x, int x0, int x1, float[] tot) {
        for (int h = 0; h < 4; h++) {
            FloatVector a0 = FloatVector.zero(W), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
            int wb = wo + 2048 * h, xa = x0 + 256 * h, xb = x1 + 256 * h;
            for (int e = 0; e < 64; e++) {
                FloatVector v = FloatVector.fromArray(W, w, wb + 32 * e), u = FloatVector.fromArray(W, w, wb + 32 * e + 16);
                int ia = xa + 4 * e, ib = xb + 4 * e;
                FloatVector c = FloatVector.broadcast(W, x[ia]);
                a0 = v.fma(c, a0);
                b0 = u.fma(c, b0);
                c = FloatVector.broadcast(W, x[ia + 1]);
                a1 = v.fma(c, a1);
                b1 = u.fma(c, b1);
                c = FloatVector.broadcast(W, x[ia + 2]);
                a2 = v.fma(c, a2);
                b2 = u.fma(c, b2);
                c = FloatVector.broadcast(W, x[ia + 3]);
                a3 = v.fma(c, a3);
                b3 = u.fma(c, b3);
                c = FloatVector.broadcast(W, x[ib]);
                a4 = v.fma(c, a4);
                b4 = u.fma(c, b4);
                c = FloatVector.broadcast(W, x[ib + 1]);
                a5 = v.fma(c, a5);
                b5 = u.fma(c, b5);
                c = FloatVector.broadcast(W, x[ib + 2]);
                a6 = v.fma(c, a6);
                b6 = u.fma(c, b6);
                c = FloatVector.broadcast(W, x[ib + 3]);
                a7 = v.fma(c, a7);
                b7 = u.fma(c, b7);
            }
            int t = 128 * h;
            a0.intoArray(tot, t);
            b0.intoArray(tot, t + 16);
            a1.intoArray(tot, t + 32);
            b1.intoArray(tot, t + 48);
            a2.intoArray(tot, t + 64);
            b2.intoArray(tot, t + 80);
            a3.intoArray(tot, t + 96);
            b3.intoArray(tot, t + 112);
            a4.intoArray(tot, t + 512);
            b4.intoArray(tot, t + 528);
            a5.intoArray(tot, t + 544);
            b5.intoArray(tot, t + 560);
            a6.intoArray(tot, t + 576);
            b6.intoArray(tot, t + 592);
            a7.intoArray(tot, t + 608);
            b7.intoArray(tot, t + 624);
        }
    }

    /** {@link #tileWide} for one four (a batch's last when its fours are odd): 8 sums, totals to tot[0..511]. */
    static void tileWide4(float[] w, int wo, float[] x, int x0, float[] tot) {
        for (int h = 0; h < 4; h++) {
            FloatVector a0 = FloatVector.zero(W), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int wb = wo + 2048 * h, xa = x0 + 256 * h;
            for (int e = 0; e < 64; e++) {
                FloatVector v = FloatVector.fromArray(W, w, wb + 32 * e), u = FloatVector.fromArray(W, w, wb + 32 * e + 16);
                int ia = xa + 4 * e;
                FloatVector c = FloatVector.broadcast(W, x[ia]);
                a0 = v.fma(c, a0);
                b0 = u.fma(c, b0);
                c = FloatVector.broadcast(W, x[ia + 1]);
                a1 = v.fma(c, a1);
                b1 = u.fma(c, b1);
                c = FloatVector.broadcast(W, x[ia + 2]);
                a2 = v.fma(c, a2);
                b2 = u.fma(c, b2);
                c = FloatVector.broadcast(W, x[ia + 3]);
                a3 = v.fma(c, a3);
                b3 = u.fma(c, b3);
            }
            int t = 128 * h;
            a0.intoArray(tot, t);
            b0.intoArray(tot, t + 16);
            a1.intoArray(tot, t + 32);
            b1.intoArray(tot, t + 48);
            a2.intoArray(tot, t + 64);
            b2.intoArray(tot, t + 80);
            a3.intoArray(tot, t + 96);
            b3.intoArray(tot, t + 112);
        }
    }

    /**
     * {@link #accumulate} over a 32-row panel in 16-lane halves (each lane: d * d_a, then the same fma chain over the
     * pairs in order), totals from {@link #tileWide}'s layout at tot[to..], acc of activation row r at ao + 32r.
     */
    private static void accumulateWide(float[] tot, int to, float[] d, float[] ad, int da, int nb, float[] acc, int ao) {
        for (int half = 0; half < 32; half += 16) {
            FloatVector dv = FloatVector.fromArray(W, d, half);
            for (int r = 0; r < 4; r++) {
                FloatVector dd = dv.mul(ad[da + r * nb]);
                int o = ao + 32 * r + half, t = to + 32 * r + half;
                FloatVector c = FloatVector.fromArray(W, acc, o);
                c = FloatVector.fromArray(W, tot, t).fma(dd, c);
                c = FloatVector.fromArray(W, tot, t + 128).fma(dd, c);
                c = FloatVector.fromArray(W, tot, t + 256).fma(dd, c);
                c = FloatVector.fromArray(W, tot, t + 384).fma(dd, c);
                c.intoArray(acc, o);
            }
        }
    }

    /** {@link #mins} over a 32-row panel in 16-lane halves (min j of panel row R at m[32j + R]), accm of row r at ao + 32r. */
    private static void minsWide(float[] m, float[] dmin, float[] q8s, int so, int sstep, float[] ad, int da, int nb, float[] accm, int ao) {
        for (int r = 0; r < 4; r++) {
            int sr = so + r * sstep, ar = ao + 32 * r;
            float e = ad[da + r * nb];
            FloatVector s0 = FloatVector.broadcast(W, q8s[sr]), s1 = FloatVector.broadcast(W, q8s[sr + 1]);
            FloatVector s2 = FloatVector.broadcast(W, q8s[sr + 2]), s3 = FloatVector.broadcast(W, q8s[sr + 3]);
            FloatVector s4 = FloatVector.broadcast(W, q8s[sr + 4]), s5 = FloatVector.broadcast(W, q8s[sr + 5]);
            FloatVector s6 = FloatVector.broadcast(W, q8s[sr + 6]), s7 = FloatVector.broadcast(W, q8s[sr + 7]);
            for (int half = 0; half < 32; half += 16) {
                FloatVector dm = FloatVector.fromArray(W, dmin, half).mul(e);
                FloatVector c = FloatVector.fromArray(W, accm, ar + half);
                c = FloatVector.fromArray(W, m, half + 32).fma(s1, FloatVector.fromArray(W, m, half).mul(s0)).fma(dm, c);
                c = FloatVector.fromArray(W, m, half + 96).fma(s3, FloatVector.fromArray(W, m, half + 64).mul(s2)).fma(dm, c);
                c = FloatVector.fromArray(W, m, half + 160).fma(s5, FloatVector.fromArray(W, m, half + 128).mul(s4)).fma(dm, c);
                c = FloatVector.fromArray(W, m, half + 224).fma(s7, FloatVector.fromArray(W, m, half + 192).mul(s6)).fma(dm, c);
                c.intoArray(accm, ar + half);
            }
        }
    }

    /**
     * acc = fma(total, d * d_a, acc) per sub-block pair in order, for the tile's 4 activation rows (d_a at ad[da + r * nb]),
     * the totals from tot[to..].
     */
    private static void accumulate(float[] tot, int to, float[] d, float[] ad, int da, int nb, float[] acc, int ao) {
        FloatVector d0 = FloatVector.fromArray(F, d, 0), d1 = FloatVector.fromArray(F, d, 8);
        for (int r = 0; r < 4; r++) {
            float e = ad[da + r * nb];
            FloatVector dd0 = d0.mul(e), dd1 = d1.mul(e);
            int o = ao + 16 * r, t = to + 16 * r;
            FloatVector c0 = FloatVector.fromArray(F, acc, o), c1 = FloatVector.fromArray(F, acc, o + 8);
            c0 = FloatVector.fromArray(F, tot, t).fma(dd0, c0);
            c1 = FloatVector.fromArray(F, tot, t + 8).fma(dd1, c1);
            c0 = FloatVector.fromArray(F, tot, t + 64).fma(dd0, c0);
            c1 = FloatVector.fromArray(F, tot, t + 72).fma(dd1, c1);
            c0 = FloatVector.fromArray(F, tot, t + 128).fma(dd0, c0);
            c1 = FloatVector.fromArray(F, tot, t + 136).fma(dd1, c1);
            c0 = FloatVector.fromArray(F, tot, t + 192).fma(dd0, c0);
            c1 = FloatVector.fromArray(F, tot, t + 200).fma(dd1, c1);
            c0.intoArray(acc, o);
            c1.intoArray(acc, o + 8);
        }
    }

    /**
     * The min chains of the 16 rows and 4 activation rows for one super-block: per sub-block pair h the exact
     * m_2h * bsum_2h + m_2h+1 * bsum_2h+1 (integers below 2^20, exact in float), accm = fma(mins, dmin * d_a, accm).
     * {@code so}: activation row 0's 32-value sums (as floats) for this super-block, {@code sstep} between activation rows.
     */
    private static void mins(float[] m, float[] dmin, float[] q8s, int so, int sstep, float[] ad, int da, int nb, float[] accm, int ao) {
        for (int r = 0; r < 4; r++) {
            int sr = so + r * sstep, ar = ao + 16 * r;
            float e = ad[da + r * nb];
            FloatVector s0 = FloatVector.broadcast(F, q8s[sr]), s1 = FloatVector.broadcast(F, q8s[sr + 1]);
            FloatVector s2 = FloatVector.broadcast(F, q8s[sr + 2]), s3 = FloatVector.broadcast(F, q8s[sr + 3]);
            FloatVector s4 = FloatVector.broadcast(F, q8s[sr + 4]), s5 = FloatVector.broadcast(F, q8s[sr + 5]);
            FloatVector s6 = FloatVector.broadcast(F, q8s[sr + 6]), s7 = FloatVector.broadcast(F, q8s[sr + 7]);
            for (int g = 0; g < 2; g++) {
                int mg = 8 * g;
                FloatVector dm = FloatVector.fromArray(F, dmin, 8 * g).mul(e);
                FloatVector c = FloatVector.fromArray(F, accm, ar + 8 * g);
                c = FloatVector.fromArray(F, m, mg + 16).fma(s1, FloatVector.fromArray(F, m, mg).mul(s0)).fma(dm, c);
                c = FloatVector.fromArray(F, m, mg + 48).fma(s3, FloatVector.fromArray(F, m, mg + 32).mul(s2)).fma(dm, c);
                c = FloatVector.fromArray(F, m, mg + 80).fma(s5, FloatVector.fromArray(F, m, mg + 64).mul(s4)).fma(dm, c);
                c = FloatVector.fromArray(F, m, mg + 112).fma(s7, FloatVector.fromArray(F, m, mg + 96).mul(s6)).fma(dm, c);
                c.intoArray(accm, ar + 8 * g);
            }
        }
    }
}
