package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * The shared shape of the k-quant kernels (Q4_K, Q5_K, Q6_K against Q8_K activations): each 256-value
 * super-block is decoded once into floats holding the integers sub-block-scale * quant, dotted with the
 * integer activations in float lanes, and scaled by d * d_a, minus dmin * d_a * sum(min_j * bsum_j) for
 * the types with mins, as ggml_vec_dot_q*_K_q8_K. Every lane sum within a block is an integer below
 * 2^24 (exact in any order); {@link #dot} and the batched {@link #dotRows} (which decodes each block
 * once for all activation rows) do the same float operations, so they give bit-identical results.
 */
abstract class KQuantMatrix extends WeightMatrix {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    static final int QK = 256;

    private final int blockBytes;

    KQuantMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        super(name, type, rows, cols, data);
        this.blockBytes = type.bytesPerBlock();
    }

    @Override
    public final ActivationFormat activationFormat() { return ActivationFormat.Q8_K; }

    /** Decodes the super-block at {@code p} into {@code w} (scale_j * q) and its sub-block mins into {@code mins}. */
    abstract void decode(long p, float[] w, int[] mins);

    /** The super-block scale d. */
    abstract float d(long p);

    /** The super-block min scale dmin, or 0 for types without mins. */
    abstract float dmin(long p);

    static FloatVector toFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    /** sum_j bsum_j * min_{j/2}: the activations' 16-value sums weighted by the sub-block mins (exact). */
    static int minTerm(Activations a, int block, int[] m) {
        int s = 0;
        int o = block * 16;
        for (int j = 0; j < 16; j++) s += (int) a.s[o + j] * m[j / 2];
        return s;
    }

    /**
     * Lanes of the exact integer products of decoded weights and one activation block; callers scale
     * them by d * d_a into lane accumulators, so dot and dotRows do identical float operations.
     */
    private static FloatVector blockLanes(float[] w, float[] x, int xo) {
        FloatVector acc = FloatVector.fromArray(F, w, 0).mul(FloatVector.fromArray(F, x, xo));
        for (int i = 8; i < QK; i += 8) acc = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        return acc;
    }

    @Override
    public final float dot(int row, Activations a, int b) {
        float[] w = new float[QK];
        int[] mins = new int[8];
        FloatVector acc = FloatVector.zero(F);
        float minSum = 0;
        int xo = a.rowOffset(b), bo = a.blockOffset(b);
        for (int k = 0; k < cols / QK; k++) {
            long p = row * rowBytes + (long) k * blockBytes;
            decode(p, w, mins);
            float da = a.d[bo + k];
            acc = blockLanes(w, a.q, xo + k * QK).fma(FloatVector.broadcast(F, d(p) * da), acc);
            float dm = dmin(p);
            if (dm != 0f) minSum += dm * da * minTerm(a, bo + k, mins);
        }
        return GgmlSums.hsum8(acc) - minSum;
    }

    /** Decodes each weight super-block once and applies it to every activation row. */
    @Override
    public final void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] w = new float[QK];
        int[] mins = new int[8];
        float[] lanes = new float[8 * a.rows];
        float[] minSums = new float[a.rows];
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            java.util.Arrays.fill(lanes, 0f);
            java.util.Arrays.fill(minSums, 0f);
            for (int k = 0; k < cols / QK; k++) {
                long p = r * rowBytes + (long) k * blockBytes;
                decode(p, w, mins);
                float dw = d(p), dm = dmin(p);
                for (int b = 0; b < a.rows; b++) {
                    int blk = a.blockOffset(b) + k;
                    float da = a.d[blk];
                    blockLanes(w, a.q, a.rowOffset(b) + k * QK).fma(FloatVector.broadcast(F, dw * da), FloatVector.fromArray(F, lanes, 8 * b))
                            .intoArray(lanes, 8 * b);
                    if (dm != 0f) minSums[b] += dm * da * minTerm(a, blk, mins);
                }
            }
            for (int b = 0; b < a.rows; b++) {
                o[b * oc + outCol0 + r] = GgmlSums.hsum8(FloatVector.fromArray(F, lanes, 8 * b)) - minSums[b];
            }
        }
    }

    @Override
    public final void dequantizeRow(int row, float[] out, int offset) {
        QuantFormats.of(type).dequantize(data, row * rowBytes, cols, out, offset);
    }
}
