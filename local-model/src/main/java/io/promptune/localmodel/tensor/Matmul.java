package io.promptune.localmodel.tensor;

/**
 * Matrix x matrix products of one activation batch with several weight matrices in one parallel
 * section (e.g. Q, K and V; or gate and up), so the batch is quantized once per format and the
 * threads synchronise once.
 */
public final class Matmul {
    private Matmul() { }

    /** For each i: {@code outs[i] = in x weights[i]^T}. */
    public static void run(Parallel pool, FloatBatch in, WeightMatrix[] weights, FloatBatch[] outs) {
        run(pool, in, weights, outs, null);
    }

    /** As {@link #run(Parallel, FloatBatch, WeightMatrix[], FloatBatch[])}, preparing activations in {@code buffers} when given. */
    public static void run(Parallel pool, FloatBatch in, WeightMatrix[] weights, FloatBatch[] outs, Activations.Buffers buffers) {
        Activations[] acts = new Activations[weights.length];
        int totalRows = 0;
        for (int i = 0; i < weights.length; i++) {
            WeightMatrix w = weights[i];
            if (w.cols() != in.cols()) {
                throw new IllegalArgumentException(w + ": expects rows of " + w.cols() + " values, got " + in.cols());
            }
            if (outs[i].rows() != in.rows() || outs[i].cols() < w.rows()) {
                throw new IllegalArgumentException(w + ": output batch " + outs[i].rows() + "x" + outs[i].cols() + " too small");
            }
            ActivationFormat f = w.activationFormat();
            for (int j = 0; j < i && acts[i] == null; j++) {
                if (weights[j].activationFormat() == f) acts[i] = acts[j]; // quantized once per format
            }
            if (acts[i] == null) acts[i] = Activations.prepare(f, in, buffers, pool);
            totalRows += w.rows();
        }
        int[] starts = new int[weights.length + 1];
        for (int i = 0; i < weights.length; i++) starts[i + 1] = starts[i] + weights[i].rows();
        // Chunks of the concatenated row space; small enough for balance, large enough to amortise dispatch.
        int chunk = Math.max(16, totalRows / (pool.threads() * 8));
        chunk = (chunk + 15) & ~15;
        int chunks = (totalRows + chunk - 1) / chunk;
        final int c = chunk;
        pool.forEach(chunks, k -> {
            int lo = k * c, hi = Math.min(starts[weights.length], lo + c);
            for (int i = 0; i < weights.length && lo < hi; i++) {
                int s = starts[i], e = starts[i + 1];
                if (hi <= s || lo >= e) continue;
                int r0 = Math.max(lo, s) - s, r1 = Math.min(hi, e) - s;
                weights[i].dotRows(r0, r1, acts[i], outs[i], 0);
            }
        });
    }
}
