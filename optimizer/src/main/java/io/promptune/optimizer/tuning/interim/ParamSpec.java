package io.promptune.optimizer.tuning.interim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Interim search-space dimension, in the JSON form of issue 3 ({name, type, low, high, log, choices}),
 * until the optimizer's SearchSpace lands.
 */
public record ParamSpec(String name, String type, Double low, Double high, boolean log, List<Object> choices) {
    public ParamSpec {
        switch (type) {
            case "float", "int" -> {
                if (low == null || high == null) throw new IllegalArgumentException("parameter '" + name + "' needs low and high");
                if (low > high) throw new IllegalArgumentException("parameter '" + name + "': low " + low + " is above high " + high);
                if (log && low <= 0) throw new IllegalArgumentException("parameter '" + name + "': a log scale needs low > 0");
            }
            case "categorical" -> {
                if (choices == null || choices.isEmpty()) throw new IllegalArgumentException("parameter '" + name + "' needs choices");
                choices = List.copyOf(choices);
            }
            default -> throw new IllegalArgumentException("parameter '" + name + "': type must be float, int or categorical, got '" + type + "'");
        }
    }

    public static ParamSpec floatRange(String name, double low, double high) { return new ParamSpec(name, "float", low, high, false, null); }
    public static ParamSpec intRange(String name, int low, int high) { return new ParamSpec(name, "int", (double) low, (double) high, false, null); }
    public static ParamSpec categorical(String name, List<?> choices) { return new ParamSpec(name, "categorical", null, null, false, List.copyOf(choices)); }

    public Object sample(SplittableRandom r) {
        return switch (type) {
            case "categorical" -> choices.get(r.nextInt(choices.size()));
            case "int" -> {
                double u = r.nextDouble();
                double v = log ? Math.exp(Math.log(low) + u * (Math.log(high + 1) - Math.log(low))) : low + u * (high + 1 - low);
                yield (int) Math.min(high, Math.floor(v));
            }
            default -> log ? Math.exp(Math.log(low) + r.nextDouble() * (Math.log(high) - Math.log(low)))
                    : low + r.nextDouble() * (high - low);
        };
    }
}
