package io.promptune.bench;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import io.promptune.localmodel.tensor.Activations;
import io.promptune.localmodel.tensor.FloatBatch;
import io.promptune.localmodel.tensor.Parallel;
import io.promptune.localmodel.tensor.WeightMatrices;
import io.promptune.localmodel.tensor.WeightMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Per-type kernel speed on one thread: a matrix-vector product (one decode step through a
 * 2048x2048 weight matrix, TinyLlama's attn_q shape) and the activation preparation it needs.
 * Weights are Gaussian values quantized with the llama.cpp-exact codecs. Report as GB/s of weight
 * bytes with {@code bytesPerOp} (printed at setup) divided by the time per op.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "bench/target/classes:$(cat bench/target/cp.txt)" \
 *   org.openjdk.jmh.Main QuantKernelBenchmark -p type=Q4_K
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QuantKernelBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"2048"})
    public int rows;

    @Param({"2048"})
    public int cols;

    /** Activation rows for {@link #matmulBatch} (64 ~ a prompt chunk; 1 = the decode path). */
    @Param({"64"})
    public int batch;

    private WeightMatrix w;
    private FloatBatch in;
    private FloatBatch out;
    private Activations act;
    private FloatBatch inBatch;
    private FloatBatch outBatch;
    private Parallel pool;
    private final Arena arena = Arena.ofShared();

    @Setup(Level.Trial)
    public void setup() {
        GgmlType t = GgmlType.valueOf(type);
        Random rnd = new Random(1);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 0.02);
        byte[] q = QuantFormats.of(t).quantize(x);
        // native memory, like the mapped GGUF the engine reads (heap segments take slower paths)
        MemorySegment bytes = arena.allocate(q.length, 64).copyFrom(MemorySegment.ofArray(q));
        w = WeightMatrices.create(t, type, rows, cols, bytes);
        in = new FloatBatch(1, cols);
        for (int i = 0; i < cols; i++) in.data()[i] = (float) rnd.nextGaussian();
        out = new FloatBatch(1, rows);
        act = w.activationFormat().prepare(in);
        inBatch = new FloatBatch(batch, cols);
        for (int i = 0; i < inBatch.data().length; i++) inBatch.data()[i] = (float) rnd.nextGaussian();
        outBatch = new FloatBatch(batch, rows);
        pool = new Parallel(1);
        System.out.println("# " + type + " bytesPerOp " + bytes.byteSize());
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
        arena.close();
    }

    /** All rows against one prepared activation row: the kernel alone. */
    @Benchmark
    public void matvecKernel(Blackhole bh) {
        float s = 0;
        for (int r = 0; r < rows; r++) s += w.dot(r, act, 0);
        bh.consume(s);
    }

    /** The same through WeightMatrix.matmul: activation preparation included, one thread. */
    @Benchmark
    public void matvecWithActivationPrep(Blackhole bh) {
        w.matmul(in, out, pool);
        bh.consume(out.data()[0]);
    }

    /** A batch of {@code batch} activation rows through WeightMatrix.matmul (the prefill kernels), one thread. */
    @Benchmark
    public void matmulBatch(Blackhole bh) {
        w.matmul(inBatch, outBatch, pool);
        bh.consume(outBatch.data()[0]);
    }
}
