package io.promptune.localmodel.model;

import io.promptune.localmodel.tensor.GgmlSums;
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
        java.util.Arrays.fill(acc, 0, hd, 0f);
        float m = Float.NEGATIVE_INFINITY, s = 0f;
        for (int t = 0; t <= last; t++) {
            int ko = t * kvDim + kvOff;
            float score = dotF16(kc, ko, qh, hd) * scale;
            float ms = 1f, vs = 1f;
            if (score > m) {
                float old = m;
                m = score;
                ms = GgmlMath.expf(old - m);
                // before the first raise of m the accumulator is still all +0, which scaling leaves as it is
                if (old != Float.NEGATIVE_INFINITY) scaleHalf(acc, hd, ms);
            } else {
                vs = GgmlMath.expf(score - m);
            }
            madHalf(acc, vc, ko, vs, hd);
            s = Math.fma(s, ms, vs);
        }
        float inv = s == 0f ? 0f : 1f / s;
        for (int d = 0; d < hd; d++) out[oo + d] = acc[d] * inv;
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

    /** ggml_vec_dot_f16 on AVX2 for n a multiple of 32. */
    static float dotF16(float[] x, int xo, float[] y, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (int i = 0; i < n; i += 32) {
            s0 = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, i), s0);
            s1 = FloatVector.fromArray(F, x, xo + i + 8).fma(FloatVector.fromArray(F, y, i + 8), s1);
            s2 = FloatVector.fromArray(F, x, xo + i + 16).fma(FloatVector.fromArray(F, y, i + 16), s2);
            s3 = FloatVector.fromArray(F, x, xo + i + 24).fma(FloatVector.fromArray(F, y, i + 24), s3);
        }
        s0 = s0.add(s2);
        s1 = s1.add(s3);
        return GgmlSums.haddReduce(s0.add(s1));
    }

    /** acc = half(acc * v), as ggml_vec_scale_f16. */
    private static void scaleHalf(float[] acc, int n, float v) {
        FloatVector vv = FloatVector.broadcast(F, v);
        for (int i = 0; i < n; i += 8) roundToHalf(FloatVector.fromArray(F, acc, i).mul(vv), acc, i);
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
