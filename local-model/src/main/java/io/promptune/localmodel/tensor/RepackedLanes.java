package io.promptune.localmodel.tensor;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The 8-row interleaving and lane conversions shared by the kernels over 8-row interleaved copies ({@link Q4_0Matrix}, {@link Q4_KMatrix}, {@link Q6_KMatrix}). */
final class RepackedLanes {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

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

    /** An int of two 16-bit activations in every int lane, as 16 short lanes. */
    static ShortVector pair(int v) {
        return IntVector.broadcast(I, v).reinterpretAsShorts();
    }
}
