package io.promptune.localmodel;

import io.promptune.localmodel.quant.QuantTarget;
import io.promptune.localmodel.quant.RandomModelWriter;
import io.promptune.localmodel.sampling.SamplingParams;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link KernelAllocationTest}: writes a small random-weight model of one quantisation type, runs
 * the engine's phases on it in cycles (a 32-token prompt, 16 tokens of single-sequence decode, lockstep decode of 4
 * and of 8 sequences) and prints each phase's heap bytes per token, all threads together (the Parallel workers
 * too). Whole forward passes rather than one matrix in a loop: whether a kernel's C2 compile boxes its vectors
 * depends on the profiles the engine's mix of calls leaves (one matrix timed alone compiled clean even for kernels
 * that box in the engine).
 *
 * <p>Interpreted and C1-compiled Vector API code allocates a vector object per operation until C2 has compiled it
 * (which can take many cycles on a busy machine, and C1 code looks steady meanwhile), so the probe does not wait
 * for a fixed number of cycles: from cycle {@link #MIN_CYCLES} on it stops at the first cycle in which every phase
 * is at most the limit ("clean"), and otherwise gives up after {@link #MAX_CYCLES} ("allocating"), reporting each
 * phase's least allocation over the last two cycles. A boxed C2 compile allocates on every call for the JVM's life.
 *
 * <p>Usage: {@code KernelAllocationProbe TYPE DIR LIMIT} (TYPE a {@link QuantTarget} name, the model is written to
 * DIR, LIMIT in bytes per token). Output lines: {@code CYCLE ...} per cycle, {@code PHASE name bytesPerToken},
 * {@code BITS} (the kernels' vector width) and {@code RESULT clean|allocating cycles}.
 */
public final class KernelAllocationProbe {
    /** The model: every matrix's rows and columns multiples of 256 (K-quant super-blocks) and of 16 (wide tiles). */
    static final RandomModelWriter.Shape SHAPE = new RandomModelWriter.Shape(256, 2, 4, 2, 768, 1024, 512);
    static final int PROMPT = 32, DECODE = 16, BATCH_PROMPT = 8, BATCH_GEN = 8;
    static final int[] BATCHES = {4, 8};
    static final int MIN_CYCLES = 4, MAX_CYCLES = 30;

    public static void main(String[] args) throws Exception {
        QuantTarget target = QuantTarget.parse(args[0]);
        Path model = Files.createDirectories(Path.of(args[1])).resolve("random-" + target + ".gguf");
        long limit = Long.parseLong(args[2]);
        new RandomModelWriter(2).write(SHAPE, target, null, 1, model, (i, n, e) -> { });
        SplittableRandom rnd = new SplittableRandom(7);
        Map<String, Long> previous = Map.of(), last = Map.of();
        int cycle = 0;
        boolean clean = false;
        try (LocalModel m = LocalModel.load(model, LocalModel.Options.defaults().withThreads(2).withPrefixCacheBytes(0))) {
            int vocab = m.info().vocabSize();
            for (; cycle < MAX_CYCLES && !clean; cycle++) {
                Map<String, Long> perToken = new LinkedHashMap<>();
                LocalModel.Session s = m.newSession();
                long b0 = allocated();
                s.feed(rnd.ints(PROMPT, 0, vocab).toArray());
                long b1 = allocated();
                for (int i = 0; i < DECODE; i++) s.feed(rnd.nextInt(vocab));
                long b2 = allocated();
                perToken.put("prefill", (b1 - b0) / PROMPT);
                perToken.put("decode", (b2 - b1) / DECODE);
                for (int n : BATCHES) {
                    List<GenerationRequest> reqs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        reqs.add(new GenerationRequest(rnd.ints(BATCH_PROMPT, 0, vocab).toArray(), null,
                                SamplingParams.greedy(), BATCH_GEN, List.of()));
                    }
                    long t0 = allocated();
                    m.generateBatch(reqs);
                    perToken.put("batch" + n, (allocated() - t0) / ((long) n * (BATCH_PROMPT + BATCH_GEN)));
                }
                System.out.println("CYCLE " + cycle + " " + perToken);
                clean = cycle >= MIN_CYCLES && perToken.values().stream().allMatch(v -> v <= limit);
                previous = last;
                last = perToken;
            }
        }
        Map<String, Long> least = new LinkedHashMap<>(last);
        if (!clean) previous.forEach((k, v) -> least.merge(k, v, Math::min));
        least.forEach((k, v) -> System.out.println("PHASE " + k + " " + v));
        System.out.println("BITS " + io.promptune.localmodel.tensor.VectorWidth.BITS);
        System.out.println("RESULT " + (clean ? "clean" : "allocating") + " " + cycle);
    }

    /** Heap bytes allocated by all threads since the JVM started. */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }
}
