package io.promptune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.localmodel.GenerationRequest;
import io.promptune.localmodel.GenerationResult;
import io.promptune.localmodel.LocalModel;
import io.promptune.localmodel.TokenListener;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.sampling.SamplingParams;
import io.promptune.localmodel.tensor.VectorWidth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Engine throughput in llama-bench's terms: prompt processing (pp) and token generation (tg) of one
 * sequence, plus aggregate generation speed of N sequences decoded together (llama-batched-bench's
 * S_TG). Prompts are random token ids so no prefix is reused and the figures compare with llama.cpp's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures the local engine's tokens per second on a GGUF model: prompt processing,",
                "single-sequence decoding and (with --batch) aggregate decoding of N sequences at once.",
                "Run it on a quiet machine; bench/run-engine-bench.sh runs it beside llama.cpp."},
        footer = {"", "Examples:", "  promptune bench --model model.gguf --threads 2",
                "  promptune bench --model model.gguf --batch 1,4,8,16 --json"})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model (default: the default model)")
    Path model;

    @Option(names = "--threads", description = "worker threads (default: ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--prompt-tokens", description = "prompt length for pp (default: ${DEFAULT-VALUE})")
    int promptTokens = 128;

    @Option(names = "--gen-tokens", description = "tokens generated for tg (default: ${DEFAULT-VALUE})")
    int genTokens = 64;

    @Option(names = "--batch", split = ",", paramLabel = "N", description = "batch sizes for aggregate decoding, e.g. 1,4,8,16")
    List<Integer> batch = new ArrayList<>();

    @Option(names = "--batch-prompt", description = "prompt tokens per sequence in batched runs (default: ${DEFAULT-VALUE})")
    int batchPrompt = 128;

    @Option(names = "--batch-gen", description = "tokens generated per sequence in batched runs (default: ${DEFAULT-VALUE})")
    int batchGen = 32;

    @Option(names = "--reps", description = "measured repetitions after one warm-up; the median is reported (default: ${DEFAULT-VALUE})")
    int reps = 3;

    @Option(names = "--json", description = "print one JSON object (prefill_tps, decode_tps, aggregate_tps)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 1 || genTokens < 1 || reps < 1 || batchPrompt < 1 || batchGen < 1 || threads < 1) {
            throw new Main.UserError("--prompt-tokens, --gen-tokens, --batch-prompt, --batch-gen, --reps and --threads must be >= 1");
        }
        for (int n : batch) if (n < 1) throw new Main.UserError("--batch sizes must be >= 1, got " + n);
        Path file = model != null ? model : DefaultModel.ensure(System.err);
        if (!Files.isRegularFile(file)) throw new Main.UserError(file + ": no such file");
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("engine", "promptune");
        out.put("model", file.toString());
        out.put("threads", threads);
        out.put("vector_bits", VectorWidth.BITS); // the kernels' width on this machine (256: AVX2, 512: AVX-512)
        // No prefix cache: every measured prompt must be computed, as in llama-bench.
        LocalModel.Options opts = LocalModel.Options.defaults().withThreads(threads).withPrefixCacheBytes(0);
        try (LocalModel m = LocalModel.load(file, opts)) {
            int vocab = m.info().vocabSize();
            SplittableRandom rnd = new SplittableRandom(42);
            double[] pp = new double[reps], tg = new double[reps], ppCpu = new double[reps], tgCpu = new double[reps];
            long kvBytes = 0; // the most the KV caches held at once
            long[] gcAtStart = collections();
            AllocationMeter measured = new AllocationMeter(); // the measured repetitions only: warm-ups compile
            for (int r = -1; r < reps; r++) {
                LocalModel.Session s = m.newSession();
                int[] prompt = rnd.ints(promptTokens, 0, vocab).toArray();
                if (r >= 0) measured.begin();
                long t0 = System.nanoTime(), c0 = processCpuNanos();
                s.feed(prompt);
                long t1 = System.nanoTime(), c1 = processCpuNanos();
                for (int i = 0; i < genTokens; i++) s.feed(rnd.nextInt(vocab));
                long t2 = System.nanoTime(), c2 = processCpuNanos();
                if (r >= 0) measured.end(promptTokens + genTokens);
                kvBytes = Math.max(kvBytes, s.kvCacheBytes());
                if (r >= 0) {
                    pp[r] = promptTokens / ((t1 - t0) / 1e9);
                    tg[r] = genTokens / ((t2 - t1) / 1e9);
                    ppCpu[r] = (c1 - c0) / 1e6 / promptTokens;
                    tgCpu[r] = (c2 - c1) / 1e6 / genTokens;
                }
                progress("pp/tg run " + (r + 2) + "/" + (reps + 1));
            }
            measured.endPhase();
            out.put("prefill_tps", median(pp));
            out.put("decode_tps", median(tg));
            // CPU time per token (all threads, spinning included): comparable across engines even on a busy machine.
            out.put("prefill_cpu_ms_per_token", median(ppCpu));
            out.put("decode_cpu_ms_per_token", median(tgCpu));
            out.put("kv_cache_bytes_per_token", m.kvCacheBytesPerToken());
            if (!batch.isEmpty()) {
                ObjectNode agg = out.putObject("aggregate_tps");
                ObjectNode aggCpu = out.putObject("aggregate_cpu_ms_per_token");
                for (int n : batch) {
                    double[] runs = new double[reps], cpuRuns = new double[reps];
                    for (int r = -1; r < reps; r++) {
                        List<GenerationRequest> reqs = new ArrayList<>();
                        List<TokenListener> listeners = new ArrayList<>();
                        // Each sequence's first token is sampled when the prompts are done: the latest marks the decode's start.
                        long[] decodeStartCpu = {0};
                        for (int i = 0; i < n; i++) {
                            reqs.add(new GenerationRequest(rnd.ints(batchPrompt, 0, vocab).toArray(), null,
                                    SamplingParams.greedy(), batchGen, List.of()));
                            boolean[] first = {true};
                            listeners.add((id, delta) -> {
                                if (first[0]) {
                                    first[0] = false;
                                    decodeStartCpu[0] = Math.max(decodeStartCpu[0], processCpuNanos());
                                }
                            });
                        }
                        if (r >= 0) measured.begin();
                        long t0 = System.nanoTime();
                        List<GenerationResult> res = m.generateBatch(reqs, listeners);
                        long wall = System.nanoTime() - t0, cpuEnd = processCpuNanos();
                        if (r >= 0) measured.end((long) n * batchPrompt + res.stream().mapToLong(GenerationResult::generatedTokens).sum());
                        // The prompts run before the lockstep decode: subtract their time (their shares add up to it).
                        long prompts = res.stream().mapToLong(GenerationResult::promptNanos).sum();
                        long tokens = res.stream().mapToLong(GenerationResult::generatedTokens).sum();
                        if (r >= 0) {
                            runs[r] = tokens / ((wall - prompts) / 1e9);
                            cpuRuns[r] = (cpuEnd - decodeStartCpu[0]) / 1e6 / Math.max(1, tokens - n);
                        }
                        kvBytes = Math.max(kvBytes, m.pooledKvCacheBytes()); // every sequence's cache is back in the pool
                        progress("batch " + n + " run " + (r + 2) + "/" + (reps + 1));
                    }
                    measured.endPhase();
                    agg.put(String.valueOf(n), median(runs));
                    aggCpu.put(String.valueOf(n), median(cpuRuns));
                }
            }
            out.put("model_file_bytes", Files.size(file));
            out.put("kv_cache_bytes", kvBytes);
            long[] gcAtEnd = collections();
            // Kernels allocate nothing per token: a jump in collections means a C2 compile boxed a kernel's vectors
            // (docs/dev-notes/speed.md), which costs 20-30% CPU and is otherwise invisible in the figures.
            out.put("gc_collections", gcAtEnd[0] - gcAtStart[0]);
            out.put("gc_ms", gcAtEnd[1] - gcAtStart[1]);
            boxedCompileCheck(measured, out);
            memoryFigures(out);
        } catch (GgufException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (json) {
            System.out.println(out);
        } else {
            System.out.printf("model %s, %d threads%n", file, threads);
            System.out.printf("  pp%-4d %8.1f tokens/s%n", promptTokens, out.get("prefill_tps").asDouble());
            System.out.printf("  tg%-4d %8.1f tokens/s%n", genTokens, out.get("decode_tps").asDouble());
            System.out.printf("  cpu per token: prompt %.2f ms, decode %.2f ms%n", out.get("prefill_cpu_ms_per_token").asDouble(),
                    out.get("decode_cpu_ms_per_token").asDouble());
            if (out.has("peak_rss_bytes")) {
                double peak = out.get("peak_rss_bytes").asDouble(), fileBytes = out.get("model_file_bytes").asDouble();
                double kv = out.get("kv_cache_bytes").asDouble();
                System.out.printf("  memory: peak resident %.1f MiB = model file %.1f MiB + KV cache %.1f MiB (at most, %.1f KiB"
                                + " per token) + %.1f MiB rest (JVM, heap, activations)%n", peak / (1 << 20), fileBytes / (1 << 20),
                        kv / (1 << 20), out.get("kv_cache_bytes_per_token").asDouble() / 1024, (peak - fileBytes - kv) / (1 << 20));
            }
            System.out.printf("  garbage collections while measuring: %d (%d ms); heap allocated per token: %s%n",
                    out.get("gc_collections").asLong(), out.get("gc_ms").asLong(), bytesPerTokenText(out));
            if (out.has("aggregate_tps")) {
                out.get("aggregate_tps").properties().forEach(e ->
                        System.out.printf("  batch %-3s %8.1f tokens/s aggregate, decode cpu %.2f ms per token%n", e.getKey(),
                                e.getValue().asDouble(), out.get("aggregate_cpu_ms_per_token").get(e.getKey()).asDouble()));
            }
        }
        return 0;
    }

    /**
     * Allocation and collections per token over the measured repetitions, and a loud stderr warning when they
     * say a kernel's C2 compile boxed its vectors: such a run's figures measure the JIT's bad luck, not the engine.
     */
    static void boxedCompileCheck(AllocationMeter measured, ObjectNode out) {
        long perToken = measured.bytesPerToken();
        out.put("measured_tokens", measured.tokens());
        out.put("measured_gc_collections", measured.collections());
        out.put("gc_per_token", measured.collectionsPerToken());
        if (perToken < 0) return; // this JVM does not count allocation: no verdict
        out.put("alloc_bytes_per_token", perToken);
        boolean suspect = AllocationMeter.boxedSuspect(perToken);
        out.put("boxed_suspect", suspect);
        if (suspect) {
            System.err.printf("%nWARNING: BOXED VECTOR COMPILE SUSPECTED: %.1f MB of heap allocated per token while measuring"
                            + " (normal runs: well under %.0f MB; %d collections in %d tokens). A kernel's C2 compile boxed its"
                            + " vectors: these figures are not the engine's speed. Run again in a fresh JVM.%n",
                    perToken / 1e6, AllocationMeter.SUSPECT_BYTES_PER_TOKEN / 1e6, measured.collections(), measured.tokens());
        }
    }

    private static String bytesPerTokenText(ObjectNode out) {
        if (!out.has("alloc_bytes_per_token")) return "not measured";
        return String.format("%.1f KB%s", out.get("alloc_bytes_per_token").asLong() / 1e3,
                out.get("boxed_suspect").asBoolean() ? " (BOXED VECTOR COMPILE SUSPECTED)" : "");
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0L;
    }

    /** Collections so far and their total time in ms, over every collector of this JVM. */
    private static long[] collections() {
        long count = 0, ms = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, ms};
    }

    /** Resident set now and at its peak (Linux /proc/self/status; absent elsewhere). */
    private static void memoryFigures(ObjectNode out) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                String[] f = line.split("\\s+");
                if (f.length >= 2 && (f[0].equals("VmRSS:") || f[0].equals("VmHWM:"))) {
                    out.put(f[0].equals("VmRSS:") ? "rss_bytes" : "peak_rss_bytes", Long.parseLong(f[1]) * 1024);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no memory figures
        }
    }

    private static void progress(String what) {
        System.err.print("\r" + what + "   ");
        System.err.flush();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
