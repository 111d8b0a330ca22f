package io.promptune.localmodel.quant;

/** The two rounding rules ggml-quants.c uses; getting them right is what makes outputs bit-exact. */
final class Rounding {
    private Rounding() {}

    /** ggml's nearest_int: round half to even (it adds 1.5 * 2^23 in float arithmetic). */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    /** C's roundf: round half away from zero (exact in double, since every float is a double). */
    static float roundf(float v) {
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }
}
