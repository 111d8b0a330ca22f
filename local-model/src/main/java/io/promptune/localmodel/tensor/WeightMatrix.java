package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A weight matrix of {@code rows x cols} stored in a ggml type, read in place from the memory-mapped
 * GGUF file (never copied onto the heap). Row {@code r} holds the weights producing output {@code r};
 * its bytes start at {@code r * rowBytes()}.
 *
 * <p><b>Adding a tensor type</b> is one subclass plus one line in {@link WeightMatrices}: implement
 * {@link #activationFormat()} (ggml's vec_dot_type for the type), {@link #dot} (the Vector API kernel),
 * {@link #dotReference} (a plain scalar version the tests compare it with) and {@link #dequantizeRow};
 * optionally override {@link #dotRows} to decode each weight block once for several activation rows.
 */
public abstract class WeightMatrix {
    protected static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected final String name;
    protected final GgmlType type;
    protected final int rows;
    protected final int cols;
    protected final MemorySegment data;
    protected final long rowBytes;

    protected WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns is not a multiple of " + type
                    + "'s block size " + type.blockSize());
        }
        this.name = name;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.rowBytes = type.byteSize(cols);
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes cannot hold " + rows + "x" + cols + " " + type);
        }
    }

    public String name() { return name; }

    public GgmlType type() { return type; }

    public int rows() { return rows; }

    public int cols() { return cols; }

    public long rowBytes() { return rowBytes; }

    /**
     * True when the kernels read a copy of the tensor made at load time (a repacked layout) rather than the
     * mapped bytes, so the loader can drop the mapped pages from the resident set (reads of the mapped bytes,
     * e.g. by {@link #dotReference}, still work: the pages fault back in).
     */
    public boolean repacked() { return false; }

    /** The format activations must be prepared in before {@link #dot} (ggml's vec_dot_type). */
    public abstract ActivationFormat activationFormat();

    /** Dot product of weight row {@code row} with activation row {@code b} of {@code a}: the Vector API kernel. */
    public abstract float dot(int row, Activations a, int b);

    /** The same dot product computed with plain scalar code, as the reference the kernel is tested against. */
    public abstract float dotReference(int row, Activations a, int b);

    /** Writes row {@code row}'s {@code cols()} values as floats into {@code out} at {@code offset}. */
    public abstract void dequantizeRow(int row, float[] out, int offset);

    /**
     * Computes {@code out[b][outCol0 + r] = dot(r, a, b)} for weight rows {@code r} in [r0, r1) and every
     * activation row b. The weight-row loop is outside and the batch loop inside, so each row's bytes
     * come from memory once per batch. Subclasses may override to share block decoding across rows.
     */
    public void dotRows(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        if (a.rows >= 2 && this instanceof BlockRowKernel.Decoder d) {
            BlockRowKernel.dotRows(this, d, r0, r1, a, out, outCol0);
            return;
        }
        dotEach(r0, r1, a, out, outCol0);
    }

    /**
     * {@link #dotRows} one dot product at a time. The hot types override it with this same loop so that
     * each gets its own compiled copy calling only its own {@link #dot}: a shared copy sees several types,
     * inlines them all and outgrows the JIT's inlining budget, leaving Vector API calls un-intrinsified.
     */
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    /** {@code out = in x this^T}: out has one row per input row and {@code rows()} columns. */
    public void matmul(FloatBatch in, FloatBatch out, Parallel pool) {
        Matmul.run(pool, in, new WeightMatrix[]{this}, new FloatBatch[]{out});
    }

    protected final float half(long offset) {
        return Float.float16ToFloat(data.get(SHORT_LE, offset));
    }

    @Override
    public String toString() {
        return name + " " + type + " " + rows + "x" + cols;
    }
}
