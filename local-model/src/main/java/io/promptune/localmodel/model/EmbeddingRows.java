package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.TensorInfo;
import io.promptune.localmodel.quant.QuantFormat;
import io.promptune.localmodel.quant.QuantFormats;
import io.promptune.localmodel.tensor.WeightMatrices;
import io.promptune.localmodel.tensor.WeightMatrix;

import java.lang.foreign.MemorySegment;

/** The token embedding table: one row of floats per token id. */
@FunctionalInterface
interface EmbeddingRows {
    /** Writes token {@code row}'s embedding into {@code out} at {@code offset}. */
    void dequantizeRow(int row, float[] out, int offset);

    /** Rows of a matrix the model also multiplies by (tied embeddings: the output matrix's copy). */
    static EmbeddingRows of(WeightMatrix m) {
        return m::dequantizeRow;
    }

    /**
     * Rows decoded straight from the mapped file, for a table that is only looked up (untied embeddings): a
     * weight matrix would copy the whole table onto the heap (TinyLlama Q8_0: 66 MiB) while a prompt reads a few
     * rows, whose pages the OS can drop again. The type's codec decodes exactly as the matrices' dequantizeRow.
     */
    static EmbeddingRows mapped(GgufFile f, String name, long rows, long cols) {
        TensorInfo t = WeightMatrices.tensor(f, name, rows, cols);
        if (!QuantFormats.supports(t.type())) {
            throw new GgufException(f.path(), "tensor '" + name + "' has type " + t.type()
                    + ", which this engine cannot decode");
        }
        QuantFormat format = QuantFormats.of(t.type());
        MemorySegment data = f.tensorData(t);
        long rowBytes = format.byteSize(cols);
        int n = Math.toIntExact(cols);
        return (row, out, offset) -> format.dequantize(data, row * rowBytes, n, out, offset);
    }
}
