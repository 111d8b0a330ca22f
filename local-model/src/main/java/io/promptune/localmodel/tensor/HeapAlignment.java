package io.promptune.localmodel.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Where a heap float array's data lies relative to 32-byte boundaries, so a kernel can start its 8-float
 * vectors on one: Java places arrays 8-byte aligned, and a 32-byte load from a misaligned array splits a
 * cache line every other time (lab: the Q8_0 batch micro-kernel ran 17 vs 22 GMAC/s on misaligned vs
 * aligned scratch). The address comes from a critical downcall to {@code memset(p, 0, 0)}, which returns
 * its argument (the GC is held off during the call). The GC may move the array later; that only costs
 * speed, never correctness. Without native access (or on a platform without memset) the answer is 0.
 */
final class HeapAlignment {
    private static final MethodHandle MEMSET = memset();

    private HeapAlignment() { }

    private static MethodHandle memset() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("memset").map(f -> linker.downcallHandle(f,
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                    Linker.Option.critical(true))).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The first index of {@code a} whose address is a multiple of 32 bytes (0..7; 0 when unknown). */
    static int firstAligned(float[] a) {
        return firstAligned(a, 32);
    }

    /**
     * The first index of {@code a} whose address is a multiple of {@code bytes} (a power of two, 4..4096; 64 for
     * 512-bit vectors, which split a cache line on every load when misaligned); 0 when unknown.
     */
    static int firstAligned(float[] a, int bytes) {
        if (MEMSET == null) return 0;
        try {
            long address = ((MemorySegment) MEMSET.invokeExact(MemorySegment.ofArray(a), 0, 0L)).address();
            return (int) ((-address & (bytes - 1)) >>> 2);
        } catch (Throwable t) {
            return 0;
        }
    }
}
