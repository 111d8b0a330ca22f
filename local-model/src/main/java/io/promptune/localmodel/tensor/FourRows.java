package io.promptune.localmodel.tensor;

/**
 * A batch's Q8_K activation values ({@link Activations#q}) interleaved by fours for the K-quant batch kernels
 * ({@link Q4_KBatchKernel}, {@link Q6_KBatchKernel}): value i of activation row 4t + r at (t * cols + i) * 4 + r, so a
 * tile broadcasts its 4 rows' values from one base at constant offsets. One per thread, rebuilt when the batch changes.
 */
final class FourRows {
    private float[] x = new float[0];
    private Activations of;

    /** The first {@code rows} (a multiple of 4) rows of {@code a} interleaved, built once per thread and batch. */
    float[] of(Activations a, int rows) {
        if (of != a) {
            int cols = a.cols;
            if (x.length < rows * cols) x = new float[rows * cols];
            float[] q = a.q;
            for (int b = 0; b < rows; b += 4) {
                int o = b * cols, s = a.rowOffset(b);
                for (int i = 0; i < cols; i++) {
                    x[o + 4 * i] = q[s + i];
                    x[o + 4 * i + 1] = q[s + cols + i];
                    x[o + 4 * i + 2] = q[s + 2 * cols + i];
                    x[o + 4 * i + 3] = q[s + 3 * cols + i];
                }
            }
            of = a;
        }
        return x;
    }
}
