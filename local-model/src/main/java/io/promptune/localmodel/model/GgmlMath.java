package io.promptune.localmodel.model;

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

    /** gate[i] = silu(gate[i]) * up[i] over n values, as ggml_vec_swiglu_f32: vector lanes for whole groups of 8, expf for the tail. */
    static void swiglu(float[] gate, float[] up, int off, int n) {
        int vec = n & ~7;
        for (int i = 0; i < vec; i++) {
            float x = gate[off + i];
            gate[off + i] = (x / (1f + vexp(0f - x))) * up[off + i];
        }
        for (int i = vec; i < n; i++) {
            float x = gate[off + i];
            gate[off + i] = (x / (1f + (float) Math.exp(-x))) * up[off + i];
        }
    }
}
