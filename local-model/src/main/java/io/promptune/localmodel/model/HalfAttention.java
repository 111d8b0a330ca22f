package io.promptune.localmodel.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One query head attending over a sequence's half-precision keys and values, vectorized the way ggml's
 * CPU flash-attention kernel computes it on AVX2: each score is ggml_vec_dot_f16 (four 8-lane fused
 * multiply-add accumulators over steps of 32, then GGML_F32x8_REDUCE), the softmax is online, and the
 * output accumulates in half precision (ggml_vec_mad_f16 / ggml_vec_scale_f16: float fused multiply-add,
 * rounded to half after every step).
 */
final class HalfAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    /** Smallest normal half, 2^-14, as float bits. */
    private static final int MIN_NORMAL_HALF_BITS = 0x38800000;
    /** 65520 as float bits: from here on a float rounds to half infinity. */
    private static final int HALF_OVERFLOW_BITS = 0x477FF000;

    private HalfAttention() { }

    /** Whether the vector path applies (head width a multiple of ggml's 32-element step). */
    static boolean supports(int headDim) {
        return headDim % 32 == 0;
    }

    /**
     * Writes into {@code out[oo..oo+hd)} the attention of query {@code qh} (already rounded to half) over
     * positions 0..last of the caches, whose head starts at {@code kvOff} within each position's row of
     * {@code kvDim} values. {@code acc} is scratch of {@code hd} floats.
     */
    static void attend(float[] qh, float[] kc, float[] vc, int kvDim, int kvOff, int last, int hd, float scale,
                       float[] acc, float[] out, int oo) {
        attend(qh, kc, vc, kvDim, kvOff, last, hd, scale, acc, out, oo, new float[scratchSize(last + 1)]);
    }

    /** Floats of scratch {@link #attend} needs for {@code positions} positions. */
    static int scratchSize(int positions) {
        return 10 * positions;
    }

    /**
     * As above, with {@code scratch} of at least {@link #scratchSize}(last + 1) floats. In ggml's order, in passes
     * that each keep their work in registers: (1) every position's dot product up to the first step of its
     * reduction ({@link #partialSums}: the lanes of (a0 + a2) + (a1 + a3)), (2) the rest of each reduction and the
     * online softmax, leaving for each position t the value weight ({@code scratch[t]}) and the factor the
     * accumulator is scaled by before it ({@code scratch[span + t]}, 1 when the maximum did not rise), (3) the
     * value accumulation ({@link #accumulate64} for head widths a multiple of 64). Done position by position the
     * score's horizontal reduction and the accumulator's rounding to half (a chain through memory) cost about
     * three times as much.
     */
    static void attend(float[] qh, float[] kc, float[] vc, int kvDim, int kvOff, int last, int hd, float scale,
                       float[] acc, float[] out, int oo, float[] scratch) {
        int span = last + 1, sums = 2 * span;
        partialSums(kc, kvDim, kvOff, span, qh, hd, scratch, sums);
        float m = Float.NEGATIVE_INFINITY, s = 0f;
        for (int t = 0; t < span; t++) {
            int b = sums + 8 * t; // GGML_F32x8_REDUCE's end: halves added, then two horizontal adds
            float t0 = scratch[b] + scratch[b + 4], t1 = scratch[b + 1] + scratch[b + 5];
            float t2 = scratch[b + 2] + scratch[b + 6], t3 = scratch[b + 3] + scratch[b + 7];
            float score = ((t0 + t1) + (t2 + t3)) * scale;
            float ms = 1f, vs = 1f, scaleBy = 1f;
            if (score > m) {
                float old = m;
                m = score;
                ms = GgmlMath.expf(old - m);
                // before the first raise of m the accumulator is still all +0, which scaling leaves as it is
                if (old != Float.NEGATIVE_INFINITY) scaleBy = ms;
            } else {
                vs = GgmlMath.expf(score - m);
            }
            scratch[t] = vs;
            scratch[span + t] = scaleBy; // scaling a half by 1 leaves it as it is
            s = Math.fma(s, ms, vs);
        }
        boolean done = hd % 64 == 0;
        for (int c = 0; done && c < hd; c += 64) {
            done = accumulate64(vc, kvOff + c, kvDim, span, scratch, acc, c);
        }
        if (!done) accumulateExact(vc, kvOff, kvDim, span, scratch, acc, hd);
        float inv = s == 0f ? 0f : 1f / s;
        for (int d = 0; d < hd; d++) out[oo + d] = acc[d] * inv;
    }

    /**
     * ggml_vec_dot_f16 on AVX2 (n a multiple of 32) of query {@code q} with every position's key, up to its
     * reduction's first step: four 8-lane fused multiply-add accumulators over steps of 32, combined as
     * (a0 + a2) + (a1 + a3), stored at {@code out[o + 8t..)}. The reduction's scalar end is left to the caller, where
     * positions are independent (a horizontal sum per position here was most of the dot product's time).
     */
    private static void partialSums(float[] kc, int stride, int off, int span, float[] q, int hd, float[] out, int o) {
        if (hd == 64) {
            partialSums64(kc, stride, off, span, q, out, o);
            return;
        }
        for (int t = 0; t < span; t++) {
            int ko = t * stride + off;
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int i = 0; i < hd; i += 32) {
                s0 = FloatVector.fromArray(F, kc, ko + i).fma(FloatVector.fromArray(F, q, i), s0);
                s1 = FloatVector.fromArray(F, kc, ko + i + 8).fma(FloatVector.fromArray(F, q, i + 8), s1);
                s2 = FloatVector.fromArray(F, kc, ko + i + 16).fma(FloatVector.fromArray(F, q, i + 16), s2);
                s3 = FloatVector.fromArray(F, kc, ko + i + 24).fma(FloatVector.fromArray(F, q, i + 24), s3);
            }
            s0.add(s2).add(s1.add(s3)).intoArray(out, o + 8 * t);
        }
    }

    /** {@link #partialSums} for 64-wide heads (most small llamas), the query held in registers. */
    private static void partialSums64(float[] kc, int stride, int off, int span, float[] q, float[] out, int o) {
        FloatVector q0 = FloatVector.fromArray(F, q, 0), q1 = FloatVector.fromArray(F, q, 8);
        FloatVector q2 = FloatVector.fromArray(F, q, 16), q3 = FloatVector.fromArray(F, q, 24);
        FloatVector q4 = FloatVector.fromArray(F, q, 32), q5 = FloatVector.fromArray(F, q, 40);
        FloatVector q6 = FloatVector.fromArray(F, q, 48), q7 = FloatVector.fromArray(F, q, 56);
        FloatVector zero = FloatVector.zero(F);
        for (int t = 0; t < span; t++) {
            int ko = t * stride + off;
            FloatVector s0 = FloatVector.fromArray(F, kc, ko).fma(q0, zero);
            FloatVector s1 = FloatVector.fromArray(F, kc, ko + 8).fma(q1, zero);
            FloatVector s2 = FloatVector.fromArray(F, kc, ko + 16).fma(q2, zero);
            FloatVector s3 = FloatVector.fromArray(F, kc, ko + 24).fma(q3, zero);
            s0 = FloatVector.fromArray(F, kc, ko + 32).fma(q4, s0);
            s1 = FloatVector.fromArray(F, kc, ko + 40).fma(q5, s1);
            s2 = FloatVector.fromArray(F, kc, ko + 48).fma(q6, s2);
            s3 = FloatVector.fromArray(F, kc, ko + 56).fma(q7, s3);
            s0.add(s2).add(s1.add(s3)).intoArray(out, o + 8 * t);
        }
    }

    /** The accumulation pass one 8-lane vector at a time through memory, exact for every input (halves' range ends, NaN). */
    private static void accumulateExact(float[] vc, int off, int stride, int span, float[] weights, float[] acc, int hd) {
        java.util.Arrays.fill(acc, 0, hd, 0f);
        for (int t = 0; t < span; t++) {
            float ms = weights[span + t];
            if (ms != 1f) scaleHalf(acc, 0, hd, ms);
            madHalf(acc, vc, t * stride + off, weights[t], hd);
        }
    }

    private static final int EXPONENT = 0x7F800000, SIGN = 0x80000000;
    /** Added to an exponent field: 1.5 * 2^(e + 13), whose ulp is that of a half with exponent e. */
    private static final int GRID_SHIFT = (13 << 23) + 0x400000;
    /** Exponent field of 2^15: a step that reaches it might round to 65536 or beyond, i.e. to half infinity. */
    private static final int BIG_EXPONENT = 0x47000000;

    /**
     * Lanes [c, c+64) of the accumulation pass (acc[c..c+64) = the result), in runs of positions between the softmax
     * maximum's rises: at a rise the accumulator is scaled ({@link #rescale64}, as ggml_vec_scale_f16), then each run
     * goes through a kernel with no branch ({@link #run64}) holding the accumulator in registers
     * and reading and writing it through acc. Each step rounds to half in float arithmetic: adding and subtracting
     * 1.5 * 2^(e + 13), e being x's exponent (at least half's smallest normal exponent -14), rounds x to the nearest
     * multiple of half's ulp at e, ties to even, exactly as the conversion does for every magnitude below 65520
     * (subnormal halves included); the sign is put back for results that round to zero. Larger magnitudes (rounding
     * to half infinity), infinities and NaN are not handled: if any step's exponent reached 2^15 the method returns
     * false and the caller redoes the head with {@link #accumulateExact}.
     *
     * <p>With the rescale inside the position loop (out of line, as a call) C2 compiled that loop in some runs with its
     * last vector operations left as calls on boxed vectors (JFR: the allocations all at the unrolled body's last lines,
     * GBs of vector garbage, a decode 30% slower; 2 of ~10 runs of the SmolLM2 bench at load 20-30), likely as its
     * inlining budget ran out when the rise branch had been seen taken while profiling. The run kernel has no branch.
     */
    private static boolean accumulate64(float[] vc, int off, int stride, int span, float[] weights, float[] acc, int c) {
        java.util.Arrays.fill(acc, c, c + 64, 0f);
        for (int t = 0; t < span; ) {
            int end = t + 1;
            while (end < span && weights[span + end] == 1f) end++;
            float ms = weights[span + t]; // before the first rise it is 1: scaling a half by 1 leaves it as it is
            if (ms != 1f && !rescale64(acc, c, ms)) return false;
            if (!run64(vc, off, stride, t, end, weights, acc, c)) return false;
            t = end;
        }
        return true;
    }

    /**
     * Positions [t0, t1) of {@link #accumulate64} in eight 8-lane registers (from and back to acc[c..c+64)); false when
     * a step's exponent reached 2^15 (acc then unspecified).
     */
    private static boolean run64(float[] vc, int off, int stride, int t0, int t1, float[] weights, float[] acc, int c) {
        FloatVector a0 = FloatVector.fromArray(F, acc, c + 0), a1 = FloatVector.fromArray(F, acc, c + 8);
        FloatVector a2 = FloatVector.fromArray(F, acc, c + 16), a3 = FloatVector.fromArray(F, acc, c + 24);
        FloatVector a4 = FloatVector.fromArray(F, acc, c + 32), a5 = FloatVector.fromArray(F, acc, c + 40);
        FloatVector a6 = FloatVector.fromArray(F, acc, c + 48), a7 = FloatVector.fromArray(F, acc, c + 56);
        IntVector big = IntVector.zero(I);
        for (int t = t0; t < t1; t++) {
            FloatVector sv = FloatVector.broadcast(F, weights[t]);
            int o = t * stride + off;
            FloatVector x0 = FloatVector.fromArray(F, vc, o + 0).fma(sv, a0);
            FloatVector x1 = FloatVector.fromArray(F, vc, o + 8).fma(sv, a1);
            FloatVector x2 = FloatVector.fromArray(F, vc, o + 16).fma(sv, a2);
            FloatVector x3 = FloatVector.fromArray(F, vc, o + 24).fma(sv, a3);
            FloatVector x4 = FloatVector.fromArray(F, vc, o + 32).fma(sv, a4);
            FloatVector x5 = FloatVector.fromArray(F, vc, o + 40).fma(sv, a5);
            FloatVector x6 = FloatVector.fromArray(F, vc, o + 48).fma(sv, a6);
            FloatVector x7 = FloatVector.fromArray(F, vc, o + 56).fma(sv, a7);
            IntVector b0 = x0.reinterpretAsInts(), e0 = b0.and(EXPONENT);
            big = big.max(e0);
            FloatVector g0 = e0.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a0 = x0.add(g0).sub(g0).reinterpretAsInts().or(b0.and(SIGN)).reinterpretAsFloats();
            IntVector b1 = x1.reinterpretAsInts(), e1 = b1.and(EXPONENT);
            big = big.max(e1);
            FloatVector g1 = e1.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a1 = x1.add(g1).sub(g1).reinterpretAsInts().or(b1.and(SIGN)).reinterpretAsFloats();
            IntVector b2 = x2.reinterpretAsInts(), e2 = b2.and(EXPONENT);
            big = big.max(e2);
            FloatVector g2 = e2.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a2 = x2.add(g2).sub(g2).reinterpretAsInts().or(b2.and(SIGN)).reinterpretAsFloats();
            IntVector b3 = x3.reinterpretAsInts(), e3 = b3.and(EXPONENT);
            big = big.max(e3);
            FloatVector g3 = e3.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a3 = x3.add(g3).sub(g3).reinterpretAsInts().or(b3.and(SIGN)).reinterpretAsFloats();
            IntVector b4 = x4.reinterpretAsInts(), e4 = b4.and(EXPONENT);
            big = big.max(e4);
            FloatVector g4 = e4.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a4 = x4.add(g4).sub(g4).reinterpretAsInts().or(b4.and(SIGN)).reinterpretAsFloats();
            IntVector b5 = x5.reinterpretAsInts(), e5 = b5.and(EXPONENT);
            big = big.max(e5);
            FloatVector g5 = e5.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a5 = x5.add(g5).sub(g5).reinterpretAsInts().or(b5.and(SIGN)).reinterpretAsFloats();
            IntVector b6 = x6.reinterpretAsInts(), e6 = b6.and(EXPONENT);
            big = big.max(e6);
            FloatVector g6 = e6.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a6 = x6.add(g6).sub(g6).reinterpretAsInts().or(b6.and(SIGN)).reinterpretAsFloats();
            IntVector b7 = x7.reinterpretAsInts(), e7 = b7.and(EXPONENT);
            big = big.max(e7);
            FloatVector g7 = e7.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            a7 = x7.add(g7).sub(g7).reinterpretAsInts().or(b7.and(SIGN)).reinterpretAsFloats();
        }
        if (big.compare(VectorOperators.GE, BIG_EXPONENT).anyTrue()) return false;
        a0.intoArray(acc, c + 0);
        a1.intoArray(acc, c + 8);
        a2.intoArray(acc, c + 16);
        a3.intoArray(acc, c + 24);
        a4.intoArray(acc, c + 32);
        a5.intoArray(acc, c + 40);
        a6.intoArray(acc, c + 48);
        a7.intoArray(acc, c + 56);
        return true;
    }

    /**
     * acc[c..c+64) = half(acc * ms) with {@link #accumulate64}'s float rounding, or false (acc unspecified) when a
     * lane's exponent reached 2^15 (the caller then redoes the head exactly). Run at the softmax maximum's rises only.
     */
    private static boolean rescale64(float[] acc, int c, float ms) {
        FloatVector mv = FloatVector.broadcast(F, ms);
        IntVector big = IntVector.zero(I);
        for (int i = c; i < c + 64; i += 8) {
            FloatVector y = FloatVector.fromArray(F, acc, i).mul(mv);
            IntVector b = y.reinterpretAsInts(), e = b.and(EXPONENT);
            big = big.max(e);
            FloatVector h = e.max(MIN_NORMAL_HALF_BITS).add(GRID_SHIFT).reinterpretAsFloats();
            y.add(h).sub(h).reinterpretAsInts().or(b.and(SIGN)).reinterpretAsFloats().intoArray(acc, i);
        }
        return !big.compare(VectorOperators.GE, BIG_EXPONENT).anyTrue();
    }

    /**
     * Widens one head of a half-precision cache to floats: {@code out[t * hd + d]} = the half at
     * {@code cache[t * kvDim + kvOff + d]} for positions t in [0, positions). Exact; the loop is the form
     * C2 compiles to vector half-to-float conversions.
     */
    static void widenHead(short[] cache, int kvDim, int kvOff, int positions, int hd, float[] out) {
        for (int t = 0; t < positions; t++) {
            int src = t * kvDim + kvOff, dst = t * hd;
            for (int d = 0; d < hd; d++) out[dst + d] = Float.float16ToFloat(cache[src + d]);
        }
    }

    /**
     * Widens halves [from, to) of {@code cache} to floats, half i at {@code out[i + shift]}. One flat loop,
     * which C2 turns into vector half-to-float conversions at full speed; {@link #widenHead}'s loop per position
     * (64 values between strided rows) ran about 5 times slower per value.
     */
    static void widen(short[] cache, int from, int to, float[] out, int shift) {
        for (int i = from; i < to; i++) out[i + shift] = Float.float16ToFloat(cache[i]);
    }

    /** acc[from..from+n) = half(acc * v), as ggml_vec_scale_f16. */
    private static void scaleHalf(float[] acc, int from, int n, float v) {
        FloatVector vv = FloatVector.broadcast(F, v);
        for (int i = from; i < from + n; i += 8) roundToHalf(FloatVector.fromArray(F, acc, i).mul(vv), acc, i);
    }

    /** acc = half(fma(v[vo..], s, acc)), as ggml_vec_mad_f16. */
    private static void madHalf(float[] acc, float[] v, int vo, float s, int n) {
        FloatVector sv = FloatVector.broadcast(F, s);
        for (int i = 0; i < n; i += 8) {
            roundToHalf(FloatVector.fromArray(F, v, vo + i).fma(sv, FloatVector.fromArray(F, acc, i)), acc, i);
        }
    }

    /** Added to a float's magnitude bits: normal halves' range [2^-14, 65520) lands at the bottom of the signed ints. */
    private static final int NORMAL_RANGE_SHIFT = 0x80000000 - MIN_NORMAL_HALF_BITS;
    /** Magnitudes whose shifted bits are at least this (signed) are outside that range, or zero. */
    private static final int NORMAL_RANGE_END = (HALF_OVERFLOW_BITS - MIN_NORMAL_HALF_BITS) ^ 0x80000000;

    /**
     * Stores x rounded to the nearest half-precision value (ties to even) at out[o..o+8). Normal halves are
     * rounded in integer lanes (drop 13 mantissa bits); lanes that would be subnormal, overflow, are not
     * finite or are zero take the exact scalar conversion. The range test is one signed compare: shifting the
     * magnitude bits by 2^31 - 2^-14's bits maps [2^-14, 65520) to [MIN_VALUE, NORMAL_RANGE_END) and everything
     * else (zero included) above it.
     */
    static void roundToHalf(FloatVector x, float[] out, int o) {
        IntVector bits = x.reinterpretAsInts();
        VectorMask<Integer> special = bits.and(0x7FFFFFFF).add(NORMAL_RANGE_SHIFT).compare(VectorOperators.GE, NORMAL_RANGE_END);
        if (special.anyTrue()) {
            x.intoArray(out, o);
            for (int i = o; i < o + 8; i++) out[i] = Float.float16ToFloat(Float.floatToFloat16(out[i]));
            return;
        }
        IntVector lsb = bits.lanewise(VectorOperators.LSHR, 13).and(1);
        bits.add(0xFFF).add(lsb).and(~0x1FFF).reinterpretAsFloats().intoArray(out, o);
    }
}
