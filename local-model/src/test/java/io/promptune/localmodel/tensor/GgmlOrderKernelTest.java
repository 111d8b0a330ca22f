package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static io.promptune.localmodel.tensor.KernelChecks.randomBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Vector API kernels equal, bit for bit, a scalar transcription of ggml's AVX2 summation order:
 * per block, lane j holds the exact integer sum over elements 4j..4j+3; lanes accumulate
 * fma(sum, d_w * d_a, acc) block by block; hsum_float_8 at the end (Q4_1 adds its fused min term;
 * repacked Q4_0, for rows % 8 == 0, accumulates whole-block sums with one scalar fma per block).
 * Covers matrix-vector (dot) and batched (matmul) paths, first/last blocks of the tensor included.
 */
class GgmlOrderKernelTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @CsvSource({"Q8_0, 7, 32, 3", "Q8_0, 9, 576, 3", "Q4_0, 7, 32, 3", "Q4_0, 7, 576, 3", "Q4_0, 8, 32, 3", "Q4_0, 16, 576, 3",
            "Q4_0, 40, 64, 11", "Q4_1, 7, 32, 3",
            // repacked Q4_0: single rows, row pairs, group tiles from 3 rows (odd group counts, batches not a multiple of 4)
            "Q4_0, 16, 96, 1", "Q4_0, 24, 160, 2", "Q4_0, 8, 608, 5", "Q4_0, 32, 64, 16", "Q4_0, 16, 96, 15", "Q4_0, 8, 64, 24",
            "Q4_0, 24, 96, 25", "Q4_1, 5, 576, 3", "Q4_1, 8, 1536, 3",
            "Q4_1, 7, 64, 11", "Q4_1, 9, 576, 16", "Q4_1, 12, 1536, 8",
            // repacked Q4_1: odd block counts (3, 5, 19), odd row counts, batches 1-17 (matrix-vector and row-group paths)
            "Q4_1, 9, 96, 1", "Q4_1, 5, 96, 2", "Q4_1, 13, 160, 3", "Q4_1, 6, 32, 4", "Q4_1, 11, 608, 5", "Q4_1, 3, 96, 8",
            "Q4_1, 21, 160, 9", "Q4_1, 17, 608, 17", "Q4_1, 34, 64, 16", "Q4_1, 9, 96, 7", "Q4_1, 10, 160, 14"})
    void kernelsFollowGgmlOrderExactly(String typeName, int rows, int cols, int batch) {
        GgmlType type = GgmlType.valueOf(typeName);
        Random rnd = new Random(rows * 31 + cols);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(type, rows, cols, rnd);
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, seg);
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        // a single activation row takes the matrix-vector path (rows two at a time where the kernel does that)
        FloatBatch one = new FloatBatch(1, cols), outOne = new FloatBatch(1, rows);
        System.arraycopy(in.data(), 0, one.data(), 0, cols);
        try (Parallel pool = new Parallel(1)) {
            w.matmul(one, outOne, pool);
        }
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = ggmlOrder(type, seg, rows, cols, r, a, b);
                assertEquals(expect, w.dot(r, a, b), 0f, type + " dot row " + r + " batch " + b);
                assertEquals(expect, out.get(b, r), 0f, type + " matmul row " + r + " batch " + b);
            }
            assertEquals(ggmlOrder(type, seg, rows, cols, r, a, 0), outOne.get(0, r), 0f, type + " matrix-vector row " + r);
        }
    }

    /**
     * Q8_0 (repacked into row pairs), with the copy on the heap and off it (each has its own kernels):
     * matrix-vector (two rows per pass, a last unpaired row alone) and batched paths at several batch sizes (the
     * int16 kernel below 8 rows, the float batch kernel from 8: panels of rows, K chunks, groups of 4 activation
     * rows with a short last group), a row range
     * starting at an odd row (as a chunk of a fused Q/K/V product can), the tensor's last row, and dequantizeRow
     * against the file's bytes.
     */
    @ParameterizedTest
    @CsvSource({"1, 32, 1", "2, 64, 2", "7, 96, 1", "7, 96, 8", "9, 576, 11", "16, 64, 16", "13, 128, 1", "5, 2048, 64", "4, 32, 3",
            // the float batch kernel: several widened panels with an odd last row, block counts not a multiple of 8, odd batches
            "37, 2048, 9", "35, 4096, 8", "21, 608, 13", "3, 32, 8",
            // its 64-row panels and 32-block K chunks: three panels (odd last row), a 1-block last chunk, groups of 4 plus 2 or 3
            "131, 1056, 10", "66, 576, 15",
            // a batch too large to regroup once per thread (65 groups x 4 K chunks > GROUPED_MAX): one group's chunk per panel
            "5, 3104, 260"})
    void q8_0FollowsGgmlOrderAtEveryBatchSizeAndRowSplit(int rows, int cols, int batch) {
        Random rnd = new Random(rows * 7919L + cols * 31L + batch);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q8_0, rows, cols, rnd);
        FloatBatch in = randomBatch(batch, cols, rnd);
        for (boolean onHeap : new boolean[] {true, false}) {
            Q8_0Matrix w = new Q8_0Matrix("w", rows, cols, seg, onHeap);
            assertEquals(onHeap, w.onHeap());
            q8_0FollowsGgmlOrder(w, seg, in, (onHeap ? "heap" : "off-heap") + " copy, ");
        }
    }

    /** The batch kernels keep a regrouped copy of the last batch per thread: a new batch of the same shape must replace it. */
    @Test
    void q8_0BatchKernelRegroupsEveryNewBatch() {
        Random rnd = new Random(17);
        int rows = 10, cols = 1056, batch = 9;
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q8_0, rows, cols, rnd);
        Q8_0Matrix w = new Q8_0Matrix("w", rows, cols, seg, true);
        for (int round = 0; round < 3; round++) {
            Activations a = w.activationFormat().prepare(randomBatch(batch, cols, rnd));
            FloatBatch out = new FloatBatch(batch, rows), narrow = new FloatBatch(batch, rows), wide = new FloatBatch(batch, rows);
            w.dotRows(0, rows, a, out, 0);
            Q8_0BatchKernel.dotRows(w, 0, rows, a, narrow, 0);
            Q8_0WideBatchKernel.dotRows(w, 0, rows, a, wide, 0);
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < batch; b++) {
                    float expect = ggmlOrder(GgmlType.Q8_0, seg, rows, cols, r, a, b);
                    assertEquals(expect, out.get(b, r), 0f, "round " + round + " row " + r + " batch " + b);
                    assertEquals(expect, narrow.get(b, r), 0f, "256-bit, round " + round + " row " + r + " batch " + b);
                    assertEquals(expect, wide.get(b, r), 0f, "512-bit, round " + round + " row " + r + " batch " + b);
                }
            }
        }
    }

    private static void q8_0FollowsGgmlOrder(Q8_0Matrix w, MemorySegment seg, FloatBatch in, String copy) {
        int rows = w.rows(), cols = w.cols(), batch = in.rows();
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out1 = new FloatBatch(batch, rows), out2 = new FloatBatch(batch, rows), split = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(1)) {
            w.matmul(in, out1, pool);
        }
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out2, pool);
        }
        w.dotRows(0, 1, a, split, 0);
        if (rows > 1) w.dotRows(1, rows, a, split, 0);
        // both widths' batch kernels, whatever this machine picks (the wide one also from an odd row: its unpaired widening)
        FloatBatch narrow = new FloatBatch(batch, rows), wide = new FloatBatch(batch, rows), wideSplit = new FloatBatch(batch, rows);
        Q8_0BatchKernel.dotRows(w, 0, rows, a, narrow, 0);
        Q8_0WideBatchKernel.dotRows(w, 0, rows, a, wide, 0);
        Q8_0WideBatchKernel.dotRows(w, 0, 1, a, wideSplit, 0);
        if (rows > 1) Q8_0WideBatchKernel.dotRows(w, 1, rows, a, wideSplit, 0);
        float[] deq = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = ggmlOrder(GgmlType.Q8_0, seg, rows, cols, r, a, b);
                String at = " row " + r + " of " + rows + ", batch " + b + " of " + batch + ", " + copy;
                assertEquals(expect, w.dot(r, a, b), 0f, "dot" + at);
                assertEquals(expect, out1.get(b, r), 0f, "matmul, 1 thread" + at);
                assertEquals(expect, out2.get(b, r), 0f, "matmul, 2 threads" + at);
                assertEquals(expect, split.get(b, r), 0f, "dotRows from an odd row" + at);
                assertEquals(expect, narrow.get(b, r), 0f, "256-bit batch kernel" + at);
                assertEquals(expect, wide.get(b, r), 0f, "512-bit batch kernel" + at);
                assertEquals(expect, wideSplit.get(b, r), 0f, "512-bit batch kernel from an odd row" + at);
            }
            w.dequantizeRow(r, deq, 0);
            for (int i = 0; i < cols; i++) {
                long p = (long) r * (cols / 32) * 34 + (i / 32) * 34L;
                float d = Float.float16ToFloat(seg.get(SHORT, p));
                assertEquals(d * seg.get(ValueLayout.JAVA_BYTE, p + 2 + i % 32), deq[i], 0f, copy + "dequantizeRow " + r + " value " + i);
            }
        }
    }

    /**
     * Repacked Q4_0 (rows % 8 == 0) keeps its scales as floats converted at load: negative, subnormal, zero,
     * largest and (with the flag) infinite half scales must give exactly ggml's results. Also a row range that
     * cuts 8-row groups (as Matmul's chunks of several matrices can) writes exactly its rows.
     */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void repackedQ4_0HandlesEveryScaleAndPartialRowRanges(boolean withInfinity) {
        int rows = 24, cols = 96;
        Random rnd = new Random(7);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_0, rows, cols, rnd);
        short[] scales = {Float.floatToFloat16(-0.02f), (short) 0x0001, (short) 0x83FF, (short) 0x8000, 0,
                Float.floatToFloat16(65504f), Float.floatToFloat16(-1.5e-5f), Float.floatToFloat16(0.03f)};
        for (int i = 0; i < rows * cols / 32; i++) {
            if (i % 3 == 0) seg.set(SHORT, 18L * i, scales[(i / 3) % scales.length]);
        }
        if (withInfinity) seg.set(SHORT, 18L * 5, (short) 0x7C00);
        WeightMatrix w = WeightMatrices.create(GgmlType.Q4_0, "w", rows, cols, seg);
        FloatBatch in = randomBatch(1, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(1, rows);
        try (Parallel pool = new Parallel(1)) {
            w.matmul(in, out, pool);
        }
        FloatBatch part = new FloatBatch(1, rows);
        w.dotRows(3, 13, a, part, 0);
        for (int r = 0; r < rows; r++) {
            float expect = ggmlOrder(GgmlType.Q4_0, seg, rows, cols, r, a, 0);
            assertEquals(expect, out.get(0, r), 0f, "matrix-vector row " + r);
            assertEquals(expect, w.dot(r, a, 0), 0f, "dot row " + r);
            assertEquals(r >= 3 && r < 13 ? expect : 0f, part.get(0, r), 0f, "rows 3..12 only, row " + r);
        }
    }

    /**
     * Repacked Q4_0 keeps its copy in heap arrays when it fits {@link HeapBudget} and off-heap otherwise: each copy
     * has its own kernel methods (matrix-vector, row pairs, float tiles), so both must give ggml's results exactly,
     * over whole and partial row ranges, and dequantize to the file's values.
     */
    @ParameterizedTest
    @CsvSource({"false, 1", "true, 1", "false, 2", "true, 3", "false, 7", "true, 16", "false, 16", "true, 25"})
    void repackedQ4_0OnAndOffHeapFollowGgmlOrder(boolean heapAllowed, int batch) {
        int rows = 24, cols = 160;
        Random rnd = new Random(31L * batch + (heapAllowed ? 1 : 0));
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_0, rows, cols, rnd);
        Q4_0Matrix w = new Q4_0Matrix("w", rows, cols, seg, heapAllowed);
        Q4_0Matrix offHeap = new Q4_0Matrix("w", rows, cols, seg, false);
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows), part = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        w.dotRows(5, 19, a, part, 0);
        float[] deq = new float[cols], deqOff = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = ggmlOrder(GgmlType.Q4_0, seg, rows, cols, r, a, b);
                String at = " row " + r + ", batch row " + b + " of " + batch + (heapAllowed ? " (heap allowed)" : " (off-heap)");
                assertEquals(expect, out.get(b, r), 0f, "matmul" + at);
                assertEquals(r >= 5 && r < 19 ? expect : 0f, part.get(b, r), 0f, "rows 5..18" + at);
                assertEquals(expect, w.dot(r, a, b), 0f, "dot" + at);
            }
            w.dequantizeRow(r, deq, 0);
            offHeap.dequantizeRow(r, deqOff, 0);
            for (int i = 0; i < cols; i++) {
                long p = (long) r * (cols / 32) * 18 + (i / 32) * 18L;
                float expect = Float.float16ToFloat(seg.get(SHORT, p)) * (nibble(seg, p + 2, i % 32) - 8);
                assertEquals(expect, deq[i], 0f, "dequantizeRow " + r + " value " + i);
                assertEquals(expect, deqOff[i], 0f, "off-heap dequantizeRow " + r + " value " + i);
            }
        }
    }

    /**
     * The repacked Q4_0 matrix-vector kernel computes each block total modulo 2^16 and relies on it fitting a short
     * (|sum((q - 8) * a)| <= 32 * 8 * 127): blocks of all-0 or all-15 nibbles against blocks of activations all at
     * +-127 (or alternating) reach that bound, and must still give exactly ggml's results on both copies.
     */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void repackedQ4_0MatrixVectorAtTheExtremesIsExact(boolean heapAllowed) {
        int rows = 16, cols = 256;
        Random rnd = new Random(11);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_0, rows, cols, rnd);
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols / 32; k++) {
                long p = (long) r * (cols / 32) * 18 + 18L * k;
                int kind = (r + k) % 4; // all-0 nibbles, all-15, random, alternating 0/15
                for (int j = 0; j < 16; j++) {
                    int b = kind == 0 ? 0x00 : kind == 1 ? 0xFF : kind == 2 ? rnd.nextInt(256) : (j % 2 == 0 ? 0x0F : 0xF0);
                    seg.set(ValueLayout.JAVA_BYTE, p + 2 + j, (byte) b);
                }
            }
        }
        Q4_0Matrix w = new Q4_0Matrix("w", rows, cols, seg, heapAllowed);
        FloatBatch in = new FloatBatch(1, cols);
        for (int i = 0; i < cols; i++) {
            int k = i / 32;
            in.data()[i] = k % 4 == 0 ? 1f : k % 4 == 1 ? -1f : k % 4 == 2 ? (i % 2 == 0 ? 1f : -1f) : (float) rnd.nextGaussian();
        }
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(1, rows);
        w.dotRows(0, rows, a, out, 0);
        for (int r = 0; r < rows; r++) {
            assertEquals(ggmlOrder(GgmlType.Q4_0, seg, rows, cols, r, a, 0), out.get(0, r), 0f, "row " + r);
        }
    }

    /**
     * Small batches on the heap copy run the multi-row window kernels (chunks of four, three, two and one rows;
     * tiles past four): every (row, batch row) must be ggml's value exactly, over whole and partial row ranges
     * (cutting 8-row groups), with one-block rows and several groups, and with blocks at the extremes of the
     * 16-bit block totals (all-0 or all-15 nibbles against activations at +-127) next to random ones.
     */
    @ParameterizedTest
    @CsvSource({"2, 40, 32", "3, 40, 96", "4, 16, 256", "5, 24, 64", "6, 8, 160", "7, 40, 32", "8, 16, 96", "9, 24, 64"})
    void repackedQ4_0SmallBatchesFollowGgmlOrderExactly(int batch, int rows, int cols) {
        Random rnd = new Random(97L * batch + rows + cols);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_0, rows, cols, rnd);
        setExtremeQ4_0Blocks(seg, rows, cols);
        Q4_0Matrix w = new Q4_0Matrix("w", rows, cols, seg, true);
        FloatBatch in = extremeActivations(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows), part = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        int from = 3, to = rows - 5;
        w.dotRows(from, to, a, part, 0);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = ggmlOrder(GgmlType.Q4_0, seg, rows, cols, r, a, b);
                String at = " row " + r + ", batch row " + b + " of " + batch + " (" + rows + "x" + cols + ")";
                assertEquals(expect, out.get(b, r), 0f, "matmul" + at);
                assertEquals(r >= from && r < to ? expect : 0f, part.get(b, r), 0f, "rows " + from + ".." + (to - 1) + at);
            }
        }
    }

    /**
     * Repacked Q4_0's kernels at both vector widths (the 512-bit ones run, slowly but correctly, on an AVX2 machine
     * too) on the heap and off-heap copies: every batch size's path (one row, windows of 2-4 rows, 16-bit tiles from
     * 5, 512-bit float tiles from 8), five 8-row groups (not a multiple of the float tiles' four), a row range cutting groups, and blocks at the 16-bit extremes next to random
     * ones must give exactly ggml's values.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "3", "4", "5", "6", "7", "8", "9", "16", "25", "33"})
    void repackedQ4_0BothWidthsFollowGgmlOrderExactly(int batch) {
        int rows = 40, cols = 352; // 11 blocks: the float tiles' column chunks of 8 blocks and a partial one
        Random rnd = new Random(53L * batch);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_0, rows, cols, rnd);
        setExtremeQ4_0Blocks(seg, rows, cols);
        FloatBatch in = extremeActivations(batch, cols, rnd);
        for (boolean heap : new boolean[]{true, false}) {
            for (boolean wide : new boolean[]{false, true}) {
                Q4_0Matrix w = new Q4_0Matrix("w", rows, cols, seg, heap, wide);
                Activations a = w.activationFormat().prepare(in);
                FloatBatch out = new FloatBatch(batch, rows), part = new FloatBatch(batch, rows);
                try (Parallel pool = new Parallel(2)) {
                    w.matmul(in, out, pool);
                }
                int from = 3, to = rows - 13;
                w.dotRows(from, to, a, part, 0);
                for (int r = 0; r < rows; r++) {
                    for (int b = 0; b < batch; b++) {
                        float expect = ggmlOrder(GgmlType.Q4_0, seg, rows, cols, r, a, b);
                        String at = " row " + r + ", batch row " + b + " of " + batch + (heap ? ", heap" : ", off-heap") + (wide ? ", 512 bits" : ", 256 bits");
                        assertEquals(expect, out.get(b, r), 0f, "matmul" + at);
                        assertEquals(r >= from && r < to ? expect : 0f, part.get(b, r), 0f, "rows " + from + ".." + (to - 1) + at);
                    }
                }
            }
        }
    }

    /**
     * Repacked Q4_1 keeps the file's half scales and minimums and converts them in vector lanes: negative,
     * subnormal, zero, largest, infinite and NaN halves must act exactly as Float.float16ToFloat's values, on
     * the matrix-vector and batch paths; a row range that cuts 8-row groups (and the zero-padded last group)
     * writes exactly its rows.
     */
    @ParameterizedTest
    @CsvSource({"1", "3", "9"})
    void repackedQ4_1HandlesEveryHalfAndPartialRowRanges(int batch) {
        int rows = 13, cols = 96;
        Random rnd = new Random(11);
        MemorySegment seg = WeightMatrixKernelTest.randomWeights(GgmlType.Q4_1, rows, cols, rnd);
        short[] halves = {Float.floatToFloat16(-0.02f), (short) 0x0001, (short) 0x83FF, (short) 0x8000, 0,
                Float.floatToFloat16(65504f), Float.floatToFloat16(-1.5e-5f), (short) 0x7C00, (short) 0xFC00, (short) 0x7E01};
        for (int i = 0; i < rows * cols / 32; i++) {
            if (i % 3 == 0) seg.set(SHORT, 20L * i, halves[(i / 3) % halves.length]);
            if (i % 4 == 1) seg.set(SHORT, 20L * i + 2, halves[(i / 4) % halves.length]);
        }
        WeightMatrix w = WeightMatrices.create(GgmlType.Q4_1, "w", rows, cols, seg);
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows), part = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(1)) {
            w.matmul(in, out, pool);
        }
        w.dotRows(3, 11, a, part, 0);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                float expect = ggmlOrder(GgmlType.Q4_1, seg, rows, cols, r, a, b);
                assertEquals(expect, out.get(b, r), 0f, "matmul row " + r + " batch " + b);
                assertEquals(expect, w.dot(r, a, b), 0f, "dot row " + r + " batch " + b);
                assertEquals(r >= 3 && r < 11 ? expect : 0f, part.get(b, r), 0f, "rows 3..10 only, row " + r + " batch " + b);
            }
            float[] row = new float[cols];
            w.dequantizeRow(r, row, 0);
            for (int i = 0; i < cols; i++) {
                int k = i / 32, e = i % 32;
                long p = (long) r * (cols / 32) * 20 + 20L * k;
                float d = Float.float16ToFloat(seg.get(SHORT, p)), m = Float.float16ToFloat(seg.get(SHORT, p + 2));
                int q = (seg.get(ValueLayout.JAVA_BYTE, p + 4 + e % 16) >> (e < 16 ? 0 : 4)) & 0x0F;
                assertEquals(d * q + m, row[i], 0f, "dequantized row " + r + " element " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"Q4_K, 3, 256", "Q4_K, 4, 768", "Q4_K, 8, 256", "Q4_K, 16, 768", "Q5_K, 3, 256", "Q5_K, 2, 512", "Q6_K, 3, 256",
            "Q6_K, 4, 768", "Q6_K, 8, 256", "Q6_K, 16, 768"})
    void kQuantKernelsFollowGgmlOrderExactly(String typeName, int rows, int cols) {
        GgmlType type = GgmlType.valueOf(typeName);
        Random rnd = new Random(rows * 17 + cols);
        MemorySegment seg = MoreTypesKernelTest.randomBytes(type, rows, cols, rnd);
        WeightMatrix w = WeightMatrices.create(type, "w", rows, cols, seg);
        FloatBatch in = randomBatch(3, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(3, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        FloatBatch one = new FloatBatch(1, cols), outOne = new FloatBatch(1, rows);
        System.arraycopy(in.data(), 0, one.data(), 0, cols);
        try (Parallel pool = new Parallel(1)) {
            w.matmul(one, outOne, pool);
        }
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < 3; b++) {
                float expect = type == GgmlType.Q4_K && rows % 8 == 0 ? repackedQ4K(seg, cols, r, a, b) : ggmlOrderK(type, seg, cols, r, a, b);
                assertEquals(expect, w.dot(r, a, b), 0f, type + " dot row " + r + " batch " + b);
                assertEquals(expect, out.get(b, r), 0f, type + " matmul row " + r + " batch " + b);
            }
            float one0 = type == GgmlType.Q4_K && rows % 8 == 0 ? repackedQ4K(seg, cols, r, a, 0) : ggmlOrderK(type, seg, cols, r, a, 0);
            assertEquals(one0, outOne.get(0, r), 0f, type + " matrix-vector row " + r);
        }
    }

    /**
     * Q6_K batches of 8 rows or more: llama.cpp (not repacking Q6_K on x86) sends them through its tiled K-quant
     * matmul (ggml_compute_forward_mul_mat_tiled): per super-block one exact total, acc = fma(d * total, d_a, acc).
     * dot() stays the vec_dot order (a batch below 8 rows, or one row).
     */
    @ParameterizedTest
    @CsvSource({"5, 256, 8", "16, 768, 9", "9, 512, 17", "8, 512, 8", "16, 2048, 12", "40, 512, 16", "24, 256, 35"})
    void q6KBatchesOfEightOrMoreFollowTheTiledOrder(int rows, int cols, int batch) {
        Random rnd = new Random(rows * 7 + cols + batch);
        MemorySegment seg = MoreTypesKernelTest.randomBytes(GgmlType.Q6_K, rows, cols, rnd);
        WeightMatrix w = WeightMatrices.create(GgmlType.Q6_K, "w", rows, cols, seg);
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                assertEquals(tiledQ6K(seg, cols, r, a, b), out.get(b, r), 0f, "matmul row " + r + " batch " + b);
                assertEquals(ggmlOrderK(GgmlType.Q6_K, seg, cols, r, a, b), w.dot(r, a, b), 0f, "dot row " + r + " batch " + b);
            }
        }
    }

    /**
     * Repacked Q6_K near the extremes (values q - 32 in -32..-29, scales -128 and -127, activations -115..-127): super-block
     * totals near 256 * 4096 * 127, far past 2^24 with arbitrary low bits, so the batch kernel's float sums must stay
     * within their exact range and the total be summed as an int before its one conversion.
     */
    @Test
    void repackedQ6KBatchAtTheExtremesIsExact() {
        int rows = 16, cols = 512, batch = 8;
        Random rnd = new Random(3);
        MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate((long) rows * (cols / 256) * 210);
        for (long p = 0; p < seg.byteSize(); p += 210) {
            for (int i = 0; i < 128; i++) seg.set(ValueLayout.JAVA_BYTE, p + i, (byte) (rnd.nextInt() & 0x33)); // qh stays 0
            for (int j = 0; j < 16; j++) seg.set(ValueLayout.JAVA_BYTE, p + 192 + j, (byte) (j == 0 ? -128 : -127)); // odd: totals with low bits
            seg.set(SHORT, p + 208, Float.floatToFloat16(0.001f * (1 + p % 7)));
        }
        WeightMatrix w = WeightMatrices.create(GgmlType.Q6_K, "w", rows, cols, seg);
        FloatBatch in = new FloatBatch(batch, cols);
        for (int i = 0; i < batch * cols; i++) in.data()[i] = 0.9f + 0.1f * rnd.nextFloat();
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows);
        w.dotRows(0, rows, a, out, 0);
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) assertEquals(tiledQ6K(seg, cols, r, a, b), out.get(b, r), 0f, "row " + r + " batch " + b);
        }
    }

    /** Repacked Q6_K (rows % 8 == 0): a row range cutting 8-row groups writes only its rows, in both orders. */
    @ParameterizedTest
    @CsvSource({"1", "3", "9"})
    void repackedQ6KRowRangesCutGroups(int batch) {
        int rows = 24, cols = 512;
        Random rnd = new Random(batch);
        MemorySegment seg = MoreTypesKernelTest.randomBytes(GgmlType.Q6_K, rows, cols, rnd);
        WeightMatrix w = WeightMatrices.create(GgmlType.Q6_K, "w", rows, cols, seg);
        Activations a = w.activationFormat().prepare(randomBatch(batch, cols, rnd));
        FloatBatch part = new FloatBatch(batch, rows);
        w.dotRows(3, 13, a, part, 0);
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                float expect = batch >= 8 ? tiledQ6K(seg, cols, r, a, b) : ggmlOrderK(GgmlType.Q6_K, seg, cols, r, a, b);
                assertEquals(r >= 3 && r < 13 ? expect : 0f, part.get(b, r), 0f, "rows 3..12 only, row " + r + " batch " + b);
            }
        }
    }

    /** llama.cpp's tiled Q6_K order in scalar code: per super-block total = sum_j(sc_j * sum((q - 32) * a)); acc = fma(d * total, d_a, acc). */
    static float tiledQ6K(MemorySegment seg, int cols, int row, Activations a, int b) {
        int nb = cols / 256;
        float acc = 0;
        for (int k = 0; k < nb; k++) {
            long p = (long) row * nb * 210 + 210L * k;
            int xo = a.rowOffset(b) + 256 * k, total = 0;
            for (int e = 0; e < 256; e++) {
                int h = e / 128, c = (e % 128) / 32, l = e % 32;
                int ql = seg.get(ValueLayout.JAVA_BYTE, p + 64 * h + 32 * (c % 2) + l) & 0xFF;
                int qh = seg.get(ValueLayout.JAVA_BYTE, p + 128 + 32 * h + l) & 0xFF;
                int q = ((c < 2 ? ql & 0xF : ql >>> 4) | (((qh >>> (2 * c)) & 3) << 4)) - 32;
                total += seg.get(ValueLayout.JAVA_BYTE, p + 192 + e / 16) * q * a.qBytes[xo + e];
            }
            acc = Math.fma(Float.float16ToFloat(seg.get(SHORT, p + 208)) * (float) total, a.d[a.blockOffset(b) + k], acc);
        }
        return acc;
    }

    /**
     * Repacked Q4_K in a batch: llama.cpp runs the batch's rows in whole fours through its GEMM (one fma per
     * pair of sub-blocks) and the remaining rows through its GEMV (one per super-block); dot() is the GEMV.
     */
    @ParameterizedTest
    @CsvSource({"8, 512, 4", "16, 256, 6", "8, 768, 9", "16, 512, 8", "24, 768, 13", "40, 2048, 16", "56, 256, 35", "8, 256, 11"})
    void repackedQ4KBatchesFollowGemmThenGemv(int rows, int cols, int batch) {
        Random rnd = new Random(rows * 13 + cols + batch);
        MemorySegment seg = MoreTypesKernelTest.randomBytes(GgmlType.Q4_K, rows, cols, rnd);
        WeightMatrix w = WeightMatrices.create(GgmlType.Q4_K, "w", rows, cols, seg);
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        for (int b = 0; b < batch; b++) {
            boolean gemm = b < batch - batch % 4;
            for (int r = 0; r < rows; r++) {
                assertEquals(repackedQ4K(seg, cols, r, a, b, gemm), out.get(b, r), 0f, "matmul row " + r + " batch " + b);
                assertEquals(repackedQ4K(seg, cols, r, a, b, false), w.dot(r, a, b), 0f, "dot row " + r + " batch " + b);
            }
        }
        // a row range cutting 8-row groups writes exactly its rows, with the same values
        FloatBatch part = new FloatBatch(batch, rows);
        java.util.Arrays.fill(part.data(), Float.NaN);
        int r0 = 3, r1 = rows - 5;
        w.dotRows(r0, r1, a, part, 0);
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                if (r >= r0 && r < r1) assertEquals(out.get(b, r), part.get(b, r), 0f, "range row " + r + " batch " + b);
                else assertTrue(Float.isNaN(part.get(b, r)), "row " + r + " outside the range was written");
            }
        }
    }

    /**
     * llama.cpp's repacked Q4_K (block_q4_Kx8, ggml_gemv/gemm_q4_K_8x8_q8_K on AVX2, used for rows % 8 == 0) in
     * scalar code: per super-block the exact totals sum_j(scale_j * dot_j) and sum_j(min_j * bsum32_j);
     * acc = fma(total, d * d_a, acc), accm = fma(mins, dmin * d_a, accm); the result acc - accm.
     */
    static float repackedQ4K(MemorySegment seg, int cols, int row, Activations a, int b) {
        return repackedQ4K(seg, cols, row, a, b, false);
    }

    /** As above; {@code gemm}: the GEMM's order (a batch's rows in whole fours), one fma per pair of sub-blocks. */
    static float repackedQ4K(MemorySegment seg, int cols, int row, Activations a, int b, boolean gemm) {
        int nb = cols / 256;
        long base = (long) row * nb * 144;
        float acc = 0, accm = 0;
        for (int k = 0; k < nb; k++) {
            long p = base + 144L * k;
            int[] sc = new int[8], mins = new int[8];
            Q4_KMatrix.scalesAndMins(seg, p + 4, sc, mins);
            int xo = a.rowOffset(b) + 256 * k, blk = a.blockOffset(b) + k;
            int total = 0, minTotal = 0;
            for (int j = 0; j < 8; j++) {
                int dot = 0;
                for (int l = 0; l < 32; l++) {
                    int v = seg.get(ValueLayout.JAVA_BYTE, p + 16 + 32 * (j / 2) + l) & 0xFF;
                    dot += (j % 2 == 0 ? v & 0xF : v >>> 4) * a.qBytes[xo + 32 * j + l];
                }
                total += sc[j] * dot;
                minTotal += mins[j] * ((int) a.s[16 * blk + 2 * j] + (int) a.s[16 * blk + 2 * j + 1]);
                float da = a.d[blk];
                if (gemm ? j % 2 == 1 : j == 7) {
                    acc = Math.fma((float) total, Float.float16ToFloat(seg.get(SHORT, p)) * da, acc);
                    accm = Math.fma((float) minTotal, Float.float16ToFloat(seg.get(SHORT, p + 2)) * da, accm);
                    total = 0;
                    minTotal = 0;
                }
            }
        }
        return acc - accm;
    }

    /**
     * ggml_vec_dot_q{4,5,6}_K_q8_K (AVX2) in scalar code: lane j of the int sum = sum over 32-value groups of
     * scale * (exact dot of the group's quad j); acc lanes fma(d_a * d, sum, acc); Q4_K's mins in 4 float
     * lanes fma(-d_a * dmin, mins[2l]*q8s[2l] + mins[2l+1]*q8s[2l+1]) reduced (m0+m2)+(m1+m3); Q5_K's as one
     * scalar fma per super-block; hsum_float_8(acc) + mins. Q6_K's weights are unsigned (0..63) in the quads and
     * the 32 offset comes off lane j's int sum as q8sclsub (group j's scales times its 16-value activation sums).
     */
    static float ggmlOrderK(GgmlType type, MemorySegment seg, int cols, int row, Activations a, int b) {
        int bpb = type.bytesPerBlock(), nb = cols / 256;
        long base = (long) row * nb * bpb;
        float[] acc = new float[8], macc = new float[4];
        float summs = 0;
        for (int k = 0; k < nb; k++) {
            long p = base + (long) k * bpb;
            int[] q = new int[256], scale = new int[256], sc = new int[8], mins = new int[8];
            float d, dmin = 0;
            if (type == GgmlType.Q6_K) {
                d = Float.float16ToFloat(seg.get(SHORT, p + 208));
                for (int e = 0; e < 256; e++) {
                    int h = e / 128, c = (e % 128) / 32, l = e % 32;
                    int ql = seg.get(ValueLayout.JAVA_BYTE, p + 64 * h + 32 * (c % 2) + l) & 0xFF;
                    int qh = seg.get(ValueLayout.JAVA_BYTE, p + 128 + 32 * h + l) & 0xFF;
                    q[e] = (c < 2 ? ql & 0xF : ql >>> 4) | (((qh >>> (2 * c)) & 3) << 4); // unsigned: the 32 comes off below
                    scale[e] = seg.get(ValueLayout.JAVA_BYTE, p + 192 + e / 16);
                }
            } else {
                d = Float.float16ToFloat(seg.get(SHORT, p));
                dmin = Float.float16ToFloat(seg.get(SHORT, p + 2));
                Q4_KMatrix.scalesAndMins(seg, p + 4, sc, mins);
                long qs = p + (type == GgmlType.Q4_K ? 16 : 48);
                for (int e = 0; e < 256; e++) {
                    int j = e / 32, l = e % 32;
                    int v = seg.get(ValueLayout.JAVA_BYTE, qs + 32 * (j / 2) + l) & 0xFF;
                    q[e] = j % 2 == 0 ? v & 0xF : v >>> 4;
                    if (type == GgmlType.Q5_K) q[e] += ((seg.get(ValueLayout.JAVA_BYTE, p + 16 + l) >>> j) & 1) << 4;
                    scale[e] = sc[j];
                }
            }
            int xo = a.rowOffset(b) + 256 * k, blk = a.blockOffset(b) + k;
            int[] sumi = new int[8];
            for (int g = 0; g < 8; g++) {
                for (int j = 0; j < 8; j++) {
                    int quad = 0;
                    for (int i = 32 * g + 4 * j; i < 32 * g + 4 * j + 4; i++) quad += q[i] * a.qBytes[xo + i];
                    sumi[j] += scale[32 * g + 4 * j] * quad;
                }
            }
            if (type == GgmlType.Q6_K) {
                // q8sclsub: lane j loses 32 * (sc[2j] * bsum[2j] + sc[2j+1] * bsum[2j+1]), i.e. group j's offset
                for (int j = 0; j < 8; j++) {
                    sumi[j] -= 32 * (scale[32 * j] * (int) a.s[16 * blk + 2 * j] + scale[32 * j + 16] * (int) a.s[16 * blk + 2 * j + 1]);
                }
            }
            float da = a.d[blk];
            for (int j = 0; j < 8; j++) acc[j] = Math.fma(da * d, (float) sumi[j], acc[j]);
            if (type != GgmlType.Q6_K) {
                int[] q8s = new int[8];
                for (int i = 0; i < 8; i++) q8s[i] = (int) a.s[16 * blk + 2 * i] + (int) a.s[16 * blk + 2 * i + 1];
                int total = 0;
                for (int l = 0; l < 4; l++) {
                    int prod = mins[2 * l] * q8s[2 * l] + mins[2 * l + 1] * q8s[2 * l + 1];
                    macc[l] = Math.fma(-da * dmin, (float) prod, macc[l]);
                    total += prod;
                }
                summs = Math.fma(-da * dmin, (float) total, summs);
            }
        }
        float hsum = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
        return switch (type) {
            case Q4_K -> hsum + ((macc[0] + macc[2]) + (macc[1] + macc[3]));
            case Q5_K -> hsum + summs;
            default -> hsum;
        };
    }

    /** ggml_vec_dot_*_q8_* (AVX2) in scalar code, or the repacked Q4_0x8 GEMV for Q4_0 with rows % 8 == 0. */
    static float ggmlOrder(GgmlType type, MemorySegment seg, int rows, int cols, int row, Activations a, int b) {
        int bpb = type.bytesPerBlock(), nb = cols / 32;
        long base = (long) row * nb * bpb;
        float[] acc = new float[8];
        float scalarAcc = 0, mins = 0;
        for (int k = 0; k < nb; k++) {
            long p = base + (long) k * bpb;
            int[] wq = new int[32];
            for (int i = 0; i < 32; i++) {
                wq[i] = switch (type) {
                    case Q8_0 -> seg.get(ValueLayout.JAVA_BYTE, p + 2 + i);
                    case Q4_0 -> nibble(seg, p + 2, i) - 8;
                    case Q4_1 -> nibble(seg, p + 4, i);
                    default -> throw new AssertionError(type);
                };
            }
            float scale = Float.float16ToFloat(seg.get(SHORT, p)) * a.d[a.blockOffset(b) + k];
            int total = 0;
            for (int j = 0; j < 8; j++) {
                int s = 0;
                for (int i = 4 * j; i < 4 * j + 4; i++) s += wq[i] * a.qBytes[a.rowOffset(b) + 32 * k + i];
                acc[j] = Math.fma((float) s, scale, acc[j]);
                total += s;
            }
            scalarAcc = Math.fma((float) total, scale, scalarAcc);
            if (type == GgmlType.Q4_1) mins = Math.fma(Float.float16ToFloat(seg.get(SHORT, p + 2)), a.s[a.blockOffset(b) + k], mins);
        }
        if (type == GgmlType.Q4_0 && rows % 8 == 0) return scalarAcc;
        float hsum = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
        return type == GgmlType.Q4_1 ? hsum + mins : hsum;
    }

    /** Element i of a 32-value nibble block: low nibbles are elements 0-15, high nibbles 16-31. */
    private static int nibble(MemorySegment seg, long qs, int i) {
        int v = seg.get(ValueLayout.JAVA_BYTE, qs + (i & 15)) & 0xFF;
        return i < 16 ? v & 0x0F : v >>> 4;
    }

    /** Blocks at the extremes of the 16-bit block totals: all-0 nibbles, all-15, alternating 0/15, next to random ones (twice). */
    private static void setExtremeQ4_0Blocks(MemorySegment seg, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols / 32; k++) {
                long p = (long) r * (cols / 32) * 18 + 18L * k;
                int kind = (r + 2 * k) % 5; // all-0 nibbles, all-15, alternating 0/15, random (twice)
                for (int j = 0; j < 16 && kind < 3; j++) {
                    int v = kind == 0 ? 0x00 : kind == 1 ? 0xFF : (j % 2 == 0 ? 0x0F : 0xF0);
                    seg.set(ValueLayout.JAVA_BYTE, p + 2 + j, (byte) v);
                }
            }
        }
    }

    /** A batch whose blocks are all +1, all -1 (quantized to +-127), alternating +-1, or random, by row and block. */
    private static FloatBatch extremeActivations(int batch, int cols, Random rnd) {
        FloatBatch in = new FloatBatch(batch, cols);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < cols; i++) {
                int kind = (b + i / 32) % 4; // all +1, all -1 (quantized to +-127), alternating, random
                in.data()[b * cols + i] = kind == 0 ? 1f : kind == 1 ? -1f : kind == 2 ? (i % 2 == 0 ? 1f : -1f) : (float) rnd.nextGaussian();
            }
        }
        return in;
    }
}
