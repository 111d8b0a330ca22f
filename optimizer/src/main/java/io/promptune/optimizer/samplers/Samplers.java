package io.promptune.optimizer.samplers;

import io.promptune.optimizer.Sampler;

import java.util.List;

/** Creates samplers by their command-line names. */
public final class Samplers {
    public static final List<String> NAMES = List.of("auto", "random", "grid", "sobol", "tpe", "tpe-univariate", "gp");

    private Samplers() {
    }

    public static Sampler create(String name, long seed) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> new AutoSampler(seed);
            case "random" -> new RandomSampler(seed);
            case "grid" -> new GridSampler(seed);
            case "sobol", "qmc" -> new SobolSampler(seed);
            case "tpe" -> TpeSampler.builder().seed(seed).multivariate(true).build();
            case "tpe-univariate", "tpe-optuna" -> TpeSampler.builder().seed(seed).multivariate(false).build();
            case "gp" -> new GpSampler(seed);
            default -> throw new IllegalArgumentException("unknown sampler '" + name + "'; choose one of " + NAMES);
        };
    }
}
