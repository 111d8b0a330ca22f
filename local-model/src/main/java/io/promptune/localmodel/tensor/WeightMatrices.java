package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/** The registry of supported weight types: one line per type. */
public final class WeightMatrices {
    /** Builds a matrix view over a tensor's mapped bytes. */
    @FunctionalInterface
    public interface Factory {
        WeightMatrix create(String name, int rows, int cols, MemorySegment data);
    }

    private static final Map<GgmlType, Factory> FACTORIES = new EnumMap<>(GgmlType.class);

    static {
        FACTORIES.put(GgmlType.F32, F32Matrix::new);
        FACTORIES.put(GgmlType.F16, F16Matrix::new);
        FACTORIES.put(GgmlType.Q8_0, Q8_0Matrix::new);
        FACTORIES.put(GgmlType.Q4_0, Q4_0Matrix::new);
        FACTORIES.put(GgmlType.Q4_1, Q4_1Matrix::new);
        FACTORIES.put(GgmlType.Q5_0, Q5_0Matrix::new);
        FACTORIES.put(GgmlType.Q5_1, Q5_1Matrix::new);
        FACTORIES.put(GgmlType.Q4_K, Q4_KMatrix::new);
        FACTORIES.put(GgmlType.Q5_K, Q5_KMatrix::new);
        FACTORIES.put(GgmlType.Q6_K, Q6_KMatrix::new);
        FACTORIES.put(GgmlType.BF16, BF16Matrix::new);
    }

    private WeightMatrices() { }

    public static boolean supports(GgmlType type) {
        return FACTORIES.containsKey(type);
    }

    /** A matrix over raw bytes (tests, tools). */
    public static WeightMatrix create(GgmlType type, String name, int rows, int cols, MemorySegment data) {
        Factory f = FACTORIES.get(type);
        if (f == null) throw new IllegalArgumentException(name + ": tensor type " + type + " is not supported; supported: " + FACTORIES.keySet());
        return f.create(name, rows, cols, data);
    }

    /** The tensor {@code name} of {@code file}, or a GgufException naming the file when it is missing or not {@code rows x cols}. */
    public static TensorInfo tensor(GgufFile file, String name, long rows, long cols) {
        TensorInfo t = file.tensor(name);
        long[] shape = t.shape();
        long tcols = shape[0];
        long trows = 1;
        for (int i = 1; i < shape.length; i++) trows *= shape[i];
        if (tcols != cols || trows != rows) {
            throw new GgufException(file.path(), "tensor '" + name + "' has shape " + java.util.Arrays.toString(shape)
                    + ", expected [" + cols + ", " + rows + "]");
        }
        return t;
    }

    /**
     * The tensor {@code name} of {@code file} as a matrix of {@code rows x cols} (ggml shape [cols, rows]),
     * or a GgufException naming the file when it is missing, mis-shaped or of an unsupported type.
     */
    public static WeightMatrix load(GgufFile file, String name, long rows, long cols) {
        TensorInfo t = tensor(file, name, rows, cols);
        if (!FACTORIES.containsKey(t.type())) {
            throw new GgufException(file.path(), "tensor '" + name + "' has type " + t.type()
                    + ", which this engine does not support (supported: " + FACTORIES.keySet() + ")");
        }
        MemorySegment data = file.tensorData(t);
        WeightMatrix m = create(t.type(), name, (int) rows, (int) cols, data);
        // Repacking read every mapped page; the kernels now read the copy, so keep the resident set near the file size.
        if (m.repacked() && data.isMapped()) data.unload();
        return m;
    }
}
