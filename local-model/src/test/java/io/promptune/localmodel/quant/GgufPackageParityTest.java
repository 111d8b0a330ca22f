package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bit-exact agreement with the numpy reference in PyPI's gguf package (gguf/quants.py, which mirrors
 * ggml-quants.c). Fixtures come from src/test/resources/quant/make_fixtures.py. gguf can quantize only
 * the plain and legacy types; for the k-quants it can only dequantize, so those are compared there.
 */
class GgufPackageParityTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void quantizesBitExactlyLikeGgufPackage(GgmlType type) {
        float[] input = Fixtures.floats("quant_input.f32");
        byte[] expected = Fixtures.bytes("quant_" + type + ".bin");
        byte[] actual = QuantFormats.of(type).quantize(input);
        assertEquals(expected.length, actual.length, "byte length");
        int blockBytes = type.bytesPerBlock();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                fail(type + ": first difference at byte " + i + " (block " + i / blockBytes + ", byte " + i % blockBytes
                        + "): expected " + (expected[i] & 0xFF) + " got " + (actual[i] & 0xFF));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizesBitExactlyLikeGgufPackage(GgmlType type) {
        byte[] blocks = Fixtures.bytes("dequant_" + type + ".bin");
        float[] expected = Fixtures.floats("dequant_" + type + ".f32");
        float[] actual = QuantFormats.of(type).dequantize(blocks, expected.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(type + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
            }
        }
    }
}
