package io.promptune.localmodel.tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test data and the vector-vs-scalar check shared by the kernel tests of every weight type. */
final class KernelChecks {
    private KernelChecks() { }

    /** Gaussian activations whose scale varies with the column, so blocks get different maxima. */
    static FloatBatch randomBatch(int rows, int cols, Random rnd) {
        FloatBatch b = new FloatBatch(rows, cols);
        for (int i = 0; i < b.data().length; i++) b.data()[i] = (float) (rnd.nextGaussian() * (1 + (i % 7)));
        return b;
    }

    /**
     * The Vector API dot equals the scalar reference for every row of {@code w} and every activation row
     * of {@code in}, within 2e-6 of the absolute sum of the products (summation order differs).
     */
    static void assertVectorMatchesReference(WeightMatrix w, FloatBatch in, String label) {
        int cols = in.cols();
        Activations a = w.activationFormat().prepare(in);
        float[] deq = new float[cols];
        for (int r = 0; r < w.rows(); r++) {
            w.dequantizeRow(r, deq, 0);
            for (int b = 0; b < in.rows(); b++) {
                double absSum = 0;
                for (int i = 0; i < cols; i++) absSum += Math.abs(deq[i] * in.get(b, i));
                float ref = w.dotReference(r, a, b);
                float vec = w.dot(r, a, b);
                assertEquals(ref, vec, 2e-6 * absSum + 1e-6, label + " cols=" + cols + " row " + r + " batch " + b);
            }
        }
    }
}
