package io.promptune.cli.config;

import io.promptune.cli.Main;
import io.promptune.datasets.BuiltinDatasets;
import io.promptune.datasets.Dataset;
import io.promptune.datasets.DatasetException;
import io.promptune.datasets.DatasetLoader;
import io.promptune.datasets.Example;
import io.promptune.datasets.FieldMapping;
import io.promptune.datasets.LoadResult;
import io.promptune.datasets.Split;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** A config's dataset, loaded, optionally cut to a seeded subset, and split into tune and held-out examples. */
public record DataSplit(String name, List<Example> tune, List<Example> test) {

    public static DataSplit load(TuneConfig.DatasetSpec spec, PrintStream log) {
        Dataset data;
        try {
            if (spec.builtin() != null) {
                if (!BuiltinDatasets.exists(spec.builtin())) {
                    throw new Main.UserError("dataset.builtin: no built-in dataset named '" + spec.builtin() + "'; known: "
                            + String.join(", ", BuiltinDatasets.names()));
                }
                data = BuiltinDatasets.load(spec.builtin());
            } else {
                FieldMapping m = FieldMapping.defaults();
                if (spec.idField() != null) m = m.withId(spec.idField());
                if (!spec.inputs().isEmpty()) m = m.withInputs(spec.inputs().toArray(String[]::new));
                if (!spec.expected().isEmpty()) m = m.withExpected(spec.expected().toArray(String[]::new));
                LoadResult r = DatasetLoader.load(spec.file(), m, spec.skipBadRows());
                if (!r.skipped().isEmpty()) log.println(r.summary());
                data = r.dataset();
            }
        } catch (DatasetException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (spec.limit() != null && data.size() > spec.limit()) {
            List<Example> shuffled = new ArrayList<>(data.examples());
            Collections.shuffle(shuffled, new Random(spec.seed()));
            data = new Dataset(data.name(), shuffled.subList(0, spec.limit()));
        }
        if (data.size() < 2) throw new Main.UserError("dataset " + spec.describe() + ": " + data.size() + " example(s); at least 2 are needed");
        Split split = Split.byFraction(data, spec.testFraction(), spec.seed());
        return new DataSplit(spec.describe(), split.tune().examples(), split.test().examples());
    }
}
