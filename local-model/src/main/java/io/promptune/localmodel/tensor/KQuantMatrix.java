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
 * the types with mins, as ggml_vec_dot_q*_K_q8_K. Every lane sum is an integer below 2^24, so the block
 * sums are exact whatever the order; {@link #dot} and the batched {@link #dotRows} (which decodes each
 * block once for all activation rows) therefore give bit-identical results.
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

    /** The exact integer dot product of decoded weights and one activation block, as a float. */
    private static float blockDot(float[] w, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < QK; i += 8) acc = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** sum_j bsum_j * min_{j/2}: the activations' 16-value sums weighted by the sub-block mins (exact). */
    static int minTerm(Activations a, int block, int[] m) {
        int s = 0;
        int o = block * 16;
        for (int j = 0; j < 16; j++) s += (int) a.s[o + j] * m[j / 2];
        return s;
    }

    private float blockResult(long p, float[] w, int[] mins, Activations a, int b, int k) {
        int blk = a.blockOffset(b) + k;
        float da = a.d[blk];
        float s = d(p) * da * blockDot(w, a.q, a.rowOffset(b) + k * QK);
        float dm = dmin(p);
        return dm == 0f ? s : s - dm * da * minTerm(a, blk, mins);
    }

    @Override
    public final float dot(int row, Activations a, int b) {
        float[] w = new float[QK];
        int[] mins = new int[8];
        float sum = 0;
        for (int k = 0; k < cols / QK; k++) {
            long p = row * rowBytes + (long) k * blockBytes;
            decode(p, w, mins);
            sum += blockResult(p, w, mins, a, b, k);
        }
        return sum;
    }

    @Override
    public final void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] w = new float[QK];
        int[] mins = new int[8];
        float[] sums = new float[a.rows];
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            java.util.Arrays.fill(sums, 0f);
            for (int k = 0; k < cols / QK; k++) {
                long p = r * rowBytes + (long) k * blockBytes;
                decode(p, w, mins);
                for (int b = 0; b < a.rows; b++) sums[b] += blockResult(p, w, mins, a, b, k);
            }
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = sums[b];
        }
    }

    @Override
    public final void dequantizeRow(int row, float[] out, int offset) {
        QuantFormats.of(type).dequantize(data, row * rowBytes, cols, out, offset);
    }
}
