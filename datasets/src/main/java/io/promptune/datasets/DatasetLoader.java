package io.promptune.datasets;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a dataset from JSONL, CSV or JSON and maps its fields to examples. Every bad row is reported
 * with file, line and field; by default any bad row stops the load (a {@link DatasetException} listing
 * all of them), and with {@code skipBadRows} they are left out and counted in the result.
 */
public final class DatasetLoader {
    private DatasetLoader() { }

    /** Loads strictly: any bad row is an error. */
    public static Dataset load(Path file, FieldMapping mapping) {
        return load(file, mapping, false).dataset();
    }

    public static LoadResult load(Path file, FieldMapping mapping, boolean skipBadRows) {
        DatasetFormat format = DatasetFormat.of(file);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString(), format, mapping, skipBadRows);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file.toString(), "no such file");
        } catch (CharacterCodingException e) {
            throw new DatasetException(file.toString(), "not valid UTF-8 text");
        } catch (IOException e) {
            throw new DatasetException(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** Reads from any source; {@code name} names it in messages and becomes the dataset's name. */
    public static LoadResult read(Reader in, String name, DatasetFormat format, FieldMapping mapping, boolean skipBadRows) {
        List<RawRow> rows = new ArrayList<>();
        List<DatasetProblem> problems = new ArrayList<>();
        RowSink sink = new RowSink() {
            @Override public void row(RawRow row) { rows.add(row); }
            @Override public void problem(DatasetProblem p) { problems.add(p); }
        };
        try {
            switch (format) {
                case JSONL -> JsonRowReader.readJsonLines(in, name, sink);
                case CSV -> CsvReader.read(in, name, sink);
                case JSON -> JsonRowReader.readJsonDocument(in, name, sink);
            }
        } catch (CharacterCodingException e) {
            throw new DatasetException(name, "not valid UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExampleMapper mapper = new ExampleMapper(name, mapping);
        List<Example> examples = new ArrayList<>();
        for (RawRow row : rows) {
            Example ex = mapper.map(row, problems);
            if (ex != null) examples.add(ex);
        }
        problems.sort(java.util.Comparator.comparingInt(DatasetProblem::line));
        if (!problems.isEmpty() && !skipBadRows) throw new DatasetException(problems);
        if (examples.isEmpty()) {
            throw new DatasetException(name, problems.isEmpty() ? "the dataset has no rows" : "every row is bad; first: " + problems.get(0));
        }
        return new LoadResult(new Dataset(name, examples), problems);
    }
}
