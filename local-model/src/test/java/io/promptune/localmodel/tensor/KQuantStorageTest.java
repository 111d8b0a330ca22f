package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.promptune.localmodel.tensor.KernelChecks.randomBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Q4_K's and Q6_K's repacked copies live on the heap or, past the heap budget, off it, with one kernel per
 * storage (GEMV, batch widening, Q6_K's tiled rest rows): both must give exactly llama.cpp's order - Q4_K: GEMM
 * for a batch's rows in whole fours, GEMV for the rest; Q6_K: vec_dot below 8 rows, the tiled order from 8 - for
 * matrix-vector, batches, a row range cutting 8-row groups, and dequantize alike.
 */
class KQuantStorageTest {
    @ParameterizedTest
    @CsvSource({"Q4_K, true, 8, 256, 1", "Q4_K, false, 8, 256, 1", "Q4_K, true, 24, 768, 3", "Q4_K, false, 24, 768, 3",
            "Q4_K, true, 16, 512, 6", "Q4_K, false, 16, 512, 6", "Q4_K, true, 40, 1024, 13", "Q4_K, false, 40, 1024, 13",
            "Q6_K, true, 8, 256, 1", "Q6_K, false, 8, 256, 1", "Q6_K, true, 24, 768, 5", "Q6_K, false, 24, 768, 5",
            "Q6_K, true, 16, 512, 9", "Q6_K, false, 16, 512, 9", "Q6_K, true, 40, 1024, 14", "Q6_K, false, 40, 1024, 14"})
    void bothStoragesFollowLlamaCppOrderExactly(GgmlType type, boolean onHeap, int rows, int cols, int batch) {
        Random rnd = new Random(rows * 131L + cols * 7L + batch + type.ordinal());
        MemorySegment seg = MoreTypesKernelTest.randomBytes(type, rows, cols, rnd);
        WeightMatrix w = create(type, rows, cols, seg, onHeap);
        assertEquals(onHeap, onHeap(w));
        assertTrue(w.repacked());
        FloatBatch in = randomBatch(batch, cols, rnd);
        Activations a = w.activationFormat().prepare(in);
        FloatBatch out = new FloatBatch(batch, rows), part = new FloatBatch(batch, rows);
        try (Parallel pool = new Parallel(2)) {
            w.matmul(in, out, pool);
        }
        java.util.Arrays.fill(part.data(), Float.NaN);
        int r0 = 3, r1 = rows - 5;
        w.dotRows(r0, r1, a, part, 0);
        WeightMatrix other = create(type, rows, cols, seg, !onHeap);
        float[] deq = new float[cols], deqOther = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                String at = type + (onHeap ? " heap" : " off-heap") + " row " + r + " batch " + b;
                float expect, dot;
                if (type == GgmlType.Q4_K) {
                    expect = GgmlOrderKernelTest.repackedQ4K(seg, cols, r, a, b, b < batch - batch % 4);
                    dot = GgmlOrderKernelTest.repackedQ4K(seg, cols, r, a, b, false);
                } else {
                    expect = batch >= 8 ? GgmlOrderKernelTest.tiledQ6K(seg, cols, r, a, b) : GgmlOrderKernelTest.ggmlOrderK(type, seg, cols, r, a, b);
                    dot = GgmlOrderKernelTest.ggmlOrderK(type, seg, cols, r, a, b);
                }
                assertEquals(expect, out.get(b, r), 0f, "matmul " + at);
                assertEquals(dot, w.dot(r, a, b), 0f, "dot " + at);
                if (r >= r0 && r < r1) assertEquals(expect, part.get(b, r), 0f, "dotRows " + r0 + ".." + r1 + " " + at);
                else assertTrue(Float.isNaN(part.get(b, r)), "row " + r + " outside " + r0 + ".." + r1 + " was written, " + at);
            }
            w.dequantizeRow(r, deq, 0);
            other.dequantizeRow(r, deqOther, 0);
            for (int i = 0; i < cols; i++) assertEquals(deqOther[i], deq[i], 0f, type + " dequantized row " + r + " element " + i);
        }
    }

    /**
     * The GEMVs walk up to {@link Q4_KMatrix#LOCKSTEP} 8-row groups in lockstep (one stream each; at 512 bits two
     * groups per vector): 1 to 9 groups, row ranges starting and ending inside groups or on their boundaries, 1 and 3
     * activation rows, both storages and (Q4_K's entry takes it) both widths, every row equal bit for bit to
     * llama.cpp's order and no row outside the range written.
     */
    @ParameterizedTest
    @CsvSource({"Q4_K, true, 1", "Q4_K, false, 1", "Q4_K, true, 3", "Q4_K, false, 3",
            "Q6_K, true, 1", "Q6_K, false, 1", "Q6_K, true, 3", "Q6_K, false, 3"})
    void gemvGroupsInLockstepFollowLlamaCppOrderExactly(GgmlType type, boolean onHeap, int batch) {
        int cols = 512;
        for (int groups = 1; groups <= 9; groups++) {
            int rows = 8 * groups;
            Random rnd = new Random(rows * 31L + batch + type.ordinal());
            MemorySegment seg = MoreTypesKernelTest.randomBytes(type, rows, cols, rnd);
            WeightMatrix w = create(type, rows, cols, seg, onHeap);
            Activations a = w.activationFormat().prepare(randomBatch(batch, cols, rnd));
            float[][] expect = new float[batch][rows];
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    expect[b][r] = type == GgmlType.Q4_K ? GgmlOrderKernelTest.repackedQ4K(seg, cols, r, a, b, false)
                            : GgmlOrderKernelTest.ggmlOrderK(type, seg, cols, r, a, b);
                }
            }
            for (int[] range : new int[][]{{0, rows}, {Math.min(8, rows - 1), rows}, {3, rows - 2}, {rows / 2, rows / 2 + 1}}) {
                for (boolean wide : new boolean[]{false, true}) {
                    if (range[0] >= range[1] || (wide && type == GgmlType.Q6_K)) continue;
                    FloatBatch out = new FloatBatch(batch, rows);
                    java.util.Arrays.fill(out.data(), Float.NaN);
                    if (w instanceof Q4_KMatrix q) q.groupDots(wide, range[0], range[1], a, out, 0);
                    else w.dotRows(range[0], range[1], a, out, 0);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < rows; r++) {
                            String at = type + (onHeap ? " heap " : " off-heap ") + (wide ? 512 : 256) + "-bit, " + groups + " groups, rows "
                                    + range[0] + ".." + range[1] + ", row " + r + " batch " + b;
                            if (r >= range[0] && r < range[1]) assertEquals(expect[b][r], out.get(b, r), 0f, at);
                            else assertTrue(Float.isNaN(out.get(b, r)), "written outside the range: " + at);
                        }
                    }
                }
            }
        }
    }

    /** The public constructors put a small tensor's copy on the heap (the budget is a quarter of the max heap). */
    @ParameterizedTest
    @CsvSource({"Q4_K", "Q6_K"})
    void smallTensorsGoOnTheHeap(GgmlType type) {
        MemorySegment seg = MoreTypesKernelTest.randomBytes(type, 8, 256, new Random(3));
        assertTrue(onHeap(WeightMatrices.create(type, "w", 8, 256, seg)));
        assertFalse(onHeap(create(type, 8, 256, seg, false)));
    }

    /** Small copies share a slab (disjoint, 64-byte aligned regions); a copy of half a slab or more gets its own array. */
    @org.junit.jupiter.api.Test
    void heapRegionsShareSlabsWithoutOverlap() {
        RepackedLanes.HeapRegion a = RepackedLanes.heapRegion(1000), b = RepackedLanes.heapRegion(3000);
        if (a.array() == b.array()) { // same slab unless a filled the previous slab's tail
            assertTrue(b.base() >= a.base() + 1000 || a.base() >= b.base() + 3000, "regions overlap: " + a.base() + ", " + b.base());
        }
        assertEquals(0, a.base() % 64);
        assertEquals(0, b.base() % 64);
        RepackedLanes.HeapRegion big = RepackedLanes.heapRegion(30 << 20);
        assertEquals(0, big.base());
        assertEquals(30 << 20, big.array().length);
        // a heap copy in a slab reads back what the segment view wrote
        b.segment(3000).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2999, (byte) 7);
        assertEquals(7, b.array()[b.base() + 2999]);
    }

    private static WeightMatrix create(GgmlType type, int rows, int cols, MemorySegment seg, boolean heapAllowed) {
        return type == GgmlType.Q4_K ? new Q4_KMatrix("w", rows, cols, seg, heapAllowed) : new Q6_KMatrix("w", rows, cols, seg, heapAllowed);
    }

    private static boolean onHeap(WeightMatrix w) {
        return w instanceof Q4_KMatrix q ? q.onHeap() : ((Q6_KMatrix) w).onHeap();
    }
}
