package io.promptune.localmodel.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorised SwiGLU must equal ggml's lane formula (GgmlMath.vexp, one value at a time) bit for bit. */
class GgmlMathTest {
    @Test
    void vectorSwigluEqualsTheScalarLaneFormulaBitForBit() {
        Random rnd = new Random(6);
        int n = 1 << 16;
        float[] gate = new float[n + 5], up = new float[n + 5];
        for (int i = 0; i < gate.length; i++) {
            // mostly activations of ordinary size, some far outside vexp's fast range (|x| > 126 ln 2), some exact zeros
            int kind = rnd.nextInt(10);
            gate[i] = kind == 0 ? (rnd.nextFloat() - 0.5f) * 400f : kind == 1 ? 0f : (float) rnd.nextGaussian() * 4f;
            up[i] = (float) rnd.nextGaussian();
        }
        gate[3] = -0f;
        gate[17] = Float.NaN;
        float[] expected = new float[gate.length];
        for (int i = 0; i < n; i++) expected[i] = (gate[i] / (1f + GgmlMath.vexp(0f - gate[i]))) * up[i];
        for (int i = n; i < gate.length; i++) expected[i] = (gate[i] / (1f + GgmlMath.expf(-gate[i]))) * up[i];
        GgmlMath.swiglu(gate, up, 0, gate.length);
        for (int i = 0; i < gate.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(gate[i]), "value " + i);
        }
    }
}
