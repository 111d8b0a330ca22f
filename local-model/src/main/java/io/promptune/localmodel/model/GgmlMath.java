package io.promptune.localmodel.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise functions computed the way ggml's AVX2 code computes them, so activations round like
 * llama.cpp's (which matters when they are quantized to 8 bits afterwards).
 */
final class GgmlMath {
    private GgmlMath() { }

    /**
     * exp(x) by ggml's vectorised approximation (range reduction to 2^n * (1 + poly(b)), within about
     * 1.5 ulp), which its SiLU uses.
     */
    static float vexp(float x) {
        final float shift = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, shift);
        float n = z - shift;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        int e = Float.floatToRawIntBits(z) << 23;
        float k = Float.intBitsToFloat(e + Float.floatToRawIntBits(1f));
        float u = b * b;
        float j = Math.fma(Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                u, 0x1.ffffecp-1f * b);
        if (!(Math.abs(n) > 126)) return Math.fma(j, k, k);
        int g = n <= 0 ? 0x82000000 : 0;
        float s1 = Float.intBitsToFloat(g + 0x7f000000);
        float s2 = Float.intBitsToFloat(e - g);
        if (Math.abs(n) > 192) return s1 * s1;
        return Math.fma(s2, j, s2) * s1;
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    /**
     * gate[i] = silu(gate[i]) * up[i] over n values, as ggml_vec_swiglu_f32: vector lanes for whole groups of 8
     * ({@link #vexp}'s operations lane by lane, so each lane equals the scalar form; a group with a lane outside
     * the fast path's range takes the scalar form), expf for the tail.
     */
    static void swiglu(float[] gate, float[] up, int off, int n) {
        int vec = n & ~7;
        FloatVector shift = FloatVector.broadcast(F, 0x1.8p23f), zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f);
        FloatVector c4 = FloatVector.broadcast(F, 0x1.fffdb6p-2f), c6 = FloatVector.broadcast(F, 0x1.573e2ep-5f);
        for (int i = 0; i < vec; i += 8) {
            int o = off + i;
            FloatVector x = FloatVector.fromArray(F, gate, o);
            FloatVector arg = zero.sub(x);
            FloatVector z = arg.fma(FloatVector.broadcast(F, 0x1.715476p+0f), shift);
            FloatVector nn = z.sub(shift);
            if (nn.abs().compare(VectorOperators.GT, 126f).anyTrue()) {
                for (int k = o; k < o + 8; k++) {
                    float g = gate[k];
                    gate[k] = (g / (1f + vexp(0f - g))) * up[k];
                }
                continue;
            }
            FloatVector neg = nn.neg();
            FloatVector b = neg.fma(FloatVector.broadcast(F, 0x1.7f7d1cp-20f), neg.fma(FloatVector.broadcast(F, 0x1.62e4p-1f), arg));
            IntVector e = z.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
            FloatVector k = e.add(Float.floatToRawIntBits(1f)).reinterpretAsFloats();
            FloatVector u = b.mul(b);
            FloatVector j = b.fma(FloatVector.broadcast(F, 0x1.0e4020p-7f), c6)
                    .fma(u, b.fma(FloatVector.broadcast(F, 0x1.555e66p-3f), c4))
                    .fma(u, b.mul(0x1.ffffecp-1f));
            FloatVector ex = j.fma(k, k);
            x.div(one.add(ex)).mul(FloatVector.fromArray(F, up, o)).intoArray(gate, o);
        }
        for (int i = vec; i < n; i++) {
            float x = gate[off + i];
            gate[off + i] = (x / (1f + expf(-x))) * up[off + i];
        }
    }

    private static final int EXPF_N = 32;
    private static final long[] EXPF_T = new long[EXPF_N];
    static {
        java.math.MathContext mc = new java.math.MathContext(60);
        for (int i = 0; i < EXPF_N; i++) { // 2^(i/32) correctly rounded (checked exactly: b^32 closest to 2^i)
            double c = Math.pow(2, i / 32.0), best = c;
            java.math.BigDecimal bestErr = null;
            for (double cand : new double[]{Math.nextDown(c), c, Math.nextUp(c)}) {
                java.math.BigDecimal err = new java.math.BigDecimal(cand).pow(32, mc).subtract(java.math.BigDecimal.valueOf(2).pow(i)).abs();
                if (bestErr == null || err.compareTo(bestErr) < 0) { bestErr = err; best = cand; }
            }
            EXPF_T[i] = Double.doubleToRawLongBits(best) - ((long) i << 47);
        }
    }
    private static final double EXPF_SHIFT = 0x1.8p+52, EXPF_INVLN2N = 0x1.71547652b82fep+0 * EXPF_N;
    private static final double EXPF_C0 = 0x1.c6af84b912394p-5 / EXPF_N / EXPF_N / EXPF_N,
            EXPF_C1 = 0x1.ebfce50fac4f3p-3 / EXPF_N / EXPF_N, EXPF_C2 = 0x1.62e42ff0c52d6p-1 / EXPF_N;

    /**
     * glibc's expf (sysdeps/ieee754/flt-32/e_expf.c, as its x86_64 FMA variant computes it), which ggml calls
     * for the attention softmax and SiLU tails: within 0.502 ulp but not correctly rounded, so
     * (float) Math.exp differs from it about once in 10^4 arguments. Checked bit for bit against libm's expf
     * on 11 million floats in [-100, 88].
     */
    static float expf(float x) {
        if (x != x) return x;
        if (x == Float.NEGATIVE_INFINITY || x < -0x1.9fe368p6f) return 0f;
        if (x > 0x1.62e42ep6f) return Float.POSITIVE_INFINITY;
        double xd = x;
        double z = EXPF_INVLN2N * xd;
        double kd = z + EXPF_SHIFT;
        long ki = Double.doubleToRawLongBits(kd);
        kd -= EXPF_SHIFT;
        double r = z - kd;
        double s = Double.longBitsToDouble(EXPF_T[(int) (ki & (EXPF_N - 1))] + (ki << 47));
        double p = Math.fma(EXPF_C0, r, EXPF_C1);
        double y = Math.fma(EXPF_C2, r, 1.0);
        y = Math.fma(p, r * r, y);
        return (float) (y * s);
    }
}
