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
        int[] bounds = chunkBounds(totalRows, pool.threads());
        pool.forEach(bounds.length - 1, k -> {
            int lo = bounds[k], hi = bounds[k + 1];
            for (int i = 0; i < weights.length && lo < hi; i++) {
                int s = starts[i], e = starts[i + 1];
                if (hi <= s || lo >= e) continue;
                int r0 = Math.max(lo, s) - s, r1 = Math.min(hi, e) - s;
                weights[i].dotRows(r0, r1, acts[i], outs[i], 0);
            }
        });
    }

    /** Smallest chunk of rows: a multiple of 16 keeps chunks on the repacked kernels' 8-row groups and row pairs. */
    private static final int MIN_CHUNK = 16;

    /**
     * Chunk boundaries over [0, rows) for {@code threads} threads, shrinking towards the end ("guided"
     * scheduling): each chunk takes 1/(2 * threads) of the rows still left, at most 1/(8 * threads) of all rows
     * (so a worker descheduled on a busy machine holds up the section no longer than before) and at least
     * {@link #MIN_CHUNK}. Threads claim chunks in order, so the last ones to finish are small and the section's
     * tail (one thread done, the other still working) stays short. Equal chunks of 1/(8 * threads) left up to a
     * whole chunk idle at the end of every section (the 49152-row output matrix: 3072 rows, ~0.2 ms of one thread
     * per decode step). One thread takes everything as one chunk.
     */
    static int[] chunkBounds(int rows, int threads) {
        if (threads <= 1 || rows <= MIN_CHUNK) return new int[]{0, rows};
        int cap = Math.max(MIN_CHUNK, roundUp(rows / (8 * threads)));
        int[] b = new int[16];
        int n = 0, at = 0;
        while (at < rows) {
            int size = Math.max(MIN_CHUNK, Math.min(cap, roundUp((rows - at) / (2 * threads))));
            if (n + 2 > b.length) b = java.util.Arrays.copyOf(b, 2 * b.length);
            b[n++] = at;
            at = Math.min(rows, at + size);
        }
        b[n++] = rows;
        return java.util.Arrays.copyOf(b, n);
    }

    private static int roundUp(int n) {
        return (n + MIN_CHUNK - 1) / MIN_CHUNK * MIN_CHUNK;
    }
}
