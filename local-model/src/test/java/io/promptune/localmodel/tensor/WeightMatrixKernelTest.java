package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static io.promptune.localmodel.tensor.KernelChecks.randomBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each type's Vector API kernel against its scalar reference, on random weights and activations. */
class WeightMatrixKernelTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    enum Type { F32, F16, Q8_0, Q4_0, Q4_1 }

    /** Random but well-formed bytes for a rows x cols matrix of {@code type} (finite half scales). */
    static MemorySegment randomWeights(GgmlType type, int rows, int cols, Random rnd) {
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes);
        for (long i = 0; i < bytes; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        int bpb = type.bytesPerBlock();
        long blocks = bytes / bpb;
        for (long k = 0; k < blocks; k++) {
            long p = k * bpb;
            switch (type) {
                case F32 -> seg.set(FLOAT, p, (float) rnd.nextGaussian());
                case F16 -> seg.set(SHORT, p, Float.floatToFloat16((float) rnd.nextGaussian()));
                case Q8_0, Q4_0 -> seg.set(SHORT, p, Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.05f));
                case Q4_1 -> {
                    seg.set(SHORT, p, Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.05f));
                    seg.set(SHORT, p + 2, Float.floatToFloat16(-0.4f + rnd.nextFloat() * 0.1f));
                }
                default -> throw new AssertionError(type);
            }
        }
        return seg;
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void vectorKernelMatchesScalarReference(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(42 + t.ordinal());
        for (int cols : new int[]{32, 64, 576, 1536}) {
            int rows = 7;
            WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, randomWeights(type, rows, cols, rnd));
            KernelChecks.assertVectorMatchesReference(w, randomBatch(3, cols, rnd), t.toString());
        }
    }

    /** The reference itself is right: it equals the float dot product of the dequantized weights up to activation rounding. */
    @ParameterizedTest
    @EnumSource(Type.class)
    void referenceMatchesDequantizedDotUpToActivationRounding(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(7 + t.ordinal());
        int rows = 5, cols = 256;
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, randomWeights(type, rows, cols, rnd));
        FloatBatch in = randomBatch(2, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        int bs = a.format.blockSize();
        float[] deq = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, deq, 0);
            for (int b = 0; b < in.rows(); b++) {
                double exact = 0, bound = 1e-4;
                for (int i = 0; i < cols; i++) {
                    float x = in.get(b, i);
                    exact += (double) deq[i] * x;
                    double step = 0;
                    if (bs > 1) {
                        float amax = 0;
                        int s = i / bs * bs;
                        for (int j = s; j < s + bs; j++) amax = Math.max(amax, Math.abs(in.get(b, j)));
                        step = amax / 127.0 * 0.51 + amax * 1e-3; // half a quantization step, plus the half-rounded scale
                    } else {
                        step = Math.abs(x) * 1e-3;
                    }
                    bound += Math.abs(deq[i]) * step + Math.abs(deq[i] * x) * 1e-5;
                }
                float ref = w.dotReference(r, a, b);
                assertTrue(Math.abs(ref - exact) <= bound, t + ": reference " + ref + " vs dequantized dot " + exact + " (bound " + bound + ")");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void batchedParallelMatmulEqualsRowByRowDots(Type t) {
        GgmlType type = GgmlType.valueOf(t.name());
        Random rnd = new Random(99 + t.ordinal());
        int rows = 150, cols = 96;
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, randomWeights(type, rows, cols, rnd));
        FloatBatch in = randomBatch(5, cols, rnd);
        FloatBatch out = new FloatBatch(5, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        Activations a = w.activationFormat().prepare(in);
        for (int b = 0; b < 5; b++) {
            for (int r = 0; r < rows; r++) assertEquals(w.dot(r, a, b), out.get(b, r), 0f, "row " + r + " batch " + b);
        }
    }

    /**
     * F16 rows are 8 lane accumulators (one fused multiply-add per value) reduced in GgmlSums.hsum8's order, whether
     * the kernel runs interpreted or compiled: the batched matmul and the single-row dot must agree bit for bit.
     */
    @Test
    void f16DotReducesItsLanesInAFixedOrder() {
        Random rnd = new Random(7);
        int rows = 40, cols = 256;
        WeightMatrix w = WeightMatrices.create(GgmlType.F16, "w", rows, cols, randomWeights(GgmlType.F16, rows, cols, rnd));
        Activations a = w.activationFormat().prepare(randomBatch(1, cols, rnd));
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, row, 0);
            float[] lanes = new float[8];
            for (int i = 0; i < cols; i++) lanes[i % 8] = Math.fma(row[i], a.q[a.rowOffset(0) + i], lanes[i % 8]);
            float expect = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
            assertEquals(expect, w.dot(r, a, 0), 0f, "row " + r);
        }
    }

    @Test
    void q8ActivationsFollowGgmlRounding() {
        FloatBatch in = new FloatBatch(1, 32);
        for (int i = 0; i < 32; i++) in.set(0, i, i - 15.5f); // amax 15.5 -> id = 127/15.5
        Activations a = ActivationFormat.Q8_0.prepare(in);
        assertEquals(Activations.half(15.5f / 127f), a.d[0], 0f);
        assertEquals(-127, a.qBytes[0]);
        assertEquals(127, a.qBytes[31]);
        // -0.5 * 127/15.5 = -4.0967... -> -4
        assertEquals(-4, a.qBytes[15]);
        Activations a1 = ActivationFormat.Q8_1.prepare(in);
        int sum = 0;
        for (int i = 0; i < 32; i++) sum += a1.qBytes[i];
        assertEquals(Activations.half(15.5f / 127f * sum), a1.s[0], 0f);
    }

    @Test
    void halvesConvertExactlyInVectorLanes() {
        MemorySegment seg = Arena.ofAuto().allocate(2 * 65536);
        for (int h = 0; h < 65536; h++) seg.set(SHORT, 2L * h, (short) h);
        float[] lanes = new float[8];
        for (int h = 0; h < 65536; h += 8) {
            F16Matrix.halvesToFloats(seg, 2L * h).intoArray(lanes, 0);
            for (int j = 0; j < 8; j++) {
                float expect = Float.float16ToFloat((short) (h + j));
                if (Float.isFinite(expect)) assertEquals(expect, lanes[j], 0f, "half 0x" + Integer.toHexString(h + j));
            }
        }
    }
}
