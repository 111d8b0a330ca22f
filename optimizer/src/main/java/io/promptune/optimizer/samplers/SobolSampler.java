package io.promptune.optimizer.samplers;

import io.promptune.optimizer.SamplingContext;
import io.promptune.optimizer.Sampler;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Trial;
import org.apache.commons.math3.random.SobolSequenceGenerator;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Scrambled Sobol points: trial n takes point n of the sequence (Commons Math) with a seeded random
 * digital shift (XOR of the binary expansion), which keeps the net's balance and removes the
 * all-zero first point. Categorical dimensions use floor(u * choices).
 */
public final class SobolSampler implements Sampler {
    private static final int MAX_DIMS = 1000;
    private final long seed;

    public SobolSampler(long seed) {
        this.seed = seed;
    }

    /** One generator per dimension count: loading the direction numbers is the slow part. */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, SobolSequenceGenerator> GENERATORS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Point {@code index} of the shifted sequence in [0,1)^d. */
    static double[] point(int d, long index, long seed) {
        return points(d, index, 1, seed).getFirst();
    }

    /** Points {@code start .. start+count-1} of the sequence, each with the same seeded digital shift. */
    static List<double[]> points(int d, long start, int count, long seed) {
        List<double[]> out = new java.util.ArrayList<>(count);
        if (d > MAX_DIMS) {
            for (int k = 0; k < count; k++) {
                SplittableRandom r = RandomSampler.rng(seed, (int) (start + k), 9);
                double[] u = new double[d];
                for (int i = 0; i < d; i++) u[i] = r.nextDouble();
                out.add(u);
            }
            return out;
        }
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        long[] shift = new long[d];
        for (int i = 0; i < d; i++) shift[i] = r.nextLong() >>> 12; // 52 random bits
        SobolSequenceGenerator g = GENERATORS.computeIfAbsent(Math.max(1, d), SobolSequenceGenerator::new);
        synchronized (g) {
            for (int k = 0; k < count; k++) {
                double[] u = k == 0 ? g.skipTo((int) start) : g.nextVector(); // skipTo returns point 'start' itself
                double[] x = new double[d];
                for (int i = 0; i < d; i++) {
                    long bits = (long) (u[i] * (1L << 52));
                    x[i] = ((bits ^ shift[i]) + 0.5) / (double) (1L << 52);
                }
                out.add(x);
            }
        }
        return out;
    }

    static double[] encodePoint(UnitCodec codec, double[] u) {
        double[] x = u.clone();
        for (int i = 0; i < x.length; i++)
            if (codec.isCategorical(i)) x[i] = Math.min(codec.choices(i) - 1, Math.floor(u[i] * codec.choices(i)));
        return x;
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext context) {
        UnitCodec codec = new UnitCodec(space);
        return codec.decode(encodePoint(codec, point(codec.size(), context.trialNumber(), seed)));
    }

    @Override
    public String name() {
        return "sobol";
    }
}
