package io.promptune.localmodel.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.AND;
import static jdk.incubator.vector.VectorOperators.FMA;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MUL;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.SUB;

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
    /*
     * Every vector operation below is lanewise(op, vector) with vector operands (constants here), never the
     * convenience methods (add, fma, and(int), ...): those are final methods whose inner lanewise call is one call
     * site in the JDK shared by every caller, which sees both 256- and 512-bit vectors once the engine's 512-bit
     * kernels have run; without a speculative type C2 inlines it behind a class check and the chain boxes
     * (docs/dev-notes/speed.md, session 12 jit). lanewise dispatches at this file's own call sites, which see one
     * class. A stored vector is the direct result of a lanewise call. A vector carried around a loop starts from a
     * computed vector, never a static final one: C2 keeps vectors in registers through a loop's phi only when every
     * input is a vector it computed, else it boxes the value on every iteration. KernelAllocationTest checks it.
     */
    private static final FloatVector ZERO = FloatVector.zero(F);
    /** -0 + x == x bit for bit for every float: re-types a value as a lanewise result before a store. */
    private static final FloatVector NEG_ZERO = FloatVector.broadcast(F, -0f);

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
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0; // not ZERO: a phi with a constant input boxes
            for (int i = 0; i < hd; i += 32) {
                s0 = FloatVector.fromArray(F, kc, ko + i).lanewise(FMA, FloatVector.fromArray(F, q, i), s0);
                s1 = FloatVector.fromArray(F, kc, ko + i + 8).lanewise(FMA, FloatVector.fromArray(F, q, i + 8), s1);
                s2 = FloatVector.fromArray(F, kc, ko + i + 16).lanewise(FMA, FloatVector.fromArray(F, q, i + 16), s2);
                s3 = FloatVector.fromArray(F, kc, ko + i + 24).lanewise(FMA, FloatVector.fromArray(F, q, i + 24), s3);
            }
            s0.lanewise(ADD, s2).lanewise(ADD, s1.lanewise(ADD, s3)).intoArray(out, o + 8 * t);
        }
    }

    /** {@link #partialSums} for 64-wide heads (most small llamas), the query held in registers. */
    private static void partialSums64(float[] kc, int stride, int off, int span, float[] q, float[] out, int o) {
        FloatVector q0 = FloatVector.fromArray(F, q, 0), q1 = FloatVector.fromArray(F, q, 8);
        FloatVector q2 = FloatVector.fromArray(F, q, 16), q3 = FloatVector.fromArray(F, q, 24);
        FloatVector q4 = FloatVector.fromArray(F, q, 32), q5 = FloatVector.fromArray(F, q, 40);
        FloatVector q6 = FloatVector.fromArray(F, q, 48), q7 = FloatVector.fromArray(F, q, 56);
        for (int t = 0; t < span; t++) {
            int ko = t * stride + off;
            FloatVector s0 = FloatVector.fromArray(F, kc, ko).lanewise(FMA, q0, ZERO);
            FloatVector s1 = FloatVector.fromArray(F, kc, ko + 8).lanewise(FMA, q1, ZERO);
            FloatVector s2 = FloatVector.fromArray(F, kc, ko + 16).lanewise(FMA, q2, ZERO);
            FloatVector s3 = FloatVector.fromArray(F, kc, ko + 24).lanewise(FMA, q3, ZERO);
            s0 = FloatVector.fromArray(F, kc, ko + 32).lanewise(FMA, q4, s0);
            s1 = FloatVector.fromArray(F, kc, ko + 40).lanewise(FMA, q5, s1);
            s2 = FloatVector.fromArray(F, kc, ko + 48).lanewise(FMA, q6, s2);
            s3 = FloatVector.fromArray(F, kc, ko + 56).lanewise(FMA, q7, s3);
            s0.lanewise(ADD, s2).lanewise(ADD, s1.lanewise(ADD, s3)).intoArray(out, o + 8 * t);
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
    private static final IntVector EXPONENTS = IntVector.broadcast(I, EXPONENT), SIGNS = IntVector.broadcast(I, SIGN);
    private static final IntVector MIN_NORMAL_HALVES = IntVector.broadcast(I, MIN_NORMAL_HALF_BITS);
    private static final IntVector GRID_SHIFTS = IntVector.broadcast(I, GRID_SHIFT);
    private static final IntVector BIG_EXPONENTS = IntVector.broadcast(I, BIG_EXPONENT);

    /**
     * Lanes [c, c+64) of the accumulation pass (acc[c..c+64) = the result), in runs of positions between the softmax
     * maximum's rises: at a rise the accumulator is scaled ({@link #rescale64}, as ggml_vec_scale_f16), then each run
     * goes through a kernel with no branch ({@link #run32}) holding the accumulator in registers
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
            if (!run32(vc, off, stride, t, end, weights, acc, c) || !run32(vc, off + 32, stride, t, end, weights, acc, c + 32)) {
                return false;
            }
            t = end;
        }
        return true;
    }

    /**
     * Positions [t0, t1) of {@link #accumulate64} for lanes [c, c+32) in four 8-lane registers (from and back to
     * acc); false when a step's exponent reached 2^15 (acc then unspecified). 32 lanes per call (two calls per
     * 64) keeps the compile small, under C2's inlining node limits (session 12). The boxing once seen at the body's last
     * line under -XX:-UseTypeSpeculation was the {@code big} phi's constant start, fixed by starting it from
     * {@code zero(I)}; whether eight registers in one call would also stay clean was not measured.
     */
    private static boolean run32(float[] vc, int off, int stride, int t0, int t1, float[] weights, float[] acc, int c) {
        FloatVector a0 = FloatVector.fromArray(F, acc, c + 0), a1 = FloatVector.fromArray(F, acc, c + 8);
        FloatVector a2 = FloatVector.fromArray(F, acc, c + 16), a3 = FloatVector.fromArray(F, acc, c + 24);
        IntVector big = IntVector.zero(I); // not the constant ZERO_I: a loop phi with a constant input boxes (see above)
        for (int t = t0; t < t1; t++) {
            FloatVector sv = FloatVector.broadcast(F, weights[t]);
            int o = t * stride + off;
            FloatVector x0 = FloatVector.fromArray(F, vc, o + 0).lanewise(FMA, sv, a0);
            FloatVector x1 = FloatVector.fromArray(F, vc, o + 8).lanewise(FMA, sv, a1);
            FloatVector x2 = FloatVector.fromArray(F, vc, o + 16).lanewise(FMA, sv, a2);
            FloatVector x3 = FloatVector.fromArray(F, vc, o + 24).lanewise(FMA, sv, a3);
            IntVector b0 = x0.reinterpretAsInts(), e0 = b0.lanewise(AND, EXPONENTS);
            big = e0.lanewise(MAX, big);
            FloatVector g0 = e0.lanewise(MAX, MIN_NORMAL_HALVES).lanewise(ADD, GRID_SHIFTS).reinterpretAsFloats();
            a0 = x0.lanewise(ADD, g0).lanewise(SUB, g0).reinterpretAsInts().lanewise(OR, b0.lanewise(AND, SIGNS)).reinterpretAsFloats();
            IntVector b1 = x1.reinterpretAsInts(), e1 = b1.lanewise(AND, EXPONENTS);
            big = e1.lanewise(MAX, big);
            FloatVector g1 = e1.lanewise(MAX, MIN_NORMAL_HALVES).lanewise(ADD, GRID_SHIFTS).reinterpretAsFloats();
            a1 = x1.lanewise(ADD, g1).lanewise(SUB, g1).reinterpretAsInts().lanewise(OR, b1.lanewise(AND, SIGNS)).reinterpretAsFloats();
            IntVector b2 = x2.reinterpretAsInts(), e2 = b2.lanewise(AND, EXPONENTS);
            big = e2.lanewise(MAX, big);
            FloatVector g2 = e2.lanewise(MAX, MIN_NORMAL_HALVES).lanewise(ADD, GRID_SHIFTS).reinterpretAsFloats();
            a2 = x2.lanewise(ADD, g2).lanewise(SUB, g2).reinterpretAsInts().lanewise(OR, b2.lanewise(AND, SIGNS)).reinterpretAsFloats();
            IntVector b3 = x3.reinterpretAsInts(), e3 = b3.lanewise(AND, EXPONENTS);
            big = e3.lanewise(MAX, big);
            FloatVector g3 = e3.lanewise(MAX, MIN_NORMAL_HALVES).lanewise(ADD, GRID_SHIFTS).reinterpretAsFloats();
            a3 = x3.lanewise(ADD, g3).lanewise(SUB, g3).reinterpretAsInts().lanewise(OR, b3.lanewise(AND, SIGNS)).reinterpretAsFloats();
        }
        if (big.compare(VectorOperators.GE, BIG_EXPONENTS).anyTrue()) return false;
        a0.lanewise(ADD, NEG_ZERO).intoArray(acc, c + 0);
        a1.lanewise(ADD, NEG_ZERO).intoArray(acc, c + 8);
        a2.lanewise(ADD, NEG_ZERO).intoArray(acc, c + 16);
        a3.lanewise(ADD, NEG_ZERO).intoArray(acc, c + 24);
        return true;
    }

    /**
     * acc[c..c+64) = half(acc * ms) with {@link #accumulate64}'s float rounding, or false (acc unspecified) when a
     * lane's exponent reached 2^15 (the caller then redoes the head exactly). Run at the softmax maximum's rises only.
     */
    private static boolean rescale64(float[] acc, int c, float ms) {
        FloatVector mv = FloatVector.broadcast(F, ms);
        IntVector big = IntVector.zero(I); // not the constant ZERO_I: a loop phi with a constant input boxes (see above)
        for (int i = c; i < c + 64; i += 8) {
            FloatVector y = FloatVector.fromArray(F, acc, i).lanewise(MUL, mv);
            IntVector b = y.reinterpretAsInts(), e = b.lanewise(AND, EXPONENTS);
            big = e.lanewise(MAX, big);
            FloatVector h = e.lanewise(MAX, MIN_NORMAL_HALVES).lanewise(ADD, GRID_SHIFTS).reinterpretAsFloats();
            y.lanewise(ADD, h).lanewise(SUB, h).reinterpretAsInts().lanewise(OR, b.lanewise(AND, SIGNS)).reinterpretAsFloats()
                    .lanewise(ADD, NEG_ZERO).intoArray(acc, i);
        }
        return !big.compare(VectorOperators.GE, BIG_EXPONENTS).anyTrue();
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
        for (int i = from; i < from + n; i += 8) roundToHalf(FloatVector.fromArray(F, acc, i).lanewise(MUL, vv), acc, i);
    }

    /** acc = half(fma(v[vo..], s, acc)), as ggml_vec_mad_f16. */
    private static void madHalf(float[] acc, float[] v, int vo, float s, int n) {
        FloatVector sv = FloatVector.broadcast(F, s);
        for (int i = 0; i < n; i += 8) {
            roundToHalf(FloatVector.fromArray(F, v, vo + i).lanewise(FMA, sv, FloatVector.fromArray(F, acc, i)), acc, i);
        }
    }

    /** Added to a float's magnitude bits: normal halves' range [2^-14, 65520) lands at the bottom of the signed ints. */
    private static final int NORMAL_RANGE_SHIFT = 0x80000000 - MIN_NORMAL_HALF_BITS;
    /** Magnitudes whose shifted bits are at least this (signed) are outside that range, or zero. */
    private static final int NORMAL_RANGE_END = (HALF_OVERFLOW_BITS - MIN_NORMAL_HALF_BITS) ^ 0x80000000;
    private static final IntVector MAGNITUDES = IntVector.broadcast(I, 0x7FFFFFFF), ONES = IntVector.broadcast(I, 1);
    private static final IntVector NORMAL_RANGE_SHIFTS = IntVector.broadcast(I, NORMAL_RANGE_SHIFT);
    private static final IntVector NORMAL_RANGE_ENDS = IntVector.broadcast(I, NORMAL_RANGE_END);
    /** Below half's ulp (bit 13), then cleared: with the kept lsb added, rounds to nearest, ties to even. */
    private static final IntVector HALF_ULP_ROUNDING = IntVector.broadcast(I, 0xFFF), HALF_MANTISSA = IntVector.broadcast(I, ~0x1FFF);
    /** The shift count to a half's ulp as a vector: a shift by an int is a convenience method too (see the top). */
    private static final IntVector HALF_ULP_BIT = IntVector.broadcast(I, 13);

    /**
     * Stores x rounded to the nearest half-precision value (ties to even) at out[o..o+8). Normal halves are
     * rounded in integer lanes (drop 13 mantissa bits); lanes that would be subnormal, overflow, are not
     * finite or are zero take the exact scalar conversion. The range test is one signed compare: shifting the
     * magnitude bits by 2^31 - 2^-14's bits maps [2^-14, 65520) to [MIN_VALUE, NORMAL_RANGE_END) and everything
     * else (zero included) above it.
     */
    static void roundToHalf(FloatVector x, float[] out, int o) {
        IntVector bits = x.reinterpretAsInts();
        VectorMask<Integer> special = bits.lanewise(AND, MAGNITUDES).lanewise(ADD, NORMAL_RANGE_SHIFTS)
                .compare(VectorOperators.GE, NORMAL_RANGE_ENDS);
        if (special.anyTrue()) {
            x.intoArray(out, o);
            for (int i = o; i < o + 8; i++) out[i] = Float.float16ToFloat(Float.floatToFloat16(out[i]));
            return;
        }
        IntVector lsb = bits.lanewise(VectorOperators.LSHR, HALF_ULP_BIT).lanewise(AND, ONES);
        bits.lanewise(ADD, HALF_ULP_ROUNDING).lanewise(ADD, lsb).lanewise(AND, HALF_MANTISSA)
                .reinterpretAsFloats().lanewise(ADD, NEG_ZERO).intoArray(out, o);
    }
}
