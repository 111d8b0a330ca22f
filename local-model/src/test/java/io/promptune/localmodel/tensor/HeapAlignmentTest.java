package io.promptune.localmodel.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapAlignmentTest {
    @Test
    void wideAlignmentIsANarrowAlignedIndexInRange() {
        for (int n = 1; n < 40; n++) {
            float[] a = new float[n * 7];
            int i32 = HeapAlignment.firstAligned(a, 32), i64 = HeapAlignment.firstAligned(a, 64);
            assertTrue(i32 >= 0 && i32 < 8 && i64 >= 0 && i64 < 16, i32 + " " + i64);
            // A 64-byte boundary is also a 32-byte one: both indexes agree modulo 8 floats (GC moves aside).
            if (HeapAlignment.firstAligned(a, 32) == i32) assertEquals(i32, i64 % 8);
        }
    }
}
