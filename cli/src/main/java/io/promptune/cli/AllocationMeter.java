package io.promptune.cli;

import java.lang.management.ManagementFactory;

/**
 * Heap allocation and garbage collections over the measured repetitions of a bench run, and the verdict on them.
 * The engine's kernels allocate nothing per token once C2 has compiled them; a kernel whose compile boxed its
 * vectors allocates on every vector operation (hundreds of MB to GBs per token) and runs 2-6x slower for the rest
 * of the JVM's life (docs/dev-notes/speed.md, session 11 jit). Bytes rather than collections decide, because the
 * number of collections depends on the young generation's size (the launcher's -Xmn32m vs a plain java -jar).
 * Each phase (pp/tg, each batch size) is judged on its last repetition: code still waiting for its C2 compile on a
 * busy machine allocates too, but less and only until the compile lands; a boxed compile stays.
 */
final class AllocationMeter {
    /**
     * Heap bytes per token in a phase's last repetition above which the run is reported as a boxed compile.
     * Measured (session 11, launcher flags, 2 threads, load 8-18, fresh JVMs): normal runs 0.02-1.9 MB per token;
     * bad compiles 6.3 and 40 MB (Q4_0 batches of 8-16 at 7-26 instead of ~60 tokens/s, session 10's reverted
     * register tiles) to 4-7 GB (TinyLlama Q4_K_M with session 10's reverted lockstep GEMV) per token.
     */
    static final long SUSPECT_BYTES_PER_TOKEN = 4L << 20;

    private final boolean supported = allocatedBytes() >= 0;
    private long collections, tokens, startBytes, startCollections, worstLast = -1;
    private long lastBytes, lastTokens;

    /** Starts a measured repetition. */
    void begin() {
        startBytes = allocatedBytes();
        startCollections = collectionsSoFar();
    }

    /** Ends a measured repetition in which the model processed {@code tokens} tokens (prompt and generated). */
    void end(long tokens) {
        lastBytes = allocatedBytes() - startBytes;
        lastTokens = tokens;
        collections += collectionsSoFar() - startCollections;
        this.tokens += tokens;
    }

    /** Ends a phase: its last repetition counts towards the verdict. */
    void endPhase() {
        if (lastTokens > 0) worstLast = Math.max(worstLast, lastBytes / lastTokens);
        lastTokens = 0;
    }

    long tokens() {
        return tokens;
    }

    long collections() {
        return collections;
    }

    /** The largest heap allocation per token of any phase's last repetition, or -1 where not measurable. */
    long bytesPerToken() {
        return supported ? worstLast : -1;
    }

    /** Collections per measured token. */
    double collectionsPerToken() {
        return tokens > 0 ? (double) collections / tokens : 0;
    }

    /** Whether heap allocation per token says a kernel runs with boxed vectors. */
    static boolean boxedSuspect(long bytesPerToken) {
        return bytesPerToken > SUSPECT_BYTES_PER_TOKEN;
    }

    /** All threads' heap allocation since the JVM started, or -1 where not supported. */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** Collections so far over every collector of this JVM. */
    private static long collectionsSoFar() {
        long count = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) count += Math.max(0, gc.getCollectionCount());
        return count;
    }
}
