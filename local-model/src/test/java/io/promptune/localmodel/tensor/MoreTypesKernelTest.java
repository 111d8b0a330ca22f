package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static io.promptune.localmodel.tensor.KernelChecks.randomBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels for Q5_0, Q5_1, Q4_K, Q5_K, Q6_K and BF16: Vector API against the scalar reference, and
 * the reference against a float dot product of the dequantized weights.
 */
class MoreTypesKernelTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    enum Type { Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, BF16 }

    /** Every bit pattern is exercised: random bytes, with the half scales overwritten by sane values. */
    static MemorySegment randomBytes(GgmlType type, int rows, int cols, Random rnd) {
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes);
        for (long i = 0; i < bytes; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        int bpb = type.bytesPerBlock();
        for (long p = 0; p < bytes; p += bpb) {
            switch (type) {
                case Q5_0 -> seg.set(SHORT, p, h(0.001f + rnd.nextFloat() * 0.05f));
                case Q5_1, Q4_K, Q5_K -> {
                    seg.set(SHORT, p, h(0.001f + rnd.nextFloat() * 0.05f));
                    seg.set(SHORT, p + 2, h((type == GgmlType.Q5_1 ? -0.4f : 0.001f) + rnd.nextFloat() * 0.05f));
                }
                case Q6_K -> seg.set(SHORT, p + 208, h(0.0005f + rnd.nextFloat() * 0.002f));
                case BF16 -> seg.set(SHORT, p, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                default -> throw new AssertionError(type);
            }
        }
        return seg;
    }

    /** Realistic weights: Gaussian values quantized with our llama.cpp-exact codec. */
    static MemorySegment quantizedGaussian(GgmlType type, int rows, int cols, Random rnd) {
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 0.05);
        return MemorySegment.ofArray(QuantFormats.of(type).quantize(x));
    }

    private static short h(float v) {
        return Float.floatToFloat16(v);
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void vectorKernelMatchesScalarReference(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(11 + t.ordinal());
        for (int cols : new int[]{256, 512, 2048}) {
            for (boolean realistic : new boolean[]{false, true}) {
                int rows = 6;
                MemorySegment bytes = realistic ? quantizedGaussian(type, rows, cols, rnd) : randomBytes(type, rows, cols, rnd);
                WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, bytes);
                KernelChecks.assertVectorMatchesReference(w, randomBatch(3, cols, rnd), t.toString());
            }
        }
    }

    /**
     * With activations on an integer grid whose block maxima are +-127, 8-bit activation quantization is
     * lossless, so the quantized dot must equal the float dot of the dequantized weights (up to float
     * rounding, 1e-5 of the absolute sum): this pins down every index and bit of the block layouts.
     */
    @ParameterizedTest
    @EnumSource(Type.class)
    void quantizedDotEqualsDequantizedDotWhenActivationsAreExact(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(5 + t.ordinal());
        int rows = 4, cols = 512;
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, randomBytes(type, rows, cols, rnd));
        FloatBatch in = new FloatBatch(2, cols);
        for (int i = 0; i < in.data().length; i++) in.data()[i] = rnd.nextInt(255) - 127;
        for (int i = 0; i < in.data().length; i += 32) in.data()[i + rnd.nextInt(32)] = rnd.nextBoolean() ? 127 : -127;
        Activations a = w.activationFormat().prepare(in);
        float[] deq = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, deq, 0);
            for (int b = 0; b < 2; b++) {
                double exact = 0, abs = 0;
                for (int i = 0; i < cols; i++) {
                    exact += (double) deq[i] * in.get(b, i);
                    abs += Math.abs((double) deq[i] * in.get(b, i));
                }
                assertEquals(exact, w.dotReference(r, a, b), 1e-5 * abs, t + " row " + r);
                assertEquals(exact, w.dot(r, a, b), 1e-5 * abs, t + " row " + r + " (vector)");
            }
        }
    }

    /**
     * On ordinary activations the quantized dot differs from the float dot of the dequantized weights
     * only by the activations' 8-bit rounding: at most half a step (block absmax/127) per element,
     * weighted by |w|, plus float rounding. BF16 rounds activations to 8 mantissa bits instead.
     */
    @ParameterizedTest
    @EnumSource(Type.class)
    void quantizedDotIsWithinActivationRoundingOfDequantizedDot(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(23 + t.ordinal());
        int rows = 8, cols = 1024;
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, quantizedGaussian(type, rows, cols, rnd));
        FloatBatch in = randomBatch(2, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        int bs = a.format.blockSize();
        float[] deq = new float[cols];
        double worstRatio = 0;
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, deq, 0);
            for (int b = 0; b < 2; b++) {
                double exact = 0, bound = 1e-6;
                for (int i = 0; i < cols; i++) {
                    float x = in.get(b, i);
                    exact += (double) deq[i] * x;
                    double err;
                    if (bs > 1) {
                        float amax = 0;
                        for (int j = i / bs * bs; j < i / bs * bs + bs; j++) amax = Math.max(amax, Math.abs(in.get(b, j)));
                        err = amax / 127.0 * 0.5 + amax * 1e-3; // rounding, plus the half-precision scale (Q8_0/Q8_1)
                    } else {
                        err = Math.abs(x) * 0x1p-8; // bf16 keeps 8 significant bits
                    }
                    bound += Math.abs(deq[i]) * err + Math.abs(deq[i] * x) * 1e-5;
                }
                float got = w.dot(r, a, b);
                assertTrue(Math.abs(got - exact) <= bound, t + ": " + got + " vs " + exact + " (bound " + bound + ")");
                worstRatio = Math.max(worstRatio, Math.abs(got - exact) / bound);
            }
        }
        assertTrue(worstRatio > 0, "suspicious: no rounding difference at all");
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void batchedParallelMatmulEqualsRowByRowDots(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(77 + t.ordinal());
        int rows = 70, cols = 512;
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, quantizedGaussian(type, rows, cols, rnd));
        FloatBatch in = randomBatch(3, cols, rnd);
        FloatBatch out = new FloatBatch(3, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        Activations a = w.activationFormat().prepare(in);
        for (int b = 0; b < 3; b++) {
            for (int r = 0; r < rows; r++) assertEquals(w.dot(r, a, b), out.get(b, r), 0f, t + " row " + r);
        }
    }

    /** The engine's Q8_K activations are the bytes the llama.cpp-exact Q8_K codec produces. */
    @Test
    void q8KActivationsAgreeWithTheQ8KCodec() {
        Random rnd = new Random(1);
        FloatBatch in = randomBatch(2, 512, rnd);
        Activations a = ActivationFormat.Q8_K.prepare(in);
        byte[] codec = QuantFormats.of(GgmlType.Q8_K).quantize(in.data());
        MemorySegment s = MemorySegment.ofArray(codec);
        for (int blk = 0; blk < 4; blk++) {
            long o = blk * 292L;
            assertEquals(s.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), o), a.d[blk], 0f);
            for (int i = 0; i < 256; i++) assertEquals(s.get(ValueLayout.JAVA_BYTE, o + 4 + i), a.qBytes[blk * 256 + i]);
            for (int j = 0; j < 16; j++) assertEquals(s.get(SHORT, o + 260 + 2L * j), (short) a.s[blk * 16 + j]);
        }
    }
}
