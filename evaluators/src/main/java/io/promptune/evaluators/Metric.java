package io.promptune.evaluators;

import io.promptune.datasets.Example;
import io.promptune.providers.Completion;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/** Scores one model output against an example (its expected outputs and fields). */
@FunctionalInterface
public interface Metric {
    Score score(String output, Example example);

    /**
     * Scores a whole completion. Most metrics only read its text; limits on cost, tokens and latency
     * override this to read the rest.
     */
    default Score score(Completion completion, Example example) {
        return score(completion.text(), example);
    }

    /** A short name for reports, e.g. "exact_match". */
    default String name() {
        return getClass().getSimpleName();
    }

    /** A custom metric from a lambda returning a value in [0, 1]. */
    static Metric of(String name, BiFunction<String, Example, Double> fn) {
        return new Metric() {
            @Override
            public Score score(String output, Example example) {
                Double v = fn.apply(output, example);
                if (v == null || v.isNaN() || v < 0 || v > 1) {
                    throw new IllegalStateException("custom metric '" + name + "' returned " + v + " for example '" + example.id() + "'; it must be in [0, 1]");
                }
                return Score.of(v);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** A custom pass/fail metric from a predicate. */
    static Metric pass(String name, BiPredicate<String, Example> test) {
        return of(name, (o, e) -> test.test(o, e) ? 1.0 : 0.0);
    }

    /** Renames a metric (e.g. to tell two configured copies apart in a report). */
    default Metric named(String newName) {
        Metric self = this;
        return new Metric() {
            @Override public Score score(String output, Example example) { return self.score(output, example); }
            @Override public Score score(Completion c, Example example) { return self.score(c, example); }
            @Override public String name() { return newName; }
        };
    }

    /** Details map helper for implementations. */
    static Map<String, Object> details(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
