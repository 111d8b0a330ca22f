package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantize-then-dequantize error on Gaussian data. Bounds are about 1.2x the relative RMS error measured
 * for each type (Q4_0 0.085, Q4_1 0.078, Q5_0 0.042, Q5_1 0.038, Q4_K 0.071, Q5_K 0.036, Q8_K 0.0070),
 * tight enough that a wrong packing, scale or rounding rule (errors of 0.2 to 1.0) fails; plus a
 * per-element bound from each block's range.
 */
class RoundTripTest {

    @ParameterizedTest
    @CsvSource({
            "F32, 0.0", "F16, 0.001", "BF16, 0.006",
            "Q8_0, 0.008", "Q5_0, 0.05", "Q5_1, 0.045", "Q4_0, 0.10", "Q4_1, 0.095",
            "Q6_K, 0.02", "Q5_K, 0.043", "Q4_K, 0.085", "Q8_K, 0.0085"})
    void relativeRmsErrorIsWithinBound(GgmlType type, double bound) {
        Random rnd = new Random(42);
        float[] x = new float[256 * 64];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 0.05);
        QuantFormat f = QuantFormats.of(type);
        float[] y = f.dequantize(f.quantize(x), x.length);
        double err = 0, norm = 0;
        for (int i = 0; i < x.length; i++) {
            err += (x[i] - y[i]) * (double) (x[i] - y[i]);
            norm += x[i] * (double) x[i];
        }
        double rel = Math.sqrt(err / norm);
        assertTrue(rel <= bound, type + " relative RMS error " + rel + " above " + bound);
        if (type != GgmlType.F32) assertTrue(rel > 0, type + " lost no precision at all: suspicious");
    }

    @ParameterizedTest
    @CsvSource({"Q8_0, 127", "Q5_0, 16", "Q5_1, 31", "Q4_0, 8", "Q4_1, 15", "Q6_K, 32", "Q5_K, 31", "Q4_K, 15"})
    void everyElementIsWithinAFewStepsOfItsBlockRange(GgmlType type, int levels) {
        Random rnd = new Random(7);
        float[] x = new float[256 * 16];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * (1 + i / 256));
        QuantFormat f = QuantFormats.of(type);
        float[] y = f.dequantize(f.quantize(x), x.length);
        int bs = type.blockSize();
        for (int b = 0; b < x.length / bs; b++) {
            float amax = 0;
            for (int j = 0; j < bs; j++) amax = Math.max(amax, Math.abs(x[b * bs + j]));
            // a step is at most 2*amax/levels; k-quant sub-block scales are themselves 6-bit, hence the slack
            float tol = 2f * amax / levels * (type.blockSize() == 256 ? 2.5f : 1.01f);
            for (int j = 0; j < bs; j++) {
                int i = b * bs + j;
                assertTrue(Math.abs(x[i] - y[i]) <= tol, type + " element " + i + ": " + x[i] + " -> " + y[i]);
            }
        }
    }

    @Test
    void zeroBlocksStayZero() {
        for (GgmlType t : new GgmlType[]{GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
                GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K}) {
            QuantFormat f = QuantFormats.of(t);
            float[] y = f.dequantize(f.quantize(new float[512]), 512);
            assertArrayEquals(new float[512], y, 0f, t.toString());
        }
    }

    @Test
    void q8KStoresBlockSumsAndRoundsHalfToEven() {
        float[] x = new float[256];
        x[0] = -127f; // d = 1, so every value below quantizes to itself rounded
        x[1] = 0.5f;
        x[2] = 1.5f;
        x[3] = 2.5f;
        x[4] = -2.5f;
        for (int i = 16; i < 256; i++) x[i] = (i % 7) - 3;
        byte[] q = QuantFormats.of(GgmlType.Q8_K).quantize(x);
        var seg = java.lang.foreign.MemorySegment.ofArray(q);
        assertEquals(1f, Le.f32(seg, 0));
        assertEquals(0, Le.i8(seg, Q8_KFormat.QS + 1));
        assertEquals(2, Le.i8(seg, Q8_KFormat.QS + 2));
        assertEquals(2, Le.i8(seg, Q8_KFormat.QS + 3));
        assertEquals(-2, Le.i8(seg, Q8_KFormat.QS + 4));
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += Le.i8(seg, Q8_KFormat.QS + 16 * g + i);
            assertEquals(sum, Le.i16(seg, Q8_KFormat.BSUMS + 2 * g), "bsum " + g);
        }
    }

    @Test
    void rejectsLengthsThatAreNotWholeBlocks() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> QuantFormats.of(GgmlType.Q4_K).quantize(new float[100]));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
    }
}
