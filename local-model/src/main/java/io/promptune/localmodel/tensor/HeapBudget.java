package io.promptune.localmodel.tensor;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a weight matrix's repacked copy may live in Java heap arrays rather than an off-heap segment.
 *
 * <p>Why: the same kernel streamed weights 15-25% faster from heap {@code int[]}/{@code float[]} than from a
 * native segment (fewer instructions per load; q40 lab, sessions 4-5). Why a budget: the launcher sets no
 * -Xmx (the default heap is a quarter of RAM), so a multi-GB model must still load; KV caches and activations
 * live on the heap too. A matrix asks {@link #reserve} for its copy's bytes before building it and builds the
 * off-heap copy when the answer is no, so a small model is all on the heap and a large one spills its later
 * tensors off-heap. The bytes go back to the budget when the owner is garbage collected (tests and tools load
 * many models in one JVM).
 *
 * <p>Adopting it in a matrix type: keep the heap kernel and the segment kernel as two separate methods (a method
 * that sees both kinds of data gets polymorphic profiles and C2 compiles it worse), and branch once per call
 * on which copy exists.
 *
 * <p>Budget: a quarter of the max heap, shared by every matrix type's copy (Q4_0, Q4_1, Q8_0, Q4_K, Q6_K), or the
 * system property {@code promptune.heapWeights} (bytes; 0 = never on heap).
 */
final class HeapBudget {
    private static final long LIMIT = Long.getLong("promptune.heapWeights", Runtime.getRuntime().maxMemory() / 4);
    private static final AtomicLong USED = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();

    private HeapBudget() { }

    /**
     * True (and {@code bytes} taken from the budget until {@code owner} is unreachable) when a heap copy of
     * {@code bytes} fits; false when it does not, nothing taken. The caller checks its own array-size limit first.
     */
    static boolean reserve(Object owner, long bytes) {
        if (!take(bytes)) return false;
        giveBackWhenCollected(owner, bytes);
        return true;
    }

    /**
     * Takes {@code bytes} from the budget when they fit (for a constructor that must decide before its object
     * exists; it then calls {@link #giveBackWhenCollected}). The caller checks its own array-size limit first.
     */
    static boolean take(long bytes) {
        while (true) {
            long used = USED.get();
            if (used + bytes > LIMIT) return false;
            if (USED.compareAndSet(used, used + bytes)) return true;
        }
    }

    /** Returns {@code bytes} taken by {@link #take} to the budget once {@code owner} is unreachable. */
    static void giveBackWhenCollected(Object owner, long bytes) {
        CLEANER.register(owner, () -> USED.addAndGet(-bytes));
    }
}
