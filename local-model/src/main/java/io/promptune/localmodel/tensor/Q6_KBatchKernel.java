package io.promptune.localmodel.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Repacked Q6_K weights times a batch of Q8_K activation rows in the tiled order llama.cpp takes from 8 batch rows
 * (see {@link Q6_KMatrix}): per weight row, activation row and super-block one exact integer total
 * sum_j(sc_j * sum((q - 32) * a)), then acc = fma(d * (float) total, d_a, acc). Float FMAs on exact integers as
 * {@link Q4_KBatchKernel}: each weight is widened once per batch into the integer-valued float sc_j * (q - 32)
 * (|.| <= 128 * 32), so a product with an activation is at most 2^19 in magnitude and a sum of 32 of them at most
 * 2^24: exact in float. Each 32-value chunk's sums are converted to ints and added as ints (the super-block total
 * may pass 2^24), then converted once, as ggml converts its int total.
 */
final class Q6_KBatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    /** The 512-bit tiles' species: one vector holds the 16 rows of both groups (lane 8g + l as the two 8-lane ones). */
    private static final VectorSpecies<Float> W = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> IW = IntVector.SPECIES_512;

    /** Offsets in a group's super-block of {@link Q6_KMatrix}'s copy: scale bytes, value ints. */
    private static final int SCALES = 32, VALUES = 160;
    private static final int SIX = Q6_KMatrix.SIX, LOW4 = Q6_KMatrix.LOW4, TOP2 = Q6_KMatrix.TOP2;

    private Q6_KBatchKernel() { }

    /** A thread's widened super-block of two groups, its chunk totals and accumulators, kept between calls. */
    private static final class Scratch {
        /** Widened weights: value e (0..255) of row 8g + l at wo + 16e + 8g + l. */
        final float[] w = new float[256 * 16 + 16];
        /** Where {@link #w}'s values start: on a 64-byte boundary (see {@link Q4_KBatchKernel}'s scratch). */
        final int wo = HeapAlignment.firstAligned(w, 64);
        /** d of row 8g + l at 8g + l; scale j of row 8g + l at 8 * (16g + j) + l, as floats. */
        final float[] d = new float[16], sc = new float[256];
        /** A tile's exact integer totals: activation row r, row 8g + l at 16r + 8g + l (the 512-bit tile: 8 rows r). */
        final int[] total = new int[128];
        /** acc of activation row b and row 8g + l at 16b + 8g + l. */
        float[] acc = new float[0];
        /** The batch's activation rows interleaved by fours. */
        final FourRows x = new FourRows();

        Scratch fit(int rows) {
            if (acc.length < 16 * rows) acc = new float[16 * rows];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code out[b][outCol0 + r]} for rows [r0, r1) (whole 8-row groups computed, only [r0, r1) written) and the
     * activation rows b < {@code tileRows} (a multiple of 4), from the group-interleaved copy ({@code heap} from
     * {@code heapBase} when not null, else {@code packed}) of a
     * matrix with {@code nb} super-blocks per row ({@code groupBlockBytes} per group and super-block).
     */
    static void dotRows(MemorySegment packed, byte[] heap, int heapBase, int nb, long groupBlockBytes, int r0, int r1, int tileRows, Activations a,
                        FloatBatch out, int outCol0) {
        Scratch s = SCRATCH.get().fit(tileRows);
        float[] acc = s.acc, o = out.data(), x = s.x.of(a, tileRows);
        int oc = out.cols(), gEnd = (r1 + 7) >> 3;
        for (int g0 = r0 >> 3; g0 < gEnd; g0 += 2) {
            int g1 = Math.min(g0 + 1, gEnd - 1); // an odd last group is widened twice, written once
            java.util.Arrays.fill(acc, 0, 16 * tileRows, 0f);
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
                    for (; b + 8 <= tileRows; b += 8) {
                        tileWide(s.w, s.wo, x, b * a.cols + 1024 * k, (b + 4) * a.cols + 1024 * k, s.total);
                        accumulate(s.total, 0, s.d, a.d, a.blockOffset(b) + k, nb, acc, 16 * b);
                        accumulate(s.total, 64, s.d, a.d, a.blockOffset(b + 4) + k, nb, acc, 16 * (b + 4));
                    }
                }
                for (; b < tileRows; b += 4) {
                    if (VectorWidth.WIDE) {
                        tileWide4(s.w, s.wo, x, b * a.cols + 1024 * k, s.total);
                    } else {
                        tile(s.w, s.wo, x, b * a.cols + 1024 * k, s.total);
                    }
                    accumulate(s.total, 0, s.d, a.d, a.blockOffset(b) + k, nb, acc, 16 * b);
                }
            }
            for (int g = g0; g <= g1; g++) {
                int lo = Math.max(0, r0 - 8 * g), hi = Math.min(8, r1 - 8 * g), at = 8 * (g - g0);
                for (int b = 0; b < tileRows; b++) {
                    int ob = b * oc + outCol0 + 8 * g;
                    if (lo == 0 && hi == 8) {
                        FloatVector.fromArray(F, acc, 16 * b + at).intoArray(o, ob);
                    } else {
                        for (int l = lo; l < hi; l++) o[ob + l] = acc[16 * b + at + l];
                    }
                }
            }
        }
    }

    /**
     * Group super-block at {@code p} into slot {@code g} (0 or 1) of the scratch: its d, its 16 scales as floats and
     * its values as sc_j * (q - 32) in element order. The copy's three ints (l, f) of a row hold the 6-bit values
     * of elements 32c + 4l .. 32c + 4l + 3 for the groups c = 4f..4f+3, unpacked as in {@link Q6_KMatrix}'s GEMV.
     */
    private static void widen(MemorySegment packed, long p, int g, Scratch s) {
        float[] sc = s.sc, d = s.d, w = s.w;
        FloatVector.fromMemorySegment(F, packed, p, ByteOrder.LITTLE_ENDIAN).intoArray(d, 8 * g);
        for (int j = 0; j < 16; j++) {
            ((FloatVector) ByteVector.fromMemorySegment(B64, packed, p + SCALES + 8 * j, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0)).intoArray(sc, 8 * (16 * g + j));
        }
        for (int l = 0; l < 8; l++) {
            int sj = 8 * (16 * g + (l >> 2)); // values 4l..4l+3 of a chunk: its first 16-value scale for l < 4
            for (int f = 0; f < 2; f++) { // groups 4f..4f+3 (see Q6_KMatrix's copy)
                long q = p + VALUES + 192L * l + 96 * f;
                IntVector wa = IntVector.fromMemorySegment(I, packed, q, ByteOrder.LITTLE_ENDIAN), wb = IntVector.fromMemorySegment(I, packed, q + 32, ByteOrder.LITTLE_ENDIAN), wc = IntVector.fromMemorySegment(I, packed, q + 64, ByteOrder.LITTLE_ENDIAN);
                IntVector x02 = wa.and(SIX), x13 = wa.lanewise(VectorOperators.LSHR, 6).and(SIX);
                FloatVector sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f));
                int e = s.wo + 16 * (32 * (4 * f) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
                x02 = wb.lanewise(VectorOperators.LSHR, 4).and(SIX);
                x13 = wb.lanewise(VectorOperators.LSHR, 10).and(SIX);
                sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f + 1));
                e = s.wo + 16 * (32 * (4 * f + 1) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
                x02 = wc.and(SIX);
                x13 = wc.lanewise(VectorOperators.LSHR, 10).and(SIX);
                sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f + 2));
                e = s.wo + 16 * (32 * (4 * f + 2) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
                x02 = wb.and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 2).and(TOP2));
                x13 = wa.lanewise(VectorOperators.LSHR, 12).and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 4).and(TOP2));
                sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f + 3));
                e = s.wo + 16 * (32 * (4 * f + 3) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
            }
        }
    }

    /** As {@link #widen} from the heap copy (its own method: one kind of copy per compiled body). */
    private static void widenHeap(byte[] heap, int p, int g, Scratch s) {
        float[] sc = s.sc, d = s.d, w = s.w;
        ByteVector.fromArray(B, heap, p).reinterpretAsFloats().intoArray(d, 8 * g);
        for (int j = 0; j < 16; j++) {
            ((FloatVector) ByteVector.fromArray(B64, heap, p + SCALES + 8 * j)
                    .convertShape(VectorOperators.B2F, F, 0)).intoArray(sc, 8 * (16 * g + j));
        }
        for (int l = 0; l < 8; l++) {
            int sj = 8 * (16 * g + (l >> 2)); // values 4l..4l+3 of a chunk: its first 16-value scale for l < 4
            for (int f = 0; f < 2; f++) { // groups 4f..4f+3 (see Q6_KMatrix's copy)
                int q = p + VALUES + 192 * l + 96 * f;
                IntVector wa = ByteVector.fromArray(B, heap, q).reinterpretAsInts(), wb = ByteVector.fromArray(B, heap, q + 32).reinterpretAsInts(), wc = ByteVector.fromArray(B, heap, q + 64).reinterpretAsInts();
                IntVector x02 = wa.and(SIX), x13 = wa.lanewise(VectorOperators.LSHR, 6).and(SIX);
                FloatVector sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f));
                int e = s.wo + 16 * (32 * (4 * f) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
                x02 = wb.lanewise(VectorOperators.LSHR, 4).and(SIX);
                x13 = wb.lanewise(VectorOperators.LSHR, 10).and(SIX);
                sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f + 1));
                e = s.wo + 16 * (32 * (4 * f + 1) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
                x02 = wc.and(SIX);
                x13 = wc.lanewise(VectorOperators.LSHR, 10).and(SIX);
                sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f + 2));
                e = s.wo + 16 * (32 * (4 * f + 2) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
                x02 = wb.and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 2).and(TOP2));
                x13 = wa.lanewise(VectorOperators.LSHR, 12).and(LOW4).or(wc.lanewise(VectorOperators.LSHR, 4).and(TOP2));
                sf = FloatVector.fromArray(F, sc, sj + 16 * (4 * f + 3));
                e = s.wo + 16 * (32 * (4 * f + 3) + 4 * l) + 8 * g;
                ((FloatVector) x02.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e);
                ((FloatVector) x13.and(63).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 16);
                ((FloatVector) x02.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 32);
                ((FloatVector) x13.lanewise(VectorOperators.LSHR, 16).sub(32).convert(VectorOperators.I2F, 0)).mul(sf).intoArray(w, e + 48);
            }
        }
    }

    /**
     * The 16 widened rows times 4 activation rows (interleaved by {@link FourRows}, from x0) over one super-block: per
     * 32-value chunk 8 exact float sums, converted and added as ints into {@code total} (16 per activation row).
     */
    static void tile(float[] w, int wo, float[] x, int x0, int[] total) {
        java.util.Arrays.fill(total, 0);
        for (int c = 0; c < 8; c++) {
            FloatVector t00 = FloatVector.zero(F), t01 = t00, t02 = t00, t03 = t00, t10 = t00, t11 = t00, t12 = t00, t13 = t00;
            int wb = wo + 512 * c, xb = x0 + 128 * c;
            for (int e = 0; e < 32; e++) {
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
            ((IntVector) t00.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 0)).intoArray(total, 0);
            ((IntVector) t10.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 8)).intoArray(total, 8);
            ((IntVector) t01.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 16)).intoArray(total, 16);
            ((IntVector) t11.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 24)).intoArray(total, 24);
            ((IntVector) t02.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 32)).intoArray(total, 32);
            ((IntVector) t12.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 40)).intoArray(total, 40);
            ((IntVector) t03.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 48)).intoArray(total, 48);
            ((IntVector) t13.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, total, 56)).intoArray(total, 56);
        }
    }

    /**
     * {@link #tile} at 512 bits for two fours of activation rows (from x0 and x1): the 16 rows are one vector, 8 sums of 16
     * lanes. The first four's totals go to total[0..63], the second's to total[64..127], each as {@link #tile} lays them
     * out. Each chunk sum is an exact integer whatever the order of its products (|.| <= 2^24): the 256-bit tile's totals.
     * The loop stays in this method: as a helper of its own, its C2 compile sometimes left the FMAs un-intrinsified
     * (lab: 1.8 instead of 35 GMAC/s for the whole run, in 3 of 10 runs).
     */
    static void tileWide(float[] w, int wo, float[] x, int x0, int x1, int[] total) {
        java.util.Arrays.fill(total, 0);
        for (int c = 0; c < 8; c++) {
            FloatVector t0 = FloatVector.zero(W), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
            int wb = wo + 512 * c, xa = x0 + 128 * c, xb = x1 + 128 * c;
            for (int e = 0; e < 32; e++) {
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
            ((IntVector) t0.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 0)).intoArray(total, 0);
            ((IntVector) t1.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 16)).intoArray(total, 16);
            ((IntVector) t2.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 32)).intoArray(total, 32);
            ((IntVector) t3.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 48)).intoArray(total, 48);
            ((IntVector) t4.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 64)).intoArray(total, 64);
            ((IntVector) t5.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 80)).intoArray(total, 80);
            ((IntVector) t6.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 96)).intoArray(total, 96);
            ((IntVector) t7.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(IW, total, 112)).intoArray(total, 112);
        }
    }

    /**
     * {@link #tile} at 512 bits for one four (a batch's last when its fours are odd): even and odd values in separate sums
     * (8 chains hide the FMA latency), each exact, added as ints.
     */
    static void tileWide4(float[] w, int wo, float[] x, int x0, int[] total) {
        java.util.Arrays.fill(total, 0, 64, 0);
        for (int c = 0; c < 8; c++) {
            FloatVector t0 = FloatVector.zero(W), t1 = t0, t2 = t0, t3 = t0, u0 = t0, u1 = t0, u2 = t0, u3 = t0;
            int wb = wo + 512 * c, xa = x0 + 128 * c;
            for (int e = 0; e < 32; e += 2) {
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
            ((IntVector) t0.convert(VectorOperators.F2I, 0)).add((IntVector) u0.convert(VectorOperators.F2I, 0))
                    .add(IntVector.fromArray(IW, total, 0)).intoArray(total, 0);
            ((IntVector) t1.convert(VectorOperators.F2I, 0)).add((IntVector) u1.convert(VectorOperators.F2I, 0))
                    .add(IntVector.fromArray(IW, total, 16)).intoArray(total, 16);
            ((IntVector) t2.convert(VectorOperators.F2I, 0)).add((IntVector) u2.convert(VectorOperators.F2I, 0))
                    .add(IntVector.fromArray(IW, total, 32)).intoArray(total, 32);
            ((IntVector) t3.convert(VectorOperators.F2I, 0)).add((IntVector) u3.convert(VectorOperators.F2I, 0))
                    .add(IntVector.fromArray(IW, total, 48)).intoArray(total, 48);
        }
    }

    /** acc = fma(d * (float) total, d_a, acc) for the tile's 4 activation rows (d_a at ad[da + r * nb]), totals from total[to..]. */
    private static void accumulate(int[] total, int to, float[] d, float[] ad, int da, int nb, float[] acc, int ao) {
        FloatVector d0 = FloatVector.fromArray(F, d, 0), d1 = FloatVector.fromArray(F, d, 8);
        for (int r = 0; r < 4; r++) {
            FloatVector e = FloatVector.broadcast(F, ad[da + r * nb]);
            int t = to + 16 * r, o = ao + 16 * r;
            d0.mul((FloatVector) IntVector.fromArray(I, total, t).convert(VectorOperators.I2F, 0))
                    .fma(e, FloatVector.fromArray(F, acc, o)).intoArray(acc, o);
            d1.mul((FloatVector) IntVector.fromArray(I, total, t + 8).convert(VectorOperators.I2F, 0))
                    .fma(e, FloatVector.fromArray(F, acc, o + 8)).intoArray(acc, o + 8);
        }
    }
}
