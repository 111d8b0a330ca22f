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

    /** A thread's widened super-block of two groups and its accumulators, kept between calls. */
    private static final class Scratch {
        /** Widened weights: value e (0..63) of sub-block pair h, row 8g + l at (64h + e) * 16 + 8g + l. */
        final float[] w = new float[256 * 16];
        /** d, dmin of row 8g + l at 8g + l. */
        final float[] d = new float[16], dmin = new float[16];
        /** Sub-block j's scale (sc) and min (m) of row 8g + l at 8 * (8g + j) + l, as floats. */
        final float[] sc = new float[128], m = new float[128];
        /** A tile's exact totals (see {@link #tile}); the 512-bit tile fills two fours' (the second from 256). */
        final float[] tot = new float[512];
        /** acc and accm of activation row b and row 8g + l at 16b + 8g + l. */
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
            if (acc.length < 16 * rows) {
                acc = new float[16 * rows];
                accm = new float[16 * rows];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code out[b][outCol0 + r]} for rows [r0, r1) (whole 8-row groups computed, only [r0, r1) written) and the
     * activation rows b < {@code gemmRows} (a multiple of 4), from the group-interleaved copy ({@code heap} from
     * {@code heapBase} when not null, else {@code packed}) of a
     * matrix with {@code nb} super-blocks per row ({@code groupBlockBytes} per group and super-block).
     */
    static void dotRows(MemorySegment packed, byte[] heap, int heapBase, int nb, long groupBlockBytes, int r0, int r1, int gemmRows, Activations a,
                        FloatBatch out, int outCol0) {
        Scratch s = SCRATCH.get().fit(gemmRows);
        float[] acc = s.acc, accm = s.accm, o = out.data(), x = s.x.of(a, gemmRows), q8s = s.sumsOf(a);
        int oc = out.cols(), gEnd = (r1 + 7) >> 3;
        for (int g0 = r0 >> 3; g0 < gEnd; g0 += 2) {
            int g1 = Math.min(g0 + 1, gEnd - 1); // an odd last group is widened twice, written once
            java.util.Arrays.fill(acc, 0, 16 * gemmRows, 0f);
            java.util.Arrays.fill(accm, 0, 16 * gemmRows, 0f);
            for (int k = 0; k < nb; k++) {
                if (heap != null) {
                    widenHeap(heap, heapBase + (int) ((g0 * (long) nb + k) * groupBlockBytes), 0, s);
                    widenHeap(heap, heapBase + (int) ((g1 * (long) nb + k) * groupBlockBytes), 1, s);
                } else {
                    widen(packed, (g0 * (long) nb + k) * groupBlockBytes, 0, s);
                    widen(packed, (g1 * (long) nb + k) * groupBlockBytes, 1, s);
                }
                int b = 0;
                if (VectorWidth.WIDE) {
                    for (; b + 8 <= gemmRows; b += 8) {
                        tileWide(s.w, x, b * a.cols + 1024 * k, (b + 4) * a.cols + 1024 * k, s.tot);
                        accumulate(s.tot, 0, s.d, a.d, a.blockOffset(b) + k, nb, acc, 16 * b);
                        accumulate(s.tot, 256, s.d, a.d, a.blockOffset(b + 4) + k, nb, acc, 16 * (b + 4));
                        mins(s.m, s.dmin, q8s, 8 * (a.blockOffset(b) + k), 8 * nb, a.d, a.blockOffset(b) + k, nb, accm, 16 * b);
                        mins(s.m, s.dmin, q8s, 8 * (a.blockOffset(b + 4) + k), 8 * nb, a.d, a.blockOffset(b + 4) + k, nb, accm, 16 * (b + 4));
                    }
                }
                for (; b < gemmRows; b += 4) {
                    if (VectorWidth.WIDE) {
                        tileWide4(s.w, x, b * a.cols + 1024 * k, s.tot);
                    } else {
                        tile(s.w, x, b * a.cols + 1024 * k, s.tot);
                    }
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
     * Group super-block at {@code p} into slot {@code g} (0 or 1) of the scratch: its d and dmin, its 6-bit scales and
     * mins as floats (get_scale_min_k4 in lanes), and its nibbles times their sub-block scale as floats.
     */
    private static void widen(MemorySegment packed, long p, int g, Scratch s) {
        FloatVector.fromMemorySegment(F, packed, p, ByteOrder.LITTLE_ENDIAN).intoArray(s.d, 8 * g);
        FloatVector.fromMemorySegment(F, packed, p + DMIN, ByteOrder.LITTLE_ENDIAN).intoArray(s.dmin, 8 * g);
        IntVector a = IntVector.fromMemorySegment(I, packed, p + SCALES, ByteOrder.LITTLE_ENDIAN); // scale bytes 0-3
        IntVector m = IntVector.fromMemorySegment(I, packed, p + SCALES + 32, ByteOrder.LITTLE_ENDIAN); // bytes 4-7
        IntVector b = IntVector.fromMemorySegment(I, packed, p + SCALES + 64, ByteOrder.LITTLE_ENDIAN); // bytes 8-11
        IntVector s4 = b.and(0x0F0F0F0F).or(a.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        IntVector m4 = b.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(m.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        float[] sc = s.sc, mm = s.m;
        int o = 64 * g;
        ((FloatVector) a.and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 8);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 16);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 24);
        ((FloatVector) s4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 32);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 40);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 48);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 56);
        ((FloatVector) m.and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 8);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 16);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 24);
        ((FloatVector) m4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 32);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 40);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 48);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 56);
        for (int h = 0; h < 4; h++) widenPair(packed, p + NIBBLES + 256 * h, sc, o + 16 * h, s.w, 1024 * h + 8 * g);
    }

    /** As {@link #widen} from the heap copy (its own method: one kind of copy per compiled body). */
    private static void widenHeap(byte[] heap, int p, int g, Scratch s) {
        ByteVector.fromArray(B, heap, p).reinterpretAsFloats().intoArray(s.d, 8 * g);
        ByteVector.fromArray(B, heap, p + DMIN).reinterpretAsFloats().intoArray(s.dmin, 8 * g);
        IntVector a = ByteVector.fromArray(B, heap, p + SCALES).reinterpretAsInts(); // scale bytes 0-3
        IntVector m = ByteVector.fromArray(B, heap, p + SCALES + 32).reinterpretAsInts(); // bytes 4-7
        IntVector b = ByteVector.fromArray(B, heap, p + SCALES + 64).reinterpretAsInts(); // bytes 8-11
        IntVector s4 = b.and(0x0F0F0F0F).or(a.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        IntVector m4 = b.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(m.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
        float[] sc = s.sc, mm = s.m;
        int o = 64 * g;
        ((FloatVector) a.and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 8);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 16);
        ((FloatVector) a.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 24);
        ((FloatVector) s4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 32);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 40);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 48);
        ((FloatVector) s4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(sc, o + 56);
        ((FloatVector) m.and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 8).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 8);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 16).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 16);
        ((FloatVector) m.lanewise(VectorOperators.LSHR, 24).and(63).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 24);
        ((FloatVector) m4.and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 32);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 8).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 40);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 16).and(0xFF).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 48);
        ((FloatVector) m4.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0)).intoArray(mm, o + 56);
        for (int h = 0; h < 4; h++) widenPairHeap(heap, p + NIBBLES + 256 * h, sc, o + 16 * h, s.w, 1024 * h + 8 * g);
    }

    /**
     * Sub-block pair h of a group: int v of row l (at q + 32v) holds bytes 4v..4v+3, whose low nibbles are values
     * 4v..4v+3 of sub-block 2h and high nibbles those of sub-block 2h+1; value e of the pair (0..31 low, 32..63
     * high) goes to w[wo + 16e], times its scale (sc[so], sc[so + 8]).
     */
    private static void widenPair(MemorySegment packed, long q, float[] sc, int so, float[] w, int wo) {
        FloatVector lo = FloatVector.fromArray(F, sc, so), hi = FloatVector.fromArray(F, sc, so + 8);
        for (int v = 0; v < 8; v++) {
            IntVector x = IntVector.fromMemorySegment(I, packed, q + 32 * v, ByteOrder.LITTLE_ENDIAN);
            int e = wo + 64 * v;
            ((FloatVector) x.and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 16);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 32);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 48);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 512);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 528);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 544);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 560);
        }
    }

    /** As {@link #widenPair} from the heap copy (its own method: one kind of copy per compiled body). */
    private static void widenPairHeap(byte[] heap, int q, float[] sc, int so, float[] w, int wo) {
        FloatVector lo = FloatVector.fromArray(F, sc, so), hi = FloatVector.fromArray(F, sc, so + 8);
        for (int v = 0; v < 8; v++) {
            IntVector x = ByteVector.fromArray(B, heap, q + 32 * v).reinterpretAsInts();
            int e = wo + 64 * v;
            ((FloatVector) x.and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 16);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 32);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).mul(lo).intoArray(w, e + 48);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 512);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 528);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 544);
            ((FloatVector) x.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).mul(hi).intoArray(w, e + 560);
        }
    }

    /**
     * The 16 widened rows times 4 activation rows (super-block k's values, interleaved by {@link FourRows} from
     * x0): per sub-block pair h the 8 exact totals into tot[64h..64h+63] (activation row r, row 8g + l at 64h + 16r +
     * 8g + l). Nothing else is live across the loop: with the scale products here too C2 ran out of registers and kept
     * two of the 8 sums on the stack.
     */
    static void tile(float[] w, float[] x, int x0, float[] tot) {
        for (int h = 0; h < 4; h++) {
            FloatVector t00 = FloatVector.zero(F), t01 = t00, t02 = t00, t03 = t00, t10 = t00, t11 = t00, t12 = t00, t13 = t00;
            int wb = 1024 * h, xb = x0 + 256 * h;
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
     * {@link #tile} at 512 bits for two fours of activation rows (from x0 and x1): the 16 rows are one vector (4 FMAs per
     * weight load at 256 bits, 8 here, twice the lanes each). The first four's totals go to tot[0..255], the second's to
     * tot[256..511], each as {@link #tile} lays them out. Every total is an exact integer whatever the order of its
     * products, so the results are the 256-bit tile's, bit for bit.
     */
    static void tileWide(float[] w, float[] x, int x0, int x1, float[] tot) {
        for (int h = 0; h < 4; h++) wideSums(w, 1024 * h, x, x0 + 256 * h, x1 + 256 * h, 64, tot, 64 * h, 256 + 64 * h);
    }

    /** {@link #tile} at 512 bits for one four (a batch's last when its fours are odd). */
    static void tileWide4(float[] w, float[] x, int x0, float[] tot) {
        for (int h = 0; h < 4; h++) wideSums4(w, 1024 * h, x, x0 + 256 * h, 64, tot, 64 * h);
    }

    /**
     * The K-quant 512-bit micro-kernel (also {@link Q6_KBatchKernel}'s): 16 widened rows (w[wb + 16e + i]) times two
     * fours of activation rows interleaved by {@link FourRows} (value e of row r at xa + 4e + r, resp. xb + 4e + r),
     * summed over e < n in 8 sums of 16 lanes: row r of the first four to out[oa + 16r + i], of the second to
     * out[ob + 16r + i]. The caller guarantees every sum is an exact integer (so the order does not matter).
     */
    static void wideSums(float[] w, int wb, float[] x, int xa, int xb, int n, float[] out, int oa, int ob) {
        FloatVector t0 = FloatVector.zero(W), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        for (int e = 0; e < n; e++) {
            FloatVector v = FloatVector.fromArray(W, w, wb + 16 * e);
            int ia = xa + 4 * e, ib = xb + 4 * e;
            t0 = v.fma(FloatVector.broadcast(W, x[ia]), t0);
            t1 = v.fma(FloatVector.broadcast(W, x[ia + 1]), t1);
            t2 = v.fma(FloatVector.broadcast(W, x[ia + 2]), t2);
            t3 = v.fma(FloatVector.broadcast(W, x[ia + 3]), t3);
            t4 = v.fma(FloatVector.broadcast(W, x[ib]), t4);
            t5 = v.fma(FloatVector.broadcast(W, x[ib + 1]), t5);
            t6 = v.fma(FloatVector.broadcast(W, x[ib + 2]), t6);
            t7 = v.fma(FloatVector.broadcast(W, x[ib + 3]), t7);
        }
        t0.intoArray(out, oa);
        t1.intoArray(out, oa + 16);
        t2.intoArray(out, oa + 32);
        t3.intoArray(out, oa + 48);
        t4.intoArray(out, ob);
        t5.intoArray(out, ob + 16);
        t6.intoArray(out, ob + 32);
        t7.intoArray(out, ob + 48);
    }

    /** {@link #wideSums} for one four (n even): even and odd values in separate sums (8 chains hide the FMA latency), added at the end. */
    static void wideSums4(float[] w, int wb, float[] x, int xa, int n, float[] out, int oa) {
        FloatVector t0 = FloatVector.zero(W), t1 = t0, t2 = t0, t3 = t0, u0 = t0, u1 = t0, u2 = t0, u3 = t0;
        for (int e = 0; e < n; e += 2) {
            FloatVector v = FloatVector.fromArray(W, w, wb + 16 * e), u = FloatVector.fromArray(W, w, wb + 16 * e + 16);
            int ia = xa + 4 * e;
            t0 = v.fma(FloatVector.broadcast(W, x[ia]), t0);
            t1 = v.fma(FloatVector.broadcast(W, x[ia + 1]), t1);
            t2 = v.fma(FloatVector.broadcast(W, x[ia + 2]), t2);
            t3 = v.fma(FloatVector.broadcast(W, x[ia + 3]), t3);
            u0 = u.fma(FloatVector.broadcast(W, x[ia + 4]), u0);
            u1 = u.fma(FloatVector.broadcast(W, x[ia + 5]), u1);
            u2 = u.fma(FloatVector.broadcast(W, x[ia + 6]), u2);
            u3 = u.fma(FloatVector.broadcast(W, x[ia + 7]), u3);
        }
        t0.add(u0).intoArray(out, oa);
        t1.add(u1).intoArray(out, oa + 16);
        t2.add(u2).intoArray(out, oa + 32);
        t3.add(u3).intoArray(out, oa + 48);
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
                int mg = 64 * g;
                FloatVector dm = FloatVector.fromArray(F, dmin, 8 * g).mul(e);
                FloatVector c = FloatVector.fromArray(F, accm, ar + 8 * g);
                c = FloatVector.fromArray(F, m, mg + 8).fma(s1, FloatVector.fromArray(F, m, mg).mul(s0)).fma(dm, c);
                c = FloatVector.fromArray(F, m, mg + 24).fma(s3, FloatVector.fromArray(F, m, mg + 16).mul(s2)).fma(dm, c);
                c = FloatVector.fromArray(F, m, mg + 40).fma(s5, FloatVector.fromArray(F, m, mg + 32).mul(s4)).fma(dm, c);
                c = FloatVector.fromArray(F, m, mg + 56).fma(s7, FloatVector.fromArray(F, m, mg + 48).mul(s6)).fma(dm, c);
                c.intoArray(accm, ar + 8 * g);
            }
        }
    }
}
