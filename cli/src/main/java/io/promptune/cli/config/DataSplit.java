package io.promptune.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.cli.Main;
import io.promptune.datasets.Example;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tune and held-out examples of a config's dataset. Interim loader (JSONL only) and split until
 * the datasets module's loaders, BuiltinDatasets and Split land.
 */
public record DataSplit(String name, List<Example> tune, List<Example> test) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static DataSplit load(TuneConfig.DatasetSpec spec) {
        List<Example> all = spec.builtin() != null ? builtin(spec.builtin()) : jsonl(spec);
        List<Example> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(spec.seed()));
        if (spec.limit() != null && shuffled.size() > spec.limit()) shuffled = shuffled.subList(0, spec.limit());
        int test = (int) Math.round(shuffled.size() * spec.testFraction());
        if (shuffled.size() - test < 2) {
            throw new Main.UserError("dataset " + spec.describe() + ": only " + shuffled.size() + " examples; at least 2 are needed to tune on");
        }
        return new DataSplit(spec.describe(), List.copyOf(shuffled.subList(test, shuffled.size())), List.copyOf(shuffled.subList(0, test)));
    }

    private static List<Example> builtin(String name) {
        throw new Main.UserError("dataset.builtin: built-in datasets are not in this build yet; use dataset.file", Main.EXIT_MISSING);
    }

    private static List<Example> jsonl(TuneConfig.DatasetSpec spec) {
        Path file = spec.file();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new Main.UserError("dataset.file: cannot read " + file + " (" + e.getMessage() + ")");
        }
        String expectedField = spec.expected().isEmpty() ? "expected" : spec.expected().getFirst();
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new Main.UserError(file + ":" + (i + 1) + ": not a JSON object (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            if (n == null || !n.isObject()) throw new Main.UserError(file + ":" + (i + 1) + ": expected a JSON object per line");
            JsonNode exp = n.get(expectedField);
            if (exp == null || exp.isNull()) throw new Main.UserError(file + ":" + (i + 1) + ": field '" + expectedField + "' is missing");
            Map<String, Object> inputs = new LinkedHashMap<>();
            Iterator<String> names = n.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (f.equals(expectedField) || f.equals(spec.idField())) continue;
                if (!spec.inputs().isEmpty() && !spec.inputs().contains(f)) continue;
                inputs.put(f, n.get(f).isTextual() ? n.get(f).asText() : n.get(f).toString());
            }
            String id = spec.idField() != null && n.hasNonNull(spec.idField()) ? n.get(spec.idField()).asText() : "line-" + (i + 1);
            List<String> expected = exp.isArray() ? JSON.convertValue(exp, List.class) : List.of(exp.asText());
            out.add(new Example(id, inputs, expected, Map.of("source", file + ":" + (i + 1))));
        }
        return out;
    }
}
