package io.promptune.localmodel.tensor;

/**
 * A batch's quantized activation values ({@link Activations#q}) interleaved by fours for the batch kernels that
 * broadcast them ({@link Q4_KBatchKernel}, {@link Q6_KBatchKernel}, {@link Q4_0Wide}): value i of activation row 4t + r at (t * cols + i) * 4 + r, so a
 * tile broadcasts its 4 rows' values from one base at constant offsets. One per thread, rebuilt when the batch changes.
 */
final class FourRows {
    private float[] x = new float[0];
    private Activations of;
    private int ofRows;

    /**
     * The first {@code rows} (a multiple of 4) rows of {@code a} interleaved, built once per thread, batch and row
     * count; rows past the batch's last are copies of the last (padding for kernels that run four rows at a time).
     */
    float[] of(Activations a, int rows) {
        if (of != a || ofRows != rows) {
            int cols = a.cols;
            if (x.length < rows * cols) x = new float[rows * cols];
            float[] q = a.q;
            for (int b = 0; b < rows; b += 4) {
                int o = b * cols, s0 = a.rowOffset(Math.min(b, a.rows - 1)), s1 = a.rowOffset(Math.min(b + 1, a.rows - 1));
                int s2 = a.rowOffset(Math.min(b + 2, a.rows - 1)), s3 = a.rowOffset(Math.min(b + 3, a.rows - 1));
                for (int i = 0; i < cols; i++) {
                    x[o + 4 * i] = q[s0 + i];
                    x[o + 4 * i + 1] = q[s1 + i];
                    x[o + 4 * i + 2] = q[s2 + i];
                    x[o + 4 * i + 3] = q[s3 + i];
                }
            }
            of = a;
            ofRows = rows;
        }
        return x;
    }
}
