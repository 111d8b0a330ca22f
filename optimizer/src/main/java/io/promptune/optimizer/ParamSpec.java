package io.promptune.optimizer;

import java.util.List;

/**
 * One dimension of a {@link SearchSpace}. Every kind maps to and from the unit interval so that
 * samplers can work in [0, 1] (categoricals map to a choice index instead).
 */
public sealed interface ParamSpec permits ParamSpec.FloatParam, ParamSpec.IntParam, ParamSpec.CategoricalParam, ParamSpec.FixedParam {
    String name();

    /** The condition under which this parameter is active, or null when it always is. */
    Condition condition();

    /** A real-valued parameter in [low, high], sampled uniformly in log space when {@code log}. */
    record FloatParam(String name, double low, double high, boolean log, Double step, Condition condition) implements ParamSpec {
        public FloatParam {
            if (!Double.isFinite(low) || !Double.isFinite(high)) throw bad(name, "low/high", "must be finite numbers");
            if (low > high) throw bad(name, "low", "low (" + low + ") is greater than high (" + high + ")");
            if (log && low <= 0) throw bad(name, "low", "a log-scaled parameter needs low > 0, got " + low);
            if (step != null && !(step > 0)) throw bad(name, "step", "must be > 0, got " + step);
            if (step != null && log) throw bad(name, "step", "step cannot be combined with log");
        }

        /** Maps a value to [0, 1]. */
        public double toUnit(double v) {
            if (high == low) return 0.5;
            double u = log ? (Math.log(v) - Math.log(low)) / (Math.log(high) - Math.log(low)) : (v - low) / (high - low);
            return Math.clamp(u, 0.0, 1.0);
        }

        /** Maps [0, 1] back to a valid value (snapped to the step grid when there is one). */
        public double fromUnit(double u) {
            u = Math.clamp(u, 0.0, 1.0);
            double v = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
            if (step != null) v = low + Math.round((v - low) / step) * step;
            return Math.clamp(v, low, high);
        }
    }

    /** An integer parameter in [low, high] on a grid of {@code step}, optionally log-scaled. */
    record IntParam(String name, long low, long high, boolean log, long step, Condition condition) implements ParamSpec {
        public IntParam {
            if (low > high) throw bad(name, "low", "low (" + low + ") is greater than high (" + high + ")");
            if (log && low <= 0) throw bad(name, "low", "a log-scaled parameter needs low > 0, got " + low);
            if (step <= 0) throw bad(name, "step", "must be >= 1, got " + step);
            if (log && step != 1) throw bad(name, "step", "step cannot be combined with log");
        }

        public long count() {
            return (high - low) / step + 1;
        }

        /** Largest value on the grid (high itself may not be reachable with the step). */
        public long top() {
            return low + (count() - 1) * step;
        }

        /** Maps a value to [0, 1]; each grid value owns an equal slice (half a step beyond each end). */
        public double toUnit(long v) {
            if (count() == 1) return 0.5;
            if (log) {
                double lo = Math.log(low - 0.5 < 0.5 ? 0.5 : low - 0.5), hi = Math.log(top() + 0.5);
                return Math.clamp((Math.log(v) - lo) / (hi - lo), 0.0, 1.0);
            }
            double lo = low - step / 2.0, hi = top() + step / 2.0;
            return Math.clamp((v - lo) / (hi - lo), 0.0, 1.0);
        }

        public long fromUnit(double u) {
            u = Math.clamp(u, 0.0, 1.0);
            double v;
            if (log) {
                double lo = Math.log(low - 0.5 < 0.5 ? 0.5 : low - 0.5), hi = Math.log(top() + 0.5);
                v = Math.exp(lo + u * (hi - lo));
            } else {
                v = low - step / 2.0 + u * (count() * (double) step);
            }
            long k = Math.round((v - low) / step);
            return Math.clamp(low + Math.clamp(k, 0, count() - 1) * step, low, top());
        }
    }

    /** A choice among JSON-able values (strings, numbers, booleans, null, lists, objects). */
    record CategoricalParam(String name, List<Object> choices, Condition condition) implements ParamSpec {
        public CategoricalParam {
            if (choices == null || choices.isEmpty()) throw bad(name, "choices", "must list at least one choice");
            choices = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(choices.stream().map(JsonValues::canonical).toList()));
            for (int i = 0; i < choices.size(); i++)
                for (int j = 0; j < i; j++)
                    if (JsonValues.same(choices.get(i), choices.get(j)))
                        throw bad(name, "choices", "choice " + choices.get(i) + " appears twice");
        }

        /** Index of the choice equal (as JSON) to v, or -1. */
        public int indexOf(Object v) {
            for (int i = 0; i < choices.size(); i++) if (JsonValues.same(choices.get(i), v)) return i;
            return -1;
        }
    }

    /** A value that is not searched but always passed along (e.g. a model name). */
    record FixedParam(String name, Object value, Condition condition) implements ParamSpec {
        public FixedParam {
            value = JsonValues.canonical(value);
        }
    }

    private static SearchSpaceException bad(String name, String field, String why) {
        return new SearchSpaceException("parameter '" + name + "': field '" + field + "' " + why);
    }
}
