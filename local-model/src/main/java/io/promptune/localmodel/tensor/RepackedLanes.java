package io.promptune.localmodel.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The 8-row interleaving and heap regions shared by the kernels over 8-row interleaved copies ({@link Q4_0Matrix}, {@link Q4_KMatrix}, {@link Q6_KMatrix}). */
final class RepackedLanes {
    private RepackedLanes() { }

    /** Copies one block of row 8g + l (at {@code src} in the file) into its group's block at {@code dst}; false to give up. */
    @FunctionalInterface
    interface BlockCopy {
        boolean copy(MemorySegment packed, long src, long dst, int l);
    }

    /**
     * A copy of a tensor with rows interleaved by eights, block by block (llama.cpp's block_*x8 layouts): block k
     * of rows 8g..8g+7 at (g * blocks + k) * groupBlockBytes, laid out by {@code copy} one row's block at a time.
     * Null when {@code copy} gives up on a block (e.g. a scale the kernels cannot convert).
     */
    static MemorySegment interleave8(int rows, int blocks, long rowBytes, int blockBytes, int groupBlockBytes, BlockCopy copy) {
        return interleave8(Arena.ofAuto().allocate((long) rows / 8 * blocks * groupBlockBytes, 32), rows, blocks, rowBytes,
                blockBytes, groupBlockBytes, copy);
    }

    /** As above into {@code p} (e.g. a heap segment over a byte[] of the copy's size); {@code p}, or null. */
    static MemorySegment interleave8(MemorySegment p, int rows, int blocks, long rowBytes, int blockBytes, int groupBlockBytes,
                                     BlockCopy copy) {
        for (int g = 0; g < rows / 8; g++) {
            long dst = (long) g * blocks * groupBlockBytes;
            for (int k = 0; k < blocks; k++, dst += groupBlockBytes) {
                for (int l = 0; l < 8; l++) {
                    if (!copy.copy(p, (8L * g + l) * rowBytes + (long) k * blockBytes, dst, l)) return null;
                }
            }
        }
        return p;
    }

    /** Part of a shared heap byte[] holding one matrix's repacked copy, from {@code base}. */
    record HeapRegion(byte[] array, int base) {
        /** The region as a segment (offset 0 = {@code base}), for writing the copy and the rare per-row readers. */
        MemorySegment segment(long bytes) {
            return MemorySegment.ofArray(array).asSlice(base, bytes);
        }
    }

    /**
     * Slab size for heap copies. Why slabs: ParallelGC allocates an array of at least half of eden directly in the
     * old generation, smaller ones in eden, and a model's hundreds of 0.3-12 MB copies were then copied between
     * survivor spaces and promoted, leaving the old generation with ~180 MB of dead filler (TinyLlama Q4_K_M peak
     * RSS 1.11-1.17 GB instead of ~0.97 with the off-heap copies; with -Xmn8m, i.e. every copy pretenured, 0.92).
     * 40 MB is larger than the launcher's whole young generation (SerialGC -Xmn32m; above half of ParallelGC's -Xmn64m
     * eden too), so each slab is allocated once, directly in the old generation.
     */
    private static final int SLAB_BYTES = 40 << 20;
    /** Open slabs (weakly held: a slab goes away with the last matrix that uses it) and the bytes used in each. */
    private static final List<Slab> SLABS = new ArrayList<>();

    private static final class Slab {
        final WeakReference<byte[]> array;
        int used;

        Slab(byte[] a) { array = new WeakReference<>(a); }
    }

    /**
     * A zeroed heap region of {@code bytes} (< 2^31 - 64) for a repacked copy: copies from half a slab up get their
     * own array, smaller ones the first open slab with room (first fit keeps the slabs' tails small).
     */
    static synchronized HeapRegion heapRegion(long bytes) {
        if (bytes >= SLAB_BYTES / 2) return new HeapRegion(new byte[(int) bytes], 0);
        int size = (int) ((bytes + 63) & ~63L); // 64-byte aligned regions
        for (Iterator<Slab> it = SLABS.iterator(); it.hasNext(); ) {
            Slab s = it.next();
            byte[] a = s.array.get();
            if (a == null) {
                it.remove();
            } else if (a.length - s.used >= size) {
                HeapRegion r = new HeapRegion(a, s.used);
                s.used += size;
                return r;
            }
        }
        byte[] a = new byte[SLAB_BYTES];
        Slab s = new Slab(a);
        s.used = size;
        SLABS.add(s);
        return new HeapRegion(a, 0);
    }
}
