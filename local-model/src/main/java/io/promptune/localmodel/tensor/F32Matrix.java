package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** F32 weights with F32 activations. */
public final class F32Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    public F32Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.F32, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.F32; }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(cols);
        for (; i < bound; i += F.length()) {
            FloatVector w = FloatVector.fromMemorySegment(F, data, base + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc = w.fma(FloatVector.fromArray(F, x, xo + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) sum += data.get(FLOAT_LE, base + 4L * i) * x[xo + i];
        return sum;
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        long base = row * rowBytes;
        int xo = a.rowOffset(b);
        float sum = 0;
        for (int i = 0; i < cols; i++) sum += data.get(FLOAT_LE, base + 4L * i) * a.q[xo + i];
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        MemorySegment.copy(data, FLOAT_LE, row * rowBytes, out, offset, cols);
    }
}
