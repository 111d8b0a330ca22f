package io.promptune.datasets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A dataset divided into a tune split (what the search sees) and a held-out test split (scored once,
 * at the end). Membership depends only on each example's id and the seed: reordering the file, or
 * adding rows, does not move an example from one side to the other except as the test size requires.
 * Few-shot demonstrations can only come from here, and only from the tune side.
 */
public final class Split {
    private final Dataset tune;
    private final Dataset test;
    private final long seed;

    private Split(Dataset tune, Dataset test, long seed) {
        this.tune = tune;
        this.test = test;
        this.seed = seed;
    }

    /** Holds out {@code round(fraction * size)} examples (at least one on each side when size >= 2). */
    public static Split byFraction(Dataset data, double testFraction, long seed) {
        if (!(testFraction >= 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
        int n = data.size();
        int k = (int) Math.round(testFraction * n);
        if (testFraction > 0 && n >= 2) k = Math.max(1, Math.min(n - 1, k));
        return byCount(data, k, seed);
    }

    /** Holds out exactly {@code testCount} examples. */
    public static Split byCount(Dataset data, int testCount, long seed) {
        if (testCount < 0 || testCount >= data.size()) {
            throw new IllegalArgumentException("test count must be in [0, " + (data.size() - 1) + "] for " + data.size() + " examples, got " + testCount);
        }
        List<Example> ranked = new ArrayList<>(data.examples());
        ranked.sort(Comparator.comparing((Example e) -> rank(e.id(), seed)).thenComparing(Example::id));
        Set<String> testIds = new HashSet<>();
        for (int i = 0; i < testCount; i++) testIds.add(ranked.get(i).id());
        List<Example> tune = new ArrayList<>(), test = new ArrayList<>();
        for (Example e : data.examples()) (testIds.contains(e.id()) ? test : tune).add(e); // keep file order
        return new Split(new Dataset(data.name() + "[tune]", tune), new Dataset(data.name() + "[test]", test), seed);
    }

    public Dataset tune() { return tune; }

    public Dataset test() { return test; }

    /** The few-shot pool: tune examples only, by construction. */
    public FewShotPool fewShotPool() {
        return new FewShotPool(tune.examples(), test.examples().stream().map(Example::id).collect(java.util.stream.Collectors.toSet()), seed);
    }

    /** A 64-bit rank from SHA-256(seed ":" id): uniform, and the same on every machine and JVM. */
    static long rank(String id, long seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((seed + ":" + id).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (h[i] & 0xff);
            return v ^ Long.MIN_VALUE; // compare as unsigned
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
