package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.GgufValueType;
import io.promptune.localmodel.gguf.GgufWriter;
import io.promptune.localmodel.gguf.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Converts a GGUF model to another type, like llama-quantize: reads any dequantizable file (F32, F16,
 * BF16 or a supported quantized type), picks each tensor's type with {@link QuantizationPlan}, copies
 * metadata with its stored types, sets general.file_type and general.quantization_version, and writes
 * tensor data streamed chunk by chunk.
 */
public final class ModelQuantizer {

    /** Told about each tensor just before it is written. */
    @FunctionalInterface
    public interface Progress {
        void tensor(int index, int count, QuantizationPlan.Entry entry);
    }

    public record Summary(long inputBytes, long outputBytes, List<QuantizationPlan.Entry> entries) {}

    private final int threads;

    public ModelQuantizer(int threads) {
        this.threads = Math.max(1, threads);
    }

    public ModelQuantizer() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** The decisions for {@code in} without writing anything. */
    public static List<QuantizationPlan.Entry> plan(GgufFile in, QuantTarget target) {
        List<QuantizationPlan.Input> inputs = new ArrayList<>();
        for (TensorInfo t : in.tensors().values()) inputs.add(new QuantizationPlan.Input(t.name(), t.shape(), t.type()));
        return QuantizationPlan.plan(inputs, target, layerCount(in));
    }

    public Summary quantize(Path inPath, Path outPath, QuantTarget target, Progress progress) throws IOException {
        if (Files.exists(outPath) && Files.isSameFile(inPath, outPath)) {
            throw new IllegalArgumentException(outPath + ": output would overwrite the input");
        }
        try (GgufFile in = GgufFile.open(inPath); ForkJoinPool pool = new ForkJoinPool(threads)) {
            List<QuantizationPlan.Entry> entries = plan(in, target);
            for (QuantizationPlan.Entry e : entries) {
                if (e.from() != e.to() && !QuantFormats.supports(e.from())) {
                    throw new GgufException(inPath, "tensor '" + e.name() + "' has type " + e.from()
                            + ", which cannot be converted (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
                }
            }
            GgufWriter w = new GgufWriter();
            for (String key : in.metadata().keySet()) w.copy(in, key);
            w.put("general.file_type", GgufValueType.UINT32, target.fileType());
            if (target.isQuantized()) w.put("general.quantization_version", GgufValueType.UINT32, 2);
            long inBytes = 0, outBytes = 0;
            for (int i = 0; i < entries.size(); i++) {
                QuantizationPlan.Entry e = entries.get(i);
                TensorInfo t = in.tensor(e.name());
                inBytes += t.byteSize();
                outBytes += e.to().byteSize(t.elementCount());
                int index = i;
                if (e.from() == e.to()) {
                    w.addTensor(e.name(), t.shape(), e.to(), sink -> {
                        progress.tensor(index, entries.size(), e);
                        sink.write(in.tensorData(t));
                    });
                } else {
                    long rowLen = t.shape()[0];
                    var encode = RowConverter.encode(RowConverter.dequantizing(in.tensorData(t), e.from(), rowLen),
                            rowLen, t.elementCount() / rowLen, e.to(), pool);
                    w.addTensor(e.name(), t.shape(), e.to(), sink -> {
                        progress.tensor(index, entries.size(), e);
                        encode.writeTo(sink);
                    });
                }
            }
            w.write(outPath);
            return new Summary(inBytes, outBytes, entries);
        }
    }

    /** {arch}.block_count, or the number of distinct blk.N prefixes when the key is missing. */
    static int layerCount(GgufFile in) {
        String arch = in.getString("general.architecture", null);
        if (arch != null && in.has(arch + ".block_count")) return in.getInt(arch + ".block_count");
        int max = -1;
        for (String name : in.tensors().keySet()) {
            if (name.startsWith("blk.")) {
                int dot = name.indexOf('.', 4);
                try {
                    max = Math.max(max, Integer.parseInt(name.substring(4, dot)));
                } catch (RuntimeException ignored) {
                    // not a layer tensor
                }
            }
        }
        return max + 1;
    }
}
