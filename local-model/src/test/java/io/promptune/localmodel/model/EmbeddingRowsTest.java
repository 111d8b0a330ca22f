package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.GgufWriter;
import io.promptune.localmodel.quant.QuantFormats;
import io.promptune.localmodel.tensor.WeightMatrices;
import io.promptune.localmodel.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Untied token embeddings are decoded from the mapped file: the same floats as the weight matrices' rows. */
class EmbeddingRowsTest {
    private static final int ROWS = 5, COLS = 512; // an odd row count: Q8_0's unpaired last row, Q4_1's partial group

    @TempDir
    Path dir;

    @Test
    void mappedRowsEqualTheMatricesRowsBitForBit() throws IOException {
        Random rnd = new Random(7);
        GgufWriter w = new GgufWriter();
        int tested = 0;
        for (GgmlType type : GgmlType.values()) {
            if (!WeightMatrices.supports(type) || !QuantFormats.supports(type)) continue;
            float[] x = new float[ROWS * COLS];
            // rows of different scales and means: large, small (subnormal halves) and offset values (Q*_1/K minimums)
            for (int i = 0; i < x.length; i++) {
                int r = i / COLS;
                x[i] = (float) ((rnd.nextGaussian() + (r - 2) * 0.7) * Math.pow(10, r - 3));
            }
            w.addTensor(type.name(), new long[]{COLS, ROWS}, type, MemorySegment.ofArray(QuantFormats.of(type).quantize(x)));
            tested++;
        }
        Path file = dir.resolve("embeddings.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            for (String name : f.tensors().keySet()) {
                WeightMatrix m = WeightMatrices.load(f, name, ROWS, COLS);
                EmbeddingRows mapped = EmbeddingRows.mapped(f, name, ROWS, COLS);
                for (int r = 0; r < ROWS; r++) {
                    float[] want = new float[COLS + 3], got = new float[COLS + 3];
                    m.dequantizeRow(r, want, 3);
                    mapped.dequantizeRow(r, got, 3);
                    assertArrayEquals(bits(want), bits(got), name + " row " + r);
                }
            }
            if (f.tensors().size() != tested || tested < 11) throw new AssertionError(tested + " types");
            assertThrows(GgufException.class, () -> EmbeddingRows.mapped(f, "Q8_0", ROWS + 1, COLS));
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
