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

    /** Point {@code index} of the shifted sequence in [0,1)^d. */
    static double[] point(int d, long index, long seed) {
        double[] u;
        if (d > MAX_DIMS) {
            SplittableRandom r = RandomSampler.rng(seed, (int) index, 9);
            u = new double[d];
            for (int i = 0; i < d; i++) u[i] = r.nextDouble();
            return u;
        }
        SobolSequenceGenerator g = new SobolSequenceGenerator(Math.max(1, d));
        g.skipTo((int) index);
        u = g.nextVector();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            long shift = r.nextLong() >>> 12; // 52 random bits
            long bits = (long) (u[i] * (1L << 52));
            out[i] = ((bits ^ shift) + 0.5) / (double) (1L << 52);
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
