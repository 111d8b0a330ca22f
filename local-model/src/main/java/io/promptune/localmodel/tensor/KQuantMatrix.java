package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * The shared shape of the k-quant kernels (Q4_K, Q5_K, Q6_K against Q8_K activations), in the order of
 * ggml's AVX2 ggml_vec_dot_q*_K_q8_K. A weight row is first decoded into {@link Decoded} form: per
 * 32-value group, its integer weights packed two per int for the 32-bit multiply trick (see
 * {@link Q4_1Matrix}: with {@link Activations#pairs}, bits 16-31 of the products sum to the exact dot
 * product of each quad of 4 values), and one sub-block scale per lane. The dot product then keeps ggml's
 * arithmetic: per super-block, lane j of the int sum holds sum over groups of scale * (quad j's integer
 * dot), accumulated as fma(d_a * d, sum, acc) in float lanes, hsum_float_8 at the end, plus the min term
 * (Q4_K: 4 float lanes of fma(-d_a * dmin, min pair sums); Q5_K: one scalar fma per super-block).
 *
 * <p>A batch (prefill) decodes each weight row once for all activation rows; a single row decodes into
 * a per-thread scratch, so no call allocates.
 */
abstract class KQuantMatrix extends WeightMatrix {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final int QK = 256;

    /** How the min term of a type is accumulated (as the type's AVX2 kernel in ggml does). */
    enum Mins {
        /** No mins (Q6_K): ggml's vec_dot takes the 32 offset off lane l as 32 * (sc[2l] * bsum[2l] + sc[2l+1] * bsum[2l+1]). */
        NONE,
        /** Q4_K: madd of mins with activation pair sums into 4 int lanes, fma'd into 4 float lanes, reduced at the end. */
        FOUR_LANES,
        /** Q5_K: the same 4 lanes summed to one int per super-block, one scalar fma. */
        SCALAR
    }

    /** One weight row in kernel form; reused across rows and calls by one thread. */
    static final class Decoded {
        /** Per 32-value group g: ints 16g..16g+7 = w[4j] + (w[4j+2] << 16), 16g+8.. = w[4j+1] + (w[4j+3] << 16). */
        final int[] w;
        /** Per group g: ints 8g..8g+7 = the sub-block scale of lane j's quad. */
        final int[] sc;
        /** Per super-block: the scale d and min scale dmin. */
        final float[] d, dmin;
        /** Per super-block k: ints 8k..8k+7 = the 8 sub-block mins (Q4_K, Q5_K). */
        final int[] mins;
        /** Scratch for one super-block's 6-bit scales. */
        final int[] sub = new int[8];
        /** Scratch for one super-block's Q6_K offset lanes. */
        final int[] off = new int[8];

        Decoded(int cols) {
            w = new int[cols / 2];
            sc = new int[cols / 4];
            d = new float[cols / QK];
            dmin = new float[cols / QK];
            mins = new int[cols / 32];
        }
    }

    private static final ThreadLocal<Decoded> SCRATCH = new ThreadLocal<>();

    private final int blockBytes;
    private final Mins minsOrder;

    KQuantMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data, Mins minsOrder) {
        super(name, type, rows, cols, data);
        this.blockBytes = type.bytesPerBlock();
        this.minsOrder = minsOrder;
    }

    @Override
    public final ActivationFormat activationFormat() { return ActivationFormat.Q8_K; }

    /** Offset of super-block {@code k} of row {@code row}. */
    final long block(int row, int k) {
        return row * rowBytes + (long) k * blockBytes;
    }

    /** Writes row {@code row} in kernel form into {@code out}. */
    abstract void decodeRow(int row, Decoded out);

    /** Weight int pair fields (w[4j], w[4j+2]) and (w[4j+1], w[4j+3]) from lanes holding the 4 bytes of quad j. */
    static void storeBytePairs(IntVector bytes, int offset, int[] w, int g) {
        bytes.and(0x00FF00FF).sub(offset).intoArray(w, 16 * g);
        bytes.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).sub(offset).intoArray(w, 16 * g + 8);
    }

    @Override
    public float dot(int row, Activations a, int b) {
        Decoded s = scratch();
        decodeRow(row, s);
        return dotDecoded(s, a, b);
    }

    /** Scratch arrays of this thread (no allocation per call). */
    final Decoded scratch() {
        Decoded s = SCRATCH.get();
        if (s == null || s.w.length < cols / 2) {
            s = new Decoded(cols);
            SCRATCH.set(s);
        }
        return s;
    }

    /** The min term's order as the type's ggml kernel has it. */
    final Mins minsOrder() { return minsOrder; }

    /** Decodes each weight row once and applies it to every activation row. */
    @Override
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        if (a.rows == 1) {
            dotEach(r0, r1, a, out, outCol0);
            return;
        }
        Decoded s = scratch();
        float[] o = out.data();
        int oc = out.cols();
        boolean tiled = minsOrder == Mins.NONE && a.rows >= TILED_MIN_BATCH;
        for (int r = r0; r < r1; r++) {
            decodeRow(r, s);
            if (tiled) {
                for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dotDecodedTiled(s, a, b);
            } else {
                for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dotDecoded(s, a, b);
            }
        }
    }

    /**
     * llama.cpp's tiled K-quant matmul order (ggml_compute_forward_mul_mat_tiled, taken for batches of
     * {@link #TILED_MIN_BATCH} rows or more when the weights are not repacked), for Q6_K: per super-block the
     * exact total sum_j(scale_j * sum((q - 32) * a)), acc = fma(d * total, d_a, acc) - no lanes, no hsum.
     */
    final float dotDecodedTiled(Decoded s, Activations a, int b) {
        int[] w = s.w, sc = s.sc, m = a.pairs;
        float[] ad = a.d, bs = a.s;
        int mo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        float acc = 0f;
        for (int k = 0; k < cols / QK; k++) {
            IntVector sumi = IntVector.zero(I);
            for (int g = 8 * k; g < 8 * k + 8; g++) {
                IntVector t = IntVector.fromArray(I, w, 16 * g).mul(IntVector.fromArray(I, m, mo + 16 * g))
                        .add(IntVector.fromArray(I, w, 16 * g + 8).mul(IntVector.fromArray(I, m, mo + 16 * g + 8)));
                sumi = sumi.add(t.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, 8 * g)));
            }
            int offset = 0, so = 16 * (bo + k);
            for (int j = 0; j < 8; j++) {
                offset += sc[8 * (8 * k + j)] * (int) bs[so + 2 * j] + sc[8 * (8 * k + j) + 4] * (int) bs[so + 2 * j + 1];
            }
            int total = sumi.reduceLanes(VectorOperators.ADD) - 32 * offset;
            acc = Math.fma(s.d[k] * (float) total, ad[bo + k], acc);
        }
        return acc;
    }

    /** Batches from this many rows on take llama.cpp's tiled matmul (see {@link #dotDecodedTiled}). */
    static final int TILED_MIN_BATCH = 8;

    private float dotDecoded(Decoded s, Activations a, int b) {
        int[] w = s.w, sc = s.sc, m = a.pairs, q8s = a.sums32; // q8s: ggml's hadd of bsums, the 32-value sums
        float[] ad = a.d;
        int mo = a.rowOffset(b) / 2, bo = a.blockOffset(b);
        FloatVector acc = FloatVector.zero(F);
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int k = 0; k < cols / QK; k++) {
            IntVector sumi = IntVector.zero(I);
            for (int g = 8 * k; g < 8 * k + 8; g++) {
                IntVector t = IntVector.fromArray(I, w, 16 * g).mul(IntVector.fromArray(I, m, mo + 16 * g))
                        .add(IntVector.fromArray(I, w, 16 * g + 8).mul(IntVector.fromArray(I, m, mo + 16 * g + 8)));
                sumi = sumi.add(t.add(0x8000).lanewise(VectorOperators.ASHR, 16).mul(IntVector.fromArray(I, sc, 8 * g)));
            }
            float da = ad[bo + k];
            if (minsOrder == Mins.NONE) sumi = sumi.sub(offsetLanes(sc, 64 * k, a.s, 16 * (bo + k), s.off));
            acc = ((FloatVector) sumi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, da * s.d[k]), acc);
            if (minsOrder != Mins.NONE) {
                float dmin = -da * s.dmin[k];
                int[] mn = s.mins;
                int so = 8 * (bo + k), mk = 8 * k;
                int p0 = mn[mk] * q8s[so] + mn[mk + 1] * q8s[so + 1];
                int p1 = mn[mk + 2] * q8s[so + 2] + mn[mk + 3] * q8s[so + 3];
                int p2 = mn[mk + 4] * q8s[so + 4] + mn[mk + 5] * q8s[so + 5];
                int p3 = mn[mk + 6] * q8s[so + 6] + mn[mk + 7] * q8s[so + 7];
                if (minsOrder == Mins.FOUR_LANES) {
                    m0 = Math.fma(dmin, (float) p0, m0);
                    m1 = Math.fma(dmin, (float) p1, m1);
                    m2 = Math.fma(dmin, (float) p2, m2);
                    m3 = Math.fma(dmin, (float) p3, m3);
                } else {
                    m0 = Math.fma(dmin, (float) (p0 + p1 + p2 + p3), m0);
                }
            }
        }
        float sum = GgmlSums.hsum8(acc);
        return switch (minsOrder) {
            case NONE -> sum;
            case FOUR_LANES -> sum + ((m0 + m2) + (m1 + m3));
            case SCALAR -> sum + m0;
        };
    }

    /**
     * Q6_K's q8sclsub for one super-block: lane l = 32 * (sc[2l] * bsum[2l] + sc[2l+1] * bsum[2l+1]), the
     * 16-value scales given as {@link Decoded#sc}'s per-group lanes from {@code sco} (group l's lane 0 holds
     * sc[2l], lane 4 sc[2l+1]), the activations' 16-value sums from {@code so}.
     */
    static IntVector offsetLanes(int[] sc, int sco, float[] bsums, int so, int[] t) {
        for (int l = 0; l < 8; l++) {
            t[l] = 32 * (sc[sco + 8 * l] * (int) bsums[so + 2 * l] + sc[sco + 8 * l + 4] * (int) bsums[so + 2 * l + 1]);
        }
        return IntVector.fromArray(I, t, 0);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        QuantFormats.of(type).dequantize(data, row * rowBytes, cols, out, offset);
    }
}
