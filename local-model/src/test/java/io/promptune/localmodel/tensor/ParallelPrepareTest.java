package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Activations prepared in parallel (large batches, row groups spread over the pool, arrays reused from
 * {@link Activations.Buffers}) must equal the serial preparation in every layout the kernels read.
 */
class ParallelPrepareTest {
    @ParameterizedTest
    @CsvSource({"Q8_0, 16, 576", "Q8_0, 21, 64", "Q8_1, 16, 576", "Q8_1, 21, 1536", "Q8_1, 40, 96", "Q8_K, 17, 512",
            "Q8_1, 9, 96", "Q8_1, 8, 576", "Q8_1, 7, 96", "Q8_1, 6, 576"}) // the last four: serial, but the row groups
                                                                          // built into the buffers up front
    void parallelPreparationEqualsSerial(String formatName, int rows, int cols) {
        ActivationFormat format = ActivationFormat.valueOf(formatName);
        Random rnd = new Random(rows * 7 + cols);
        Activations.Buffers buffers = new Activations.Buffers();
        try (Parallel pool = new Parallel(2)) {
            // a larger batch first, so the reused arrays hold stale values past this batch's rows
            Activations.prepare(format, KernelChecks.randomBatch(rows + 9, cols, rnd), buffers, pool);
            FloatBatch in = KernelChecks.randomBatch(rows, cols, rnd);
            Activations p = Activations.prepare(format, in, buffers, pool);
            Activations s = Activations.prepare(format, in);
            int n = rows * cols, blocks = n / format.blockSize();
            assertArrayEquals(java.util.Arrays.copyOf(s.q, n), java.util.Arrays.copyOf(p.q, n));
            assertArrayEquals(java.util.Arrays.copyOf(s.qBytes, n), java.util.Arrays.copyOf(p.qBytes, n));
            assertArrayEquals(java.util.Arrays.copyOf(s.d, blocks), java.util.Arrays.copyOf(p.d, blocks));
            int sums = format == ActivationFormat.Q8_K ? n / 16 : format == ActivationFormat.Q8_1 ? blocks : 0;
            assertArrayEquals(java.util.Arrays.copyOf(s.s, sums), java.util.Arrays.copyOf(p.s, sums));
            if (format == ActivationFormat.Q8_0) {
                assertArrayEquals(java.util.Arrays.copyOf(s.quads, n), java.util.Arrays.copyOf(p.quads, n));
            } else { // only BlockRowKernel (Q4_0, Q8_0 activations) reads quads: other formats skip that work
                assertNull(s.quads);
                assertNull(p.quads);
            }
            assertArrayEquals(java.util.Arrays.copyOf(s.pairs, n / 2), java.util.Arrays.copyOf(p.pairs, n / 2));
            if (s.wordPairs != null) assertArrayEquals(java.util.Arrays.copyOf(s.wordPairs, n), java.util.Arrays.copyOf(p.wordPairs, n));
            if (s.sums32 != null) assertArrayEquals(s.sums32, java.util.Arrays.copyOf(p.sums32, n / 32));
            if (format != ActivationFormat.Q8_K) {
                int grouped = Activations.rowGroupPairs(rows, cols), groupedBlocks = (rows + 15) / 16 * (cols / 32) * 16;
                assertArrayEquals(s.pairsByRowGroup(), java.util.Arrays.copyOf(p.pairsByRowGroup(), grouped));
                assertArrayEquals(s.scalesByRowGroup(), java.util.Arrays.copyOf(p.scalesByRowGroup(), groupedBlocks));
                if (format == ActivationFormat.Q8_1) {
                    assertArrayEquals(s.sumsByRowGroup(), java.util.Arrays.copyOf(p.sumsByRowGroup(), groupedBlocks));
                }
            }
        }
    }

    /**
     * Small batches (a decode step's single row) with the layouts the kernels built lazily last time built up front:
     * every layout equals the serial, lazily built one.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, 1, 2048", "Q8_0, 1, 96", "Q8_0, 3, 1024", "Q8_1, 1, 576", "Q8_K, 1, 512", "Q8_K, 2, 2048"})
    void layoutsBuiltUpFrontEqualSerial(String formatName, int rows, int cols) {
        ActivationFormat format = ActivationFormat.valueOf(formatName);
        Random rnd = new Random(rows * 11 + cols);
        Activations.Buffers buffers = new Activations.Buffers();
        try (Parallel pool = new Parallel(2)) {
            // a first preparation whose lazily built layouts the kernels ask for: recorded in the buffers
            Activations first = Activations.prepare(format, KernelChecks.randomBatch(rows, cols, rnd), buffers, pool);
            if (format != ActivationFormat.Q8_K) {
                first.windowLanes();
                first.windowBias();
            }
            first.blockSums();
            first.shortPairs();
            assertEquals(format == ActivationFormat.Q8_K ? 12 : 15, buffers.demanded(format, rows), "layouts recorded as asked for");
            FloatBatch in = KernelChecks.randomBatch(rows, cols, rnd);
            Activations p = Activations.prepare(format, in, buffers, pool);
            Activations s = Activations.prepare(format, in);
            int n = rows * cols, blocks = n / format.blockSize();
            assertArrayEquals(s.qBytes, java.util.Arrays.copyOf(p.qBytes, n));
            assertArrayEquals(s.q, java.util.Arrays.copyOf(p.q, n));
            assertArrayEquals(s.d, java.util.Arrays.copyOf(p.d, blocks));
            assertArrayEquals(java.util.Arrays.copyOf(s.s, format == ActivationFormat.Q8_K ? n / 16 : blocks),
                    java.util.Arrays.copyOf(p.s, format == ActivationFormat.Q8_K ? n / 16 : blocks));
            assertArrayEquals(s.pairs, java.util.Arrays.copyOf(p.pairs, n / 2));
            if (s.quads != null) assertArrayEquals(s.quads, java.util.Arrays.copyOf(p.quads, n));
            if (s.wordPairs != null) assertArrayEquals(s.wordPairs, java.util.Arrays.copyOf(p.wordPairs, n));
            if (s.sums32 != null) assertArrayEquals(s.sums32, p.sums32);
            if (format != ActivationFormat.Q8_K) {
                assertArrayEquals(s.windowLanes(), java.util.Arrays.copyOf(p.windowLanes(), 8 * n));
                assertArrayEquals(s.windowBias(), p.windowBias());
            }
            assertArrayEquals(s.blockSums(), p.blockSums());
            assertArrayEquals(s.shortPairs(), p.shortPairs());
        }
    }

    @ParameterizedTest
    @CsvSource({"Q4_1, 21, 576", "Q4_1, 12, 64", "Q4_0, 17, 64", "Q8_0, 16, 96"})
    void matmulWithReusedBuffersEqualsRowByRowDots(String typeName, int batch, int cols) {
        GgmlType type = GgmlType.valueOf(typeName);
        Random rnd = new Random(batch * 13 + cols);
        int rows = 40;
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, WeightMatrixKernelTest.randomWeights(type, rows, cols, rnd));
        Activations.Buffers buffers = new Activations.Buffers();
        try (Parallel pool = new Parallel(2)) {
            Matmul.run(pool, KernelChecks.randomBatch(batch + 8, cols, rnd), new WeightMatrix[]{w},
                    new FloatBatch[]{new FloatBatch(batch + 8, rows)}, buffers);
            FloatBatch in = KernelChecks.randomBatch(batch, cols, rnd);
            FloatBatch out = new FloatBatch(batch, rows);
            Matmul.run(pool, in, new WeightMatrix[]{w}, new FloatBatch[]{out}, buffers);
            Activations a = w.activationFormat().prepare(in);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) assertEquals(w.dot(r, a, b), out.get(b, r), 0f, "row " + r + " batch " + b);
            }
        }
    }

    @Test
    void vectorQuantizationEqualsTheScalarLoop() {
        Random rnd = new Random(8);
        int blocks = 4000, n = blocks * 32;
        float[] x = new float[n];
        for (int b = 0; b < blocks; b++) {
            int kind = b % 5;
            for (int i = 0; i < 32; i++) {
                int o = b * 32 + i;
                x[o] = switch (kind) {
                    case 0 -> (float) rnd.nextGaussian();
                    case 1 -> rnd.nextInt(255) - 127 + (rnd.nextBoolean() ? 0.5f : 0f); // amax 127: id = 1, exact ties
                    case 2 -> 0f;                                                          // an all-zero block
                    case 3 -> (float) (rnd.nextGaussian() * 1e-30);                        // tiny values
                    default -> i == 0 ? -1e4f : (float) rnd.nextGaussian() * 10f;          // negative amax
                };
            }
            if (kind == 1) x[b * 32 + 5] = 127f;
        }
        for (ActivationFormat f : new ActivationFormat[]{ActivationFormat.Q8_0, ActivationFormat.Q8_1}) {
            FloatBatch in = new FloatBatch(blocks, 32, x);
            Activations a = f.prepare(in);
            float[] q = new float[n], d = new float[blocks], s = new float[blocks];
            byte[] qb = new byte[n];
            for (int b = 0; b < blocks; b++) Activations.quantizeBlockQ8Scalar(f, x, b * 32, q, qb, d, s, b);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(q[i]), Float.floatToRawIntBits(a.q[i]), f + " value " + i);
                assertEquals(qb[i], a.qBytes[i], f + " byte " + i);
            }
            for (int b = 0; b < blocks; b++) {
                assertEquals(d[b], a.d[b], 0f, f + " scale " + b);
                if (f == ActivationFormat.Q8_1) assertEquals(s[b], a.s[b], 0f, f + " sum " + b);
            }
        }
    }
}
