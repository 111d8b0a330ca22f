package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static io.promptune.localmodel.tensor.KernelChecks.randomBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Q4_1's repacked copy lives on the heap or, past the heap budget, off it, with one kernel per storage: both
 * must give exactly ggml_vec_dot_q4_1_q8_1's results (matrix-vector, small batches one row at a time, the
 * row-group batch kernel, a row range cutting 8-row groups, a zero-padded last group), and dequantize alike.
 */
class Q4_1StorageTest {
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @CsvSource({"true, 9, 96, 1", "false, 9, 96, 1", "true, 13, 608, 3", "false, 13, 608, 3", "true, 16, 576, 5",
            "false, 16, 576, 5", "true, 21, 160, 9", "false, 21, 160, 9", "true, 8, 1536, 16", "false, 8, 1536, 16",
            "false, 3, 32, 7"})
    void bothStoragesFollowGgmlOrderExactly(boolean onHeap, int rows, int cols, int batch) {
        Random rnd = new Random(rows * 131L + cols * 7L + batch);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_1, rows, cols, rnd);
        Q4_1Matrix w = new Q4_1Matrix("w", rows, cols, seg, onHeap);
        assertEquals(onHeap, w.onHeap());
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows), part = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        int r0 = Math.min(3, rows - 1), r1 = Math.max(r0 + 1, rows - 2);
        w.dotRows(r0, r1, a, part, 0);
        float[] deq = new float[cols];
        Q4_1Matrix other = new Q4_1Matrix("w", rows, cols, seg, !onHeap);
        float[] deqOther = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = GgmlOrderKernelTest.ggmlOrder(GgmlType.Q4_1, seg, rows, cols, r, a, b);
                String at = (onHeap ? "heap" : "off-heap") + " row " + r + " batch " + b;
                assertEquals(expect, out.get(b, r), 0f, "matmul " + at);
                assertEquals(expect, w.dot(r, a, b), 0f, "dot " + at);
                assertEquals(r >= r0 && r < r1 ? expect : 0f, part.get(b, r), 0f, "dotRows " + r0 + ".." + r1 + " " + at);
            }
            w.dequantizeRow(r, deq, 0);
            other.dequantizeRow(r, deqOther, 0);
            for (int i = 0; i < cols; i++) assertEquals(deqOther[i], deq[i], 0f, "dequantized row " + r + " element " + i);
        }
    }

    /**
     * The heap copy keeps the file's half scales and minimums and converts them in the lanes: negative, subnormal,
     * signed zero and the largest halves must give exactly ggml's results on the matrix-vector and batch paths;
     * a tensor with an infinite or NaN scale or minimum (the lane conversion does not cover those) goes off the
     * heap and still computes exactly.
     */
    @ParameterizedTest
    @CsvSource({"false, 1", "false, 9", "true, 1", "true, 9"})
    void halfScalesConvertExactlyOnTheHeap(boolean withInfinity, int batch) {
        int rows = 11, cols = 160;
        Random rnd = new Random(23 + batch);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_1, rows, cols, rnd);
        short[] halves = {Float.floatToFloat16(-0.02f), (short) 0x0001, (short) 0x83FF, (short) 0x8000, 0, (short) 0x0400,
                Float.floatToFloat16(65504f), Float.floatToFloat16(-65504f), Float.floatToFloat16(-1.5e-5f), (short) 0x8001};
        for (int i = 0; i < rows * cols / 32; i++) {
            if (i % 3 == 0) seg.set(SHORT_LE, 20L * i, halves[(i / 3) % halves.length]);
            if (i % 4 == 1) seg.set(SHORT_LE, 20L * i + 2, halves[(i / 4 + 3) % halves.length]);
        }
        if (withInfinity) seg.set(SHORT_LE, 20L * 7 + 2, (short) 0xFC00);
        Q4_1Matrix w = new Q4_1Matrix("w", rows, cols, seg, true);
        assertEquals(!withInfinity, w.onHeap());
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(1)) {
            w.matmul(in, out, pool);
        }
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = GgmlOrderKernelTest.ggmlOrder(GgmlType.Q4_1, seg, rows, cols, r, a, b);
                assertEquals(expect, out.get(b, r), 0f, "matmul row " + r + " batch " + b);
                assertEquals(expect, w.dot(r, a, b), 0f, "dot row " + r + " batch " + b);
            }
        }
    }

    /**
     * The matrix-vector kernel at both widths (called directly, whatever this machine's {@link VectorWidth}): the
     * 512-bit one must give exactly the 256-bit one's (ggml's) results, for whole groups, row ranges cutting
     * groups, a zero-padded last group, single rows over many groups (whole groups in pairs, an odd one and cut
     * groups alone) and batches of several rows.
     */
    @ParameterizedTest
    @CsvSource({"8, 32, 1, 0, 8", "9, 96, 1, 0, 9", "13, 608, 3, 3, 11", "16, 576, 2, 0, 16", "21, 160, 4, 5, 21",
            "24, 1536, 1, 8, 24", "64, 96, 1, 0, 64", "45, 64, 1, 3, 43", "56, 576, 1, 8, 56"})
    void matrixVectorKernelIsExactAtBothWidths(int rows, int cols, int batch, int r0, int r1) {
        Random rnd = new Random(rows * 31L + cols + batch);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_1, rows, cols, rnd);
        Q4_1Matrix w = new Q4_1Matrix("w", rows, cols, seg, true);
        Activations a = w.activationFormat().prepare(randomBatch(batch, cols, rnd));
        FloatBatch narrow = new FloatBatch(batch, rows + 3), wide = new FloatBatch(batch, rows + 3);
        w.dotEachNarrow(r0, r1, a, 0, narrow, 2);
        w.dotEachWide(r0, r1, a, 0, wide, 2);
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < rows + 3; c++) {
                int r = c - 2;
                float expect = r >= r0 && r < r1 ? GgmlOrderKernelTest.ggmlOrder(GgmlType.Q4_1, seg, rows, cols, r, a, b) : 0f;
                assertEquals(expect, narrow.get(b, c), 0f, "256-bit row " + r + " batch " + b);
                assertEquals(expect, wide.get(b, c), 0f, "512-bit row " + r + " batch " + b);
            }
        }
    }

    /**
     * The batch kernel at both widths (called directly): 16-row activation groups go through the 512-bit tile, an
     * odd last 8-row group through the 256-bit one; both exactly ggml's results, whatever this machine's width.
     */
    @ParameterizedTest
    @CsvSource({"8, 32, 16, 0, 8", "13, 96, 17, 3, 11", "16, 160, 24, 0, 16", "9, 576, 32, 1, 9", "24, 64, 40, 8, 21"})
    void batchKernelIsExactAtBothWidths(int rows, int cols, int batch, int r0, int r1) {
        Random rnd = new Random(rows * 17L + cols + batch);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_1, rows, cols, rnd);
        Q4_1Matrix w = new Q4_1Matrix("w", rows, cols, seg, true);
        Activations a = w.activationFormat().prepare(randomBatch(batch, cols, rnd));
        for (boolean wide : new boolean[]{false, true}) {
            FloatBatch out = new FloatBatch(batch, rows + 3);
            Q4_1BatchKernel.dotRows(w, r0, r1, a, batch, out, 2, wide);
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < rows + 3; c++) {
                    int r = c - 2;
                    float expect = r >= r0 && r < r1 ? GgmlOrderKernelTest.ggmlOrder(GgmlType.Q4_1, seg, rows, cols, r, a, b) : 0f;
                    assertEquals(expect, out.get(b, c), 0f, (wide ? "512" : "256") + "-bit row " + r + " batch " + b);
                }
            }
        }
    }

    /** The public constructor puts a small tensor on the heap (the budget is a quarter of the max heap). */
    @ParameterizedTest
    @CsvSource({"8, 64"})
    void smallTensorsGoOnTheHeap(int rows, int cols) {
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_1, rows, cols, new Random(3));
        assertTrue(((Q4_1Matrix) WeightMatrices.create(GgmlType.Q4_1, "w", rows, cols, seg)).onHeap());
        assertFalse(new Q4_1Matrix("w", rows, cols, seg, false).onHeap());
    }
}
