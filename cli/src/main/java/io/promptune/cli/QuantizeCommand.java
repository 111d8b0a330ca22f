package io.promptune.cli;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.quant.ModelQuantizer;
import io.promptune.localmodel.quant.QuantTarget;
import io.promptune.localmodel.quant.QuantizationPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Converts a GGUF model to another tensor type with llama.cpp's rounding (like llama-quantize).",
                "TYPE is one of F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K (every weight matrix",
                "in that type) or Q4_K_M (llama.cpp's mix: Q4_K with Q6_K for output.weight and some attn_v/ffn_down).",
                "Norms and 1-D tensors keep their type; rows that do not fit a block fall back as llama.cpp does.",
                "Progress goes to stderr."},
        footer = {"", "Example:", "  promptune quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M"})
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "input GGUF (F32, F16, BF16 or a supported quantized type)")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output GGUF to write")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", description = "target type, e.g. Q4_K_M")
    String type;

    @Option(names = "--threads", description = "worker threads (default: all processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--dry-run", description = "print each tensor's planned type and the output size, write nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        QuantTarget target;
        try {
            target = QuantTarget.parse(type);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (!Files.isRegularFile(in)) throw new Main.UserError(in + ": no such file");
        PrintStream err = System.err;
        try {
            if (dryRun) return dryRun(target, err);
            if (Files.exists(out) && Files.isSameFile(in, out)) throw new Main.UserError(out + ": output would overwrite the input");
            long start = System.nanoTime();
            ModelQuantizer.Summary s = new ModelQuantizer(threads).quantize(in, out, target,
                    (i, n, e) -> err.println(line(i, n, e)));
            err.printf("%s: %.2f MiB -> %.2f MiB in %.1f s%n", out, s.inputBytes() / 1048576.0, s.outputBytes() / 1048576.0,
                    (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (GgufException e) {
            throw new Main.UserError(e.getMessage());
        } catch (IOException e) {
            throw new Main.UserError("cannot write " + out + ": " + e.getMessage(), Main.EXIT_FAILED);
        }
    }

    private int dryRun(QuantTarget target, PrintStream err) {
        try (GgufFile f = GgufFile.open(in)) {
            var plan = ModelQuantizer.plan(f, target);
            long bytes = 0;
            for (int i = 0; i < plan.size(); i++) {
                var e = plan.get(i);
                err.println(line(i, plan.size(), e));
                bytes += e.to().byteSize(Arrays.stream(e.shape()).reduce(1, (a, b) -> a * b));
            }
            err.printf("would write about %.2f MiB of tensor data%n", bytes / 1048576.0);
            return 0;
        }
    }

    private static String line(int i, int n, QuantizationPlan.Entry e) {
        return String.format("[%4d/%d] %-32s %-5s -> %-5s %s%s", i + 1, n, e.name(), e.from(), e.to(),
                Arrays.toString(e.shape()), e.note().isEmpty() ? "" : "  (" + e.note() + ")");
    }
}
