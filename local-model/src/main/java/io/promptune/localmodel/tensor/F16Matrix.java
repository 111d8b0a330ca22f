package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** F16 weights with activations rounded to F16 (ggml's vec_dot_f16), accumulated in float. */
public final class F16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    public F16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.F16, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.F16; }

    /** Eight halves to floats in vector lanes: exact for every finite value (weights hold no inf/NaN). */
    static FloatVector halvesToFloats(MemorySegment seg, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        // Shifting the half's exponent+mantissa into float position and multiplying by 2^112 rebiases the
        // exponent (15 -> 127) and turns half subnormals into the right float values too.
        FloatVector abs = magnitude.reinterpretAsFloats().mul(0x1.0p112f);
        return abs.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(cols);
        for (; i < bound; i += F.length()) {
            acc = halvesToFloats(data, base + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        }
        // A fixed lane order: reduceLanes(ADD) on floats may add in any order, and does (C2's tree and the
        // interpreter's sequential sum differ), so the same row gave results 1 ulp apart before and after a compile.
        float sum = GgmlSums.hsum8(acc);
        for (; i < cols; i++) sum += half(base + 2L * i) * x[xo + i];
        return sum;
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        long base = row * rowBytes;
        int xo = a.rowOffset(b);
        float sum = 0;
        for (int i = 0; i < cols; i++) sum += half(base + 2L * i) * a.q[xo + i];
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) out[offset + i] = half(base + 2L * i);
    }
}
