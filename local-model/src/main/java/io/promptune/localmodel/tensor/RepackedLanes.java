package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Lane conversions shared by the kernels over 8-row interleaved copies ({@link Q4_0Matrix}, {@link Q4_KMatrix}). */
final class RepackedLanes {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S4 = ShortVector.SPECIES_128;

    private RepackedLanes() { }

    /** An int of two 16-bit activations in every int lane, as 16 short lanes. */
    static ShortVector pair(int v) {
        return IntVector.broadcast(I, v).reinterpretAsShorts();
    }

    /**
     * The 8 half scales at {@code p} of {@code packed} as floats, exactly as Float.float16ToFloat for finite halves:
     * the magnitude bits moved into a float's exponent/mantissa position are the value times 2^-112 (subnormal
     * halves become subnormal floats), so one exact multiply by 2^112 restores it; then the sign.
     */
    static FloatVector halves(MemorySegment packed, long p) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S4, packed, p, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.S2I, I, 0);
        FloatVector mag = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return mag.reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
    }
}
