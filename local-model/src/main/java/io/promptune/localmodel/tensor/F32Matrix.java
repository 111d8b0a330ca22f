package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
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

    /**
     * As llama.cpp on AVX2: a batch of two or more rows with cols % 8 == 0 goes through llamafile's tinyBLAS
     * (one 8-lane FMA accumulator, then hsum); otherwise ggml_vec_dot_f32 (four accumulators over steps of
     * 32, its reduction order, then a scalar tail).
     */
    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        if (a.rows >= 2 && cols % 8 == 0) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < cols; i += 8) {
                acc = FloatVector.fromMemorySegment(F, data, base + 4L * i, ByteOrder.LITTLE_ENDIAN)
                        .fma(FloatVector.fromArray(F, x, xo + i), acc);
            }
            return GgmlSums.hsum8(acc);
        }
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int np = cols & ~31;
        for (int i = 0; i < np; i += 32) {
            long p = base + 4L * i;
            s0 = FloatVector.fromMemorySegment(F, data, p, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i), s0);
            s1 = FloatVector.fromMemorySegment(F, data, p + 32, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i + 8), s1);
            s2 = FloatVector.fromMemorySegment(F, data, p + 64, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i + 16), s2);
            s3 = FloatVector.fromMemorySegment(F, data, p + 96, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i + 24), s3);
        }
        float sum = GgmlSums.haddReduce(s0.add(s2).add(s1.add(s3)));
        for (int i = np; i < cols; i++) sum += data.get(FLOAT_LE, base + 4L * i) * x[xo + i]; // not fused (verified against llama.cpp)
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
        for (int i = 0; i < cols; i++) sum += data.get(FLOAT_LE, base + 4L * i) * a.q[xo + i];
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        MemorySegment.copy(data, FLOAT_LE, row * rowBytes, out, offset, cols);
    }
}
