package io.promptune.localmodel.tensor;

/**
 * A batch of activation rows ({@code rows x cols}, row-major, on the heap): the prompt's tokens
 * during prefill, or one row per sequence during batched decoding.
 */
public final class FloatBatch {
    private final int rows;
    private final int cols;
    private final float[] data;

    public FloatBatch(int rows, int cols) {
        this(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    public FloatBatch(int rows, int cols, float[] data) {
        if (data.length < (long) rows * cols) throw new IllegalArgumentException("data too short for " + rows + "x" + cols);
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** The backing array; row {@code r} starts at {@code r * cols()}. */
    public float[] data() { return data; }

    public int offset(int row) { return row * cols; }

    public float get(int row, int col) { return data[row * cols + col]; }

    public void set(int row, int col, float v) { data[row * cols + col] = v; }

    /** A copy of one row. */
    public float[] row(int row) {
        float[] out = new float[cols];
        System.arraycopy(data, row * cols, out, 0, cols);
        return out;
    }
}
