package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.Map;

/**
 * 1 if the output is JSON. With {@code extract} (default) JSON inside a fenced block or surrounded by
 * prose also counts; without it the whole output must parse.
 */
public final class JsonValid implements Metric {
    private final boolean extract;

    public JsonValid(boolean extract) {
        this.extract = extract;
    }

    @Override
    public String name() {
        return "json_valid";
    }

    @Override
    public Score score(String output, Example example) {
        if (!extract) return Score.of(JsonExtractor.parse(output.strip()).isPresent());
        return JsonExtractor.extract(output)
                .map(f -> new Score(1, Map.of("found_in", f.source().name().toLowerCase())))
                .orElseGet(() -> new Score(0, Map.of("error", "no JSON found")));
    }
}
