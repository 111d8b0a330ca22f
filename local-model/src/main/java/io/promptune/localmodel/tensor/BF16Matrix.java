package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.BF16Format;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** BF16 weights with activations rounded to BF16 (ggml's vec_dot_bf16), accumulated in float. */
public final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    public BF16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.BF16, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.BF16; }

    /** Eight bf16 values to floats: a bf16 is the top half of a float32. */
    private FloatVector load(long offset) {
        return ((IntVector) ShortVector.fromMemorySegment(S, data, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private float value(long offset) {
        return BF16Format.fromBf16(data.get(SHORT_LE, offset));
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        int bound2 = cols / 16 * 16;
        for (; i < bound2; i += 16) {
            acc0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), acc0);
            acc1 = load(base + 2L * i + 16).fma(FloatVector.fromArray(F, x, xo + i + 8), acc1);
        }
        float sum = GgmlSums.hsum8(acc0.add(acc1));
        for (; i < cols; i++) sum += value(base + 2L * i) * x[xo + i];
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
        for (int i = 0; i < cols; i++) sum += value(base + 2L * i) * a.q[xo + i];
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) out[offset + i] = value(base + 2L * i);
    }
}
