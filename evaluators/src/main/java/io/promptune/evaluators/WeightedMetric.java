package io.promptune.evaluators;

import io.promptune.datasets.Example;
import io.promptune.providers.Completion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A weighted mean of several metrics; each part's score is kept in the details under its name. */
public final class WeightedMetric implements Metric {
    public record Part(Metric metric, double weight) {
        public Part {
            if (!(weight > 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("a weight must be > 0, got " + weight + " for " + metric.name());
        }
    }

    private final String name;
    private final List<Part> parts;
    private final double total;

    public WeightedMetric(String name, List<Part> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("a weighted metric needs at least one part");
        this.name = name;
        this.parts = List.copyOf(parts);
        this.total = parts.stream().mapToDouble(Part::weight).sum();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Score score(String output, Example example) {
        return combine(m -> m.score(output, example));
    }

    @Override
    public Score score(Completion completion, Example example) {
        return combine(m -> m.score(completion, example));
    }

    private Score combine(Function<Metric, Score> scorer) {
        double sum = 0;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Part p : parts) {
            Score s = scorer.apply(p.metric());
            sum += p.weight() * s.value();
            String key = p.metric().name();
            for (int k = 2; details.containsKey(key); k++) key = p.metric().name() + "#" + k;
            details.put(key, s.value());
        }
        return new Score(Math.min(1, sum / total), details);
    }

    public static final class Builder {
        private final String name;
        private final List<Part> parts = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder add(Metric metric, double weight) {
            parts.add(new Part(metric, weight));
            return this;
        }

        public WeightedMetric build() {
            return new WeightedMetric(name, parts);
        }
    }
}
