package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;

/** Float reductions in the exact order ggml's AVX2 code uses, so kernels round like llama.cpp. */
public final class GgmlSums {
    private GgmlSums() { }

    /** ggml's hsum_float_8: (lo + hi) halves, then pairs, then the last two. */
    public static float hsum8(FloatVector v) {
        float a0 = v.lane(0) + v.lane(4), a1 = v.lane(1) + v.lane(5), a2 = v.lane(2) + v.lane(6), a3 = v.lane(3) + v.lane(7);
        return (a0 + a2) + (a1 + a3);
    }

    /** {@link #hsum8(FloatVector)} of the 8 floats at {@code a[c..c + 8)} (accumulators kept in an array: no lane extraction). */
    public static float hsum8(float[] a, int c) {
        return hsum8(a, c, 1);
    }

    /** {@link #hsum8(float[], int)} of the 8 floats a[c], a[c + stride], ..., a[c + 7 * stride] (e.g. one row of an interleaved pair). */
    public static float hsum8(float[] a, int c, int stride) {
        float a0 = a[c] + a[c + 4 * stride], a1 = a[c + stride] + a[c + 5 * stride];
        float a2 = a[c + 2 * stride] + a[c + 6 * stride], a3 = a[c + 3 * stride] + a[c + 7 * stride];
        return (a0 + a2) + (a1 + a3);
    }

    /** The reduction at the end of GGML_F32x8_REDUCE: halves added, then two horizontal adds. */
    public static float haddReduce(FloatVector v) {
        float t0 = v.lane(0) + v.lane(4), t1 = v.lane(1) + v.lane(5), t2 = v.lane(2) + v.lane(6), t3 = v.lane(3) + v.lane(7);
        return (t0 + t1) + (t2 + t3);
    }
}
