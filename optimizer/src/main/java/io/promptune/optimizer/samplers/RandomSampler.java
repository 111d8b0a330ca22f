package io.promptune.optimizer.samplers;

import io.promptune.optimizer.SamplingContext;
import io.promptune.optimizer.Sampler;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Trial;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Independent uniform sampling (in log space for log parameters). */
public final class RandomSampler implements Sampler {
    private final long seed;

    public RandomSampler(long seed) {
        this.seed = seed;
    }

    /** A generator that depends only on the seed and the trial number, so runs are reproducible. */
    static SplittableRandom rng(long seed, int trialNumber, long salt) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + trialNumber * 0xBF58476D1CE4E5B9L + salt);
    }

    static double[] uniform(UnitCodec codec, SplittableRandom r) {
        double[] x = new double[codec.size()];
        for (int i = 0; i < x.length; i++)
            x[i] = codec.isCategorical(i) ? r.nextInt(codec.choices(i)) : r.nextDouble();
        return x;
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext context) {
        UnitCodec codec = new UnitCodec(space);
        return codec.decode(uniform(codec, rng(seed, context.trialNumber(), 1)));
    }

    @Override
    public String name() {
        return "random";
    }
}
