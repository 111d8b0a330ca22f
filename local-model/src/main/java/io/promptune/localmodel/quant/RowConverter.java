package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufWriter;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Streams a tensor into a GGUF file row chunk by row chunk: each chunk's rows are produced as floats
 * and encoded in parallel, then written in order, so memory stays bounded whatever the tensor size.
 */
final class RowConverter {
    /** Produces row {@code row} ({@code rowLength} floats) into {@code dst[off..]}. */
    @FunctionalInterface
    interface RowSource {
        void row(long row, float[] dst, int off);
    }

    private static final int CHUNK_ELEMENTS = 1 << 21;

    private RowConverter() {}

    static GgufWriter.TensorContent encode(RowSource source, long rowLength, long rows, GgmlType to, ForkJoinPool pool) {
        QuantFormat out = QuantFormats.of(to);
        int rowLen = Math.toIntExact(rowLength);
        int rowBytes = Math.toIntExact(out.byteSize(rowLen));
        int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_ELEMENTS / rowLen));
        return sink -> {
            byte[] bytes = new byte[chunkRows * rowBytes];
            MemorySegment seg = MemorySegment.ofArray(bytes);
            for (long first = 0; first < rows; first += chunkRows) {
                int n = (int) Math.min(chunkRows, rows - first);
                long base = first;
                Runnable work = () -> IntStream.range(0, n).parallel().forEach(r -> {
                    float[] x = new float[rowLen];
                    source.row(base + r, x, 0);
                    out.quantize(x, 0, rowLen, seg, (long) r * rowBytes);
                });
                try {
                    pool.submit(work).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    throw new IOException(c);
                }
                sink.write(bytes, 0, n * rowBytes);
            }
        };
    }

    /** Rows read from an existing tensor of any supported type. */
    static RowSource dequantizing(MemorySegment data, GgmlType from, long rowLength) {
        QuantFormat in = QuantFormats.of(from);
        long rowBytes = in.byteSize(rowLength);
        int rowLen = Math.toIntExact(rowLength);
        return (row, dst, off) -> in.dequantize(data, row * rowBytes, rowLen, dst, off);
    }
}
