package io.promptune.datasets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DatasetLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static final FieldMapping QA = FieldMapping.of("id", List.of("question"), List.of("answer"));

    @Test
    void jsonlMapsFieldsByName() throws IOException {
        Path p = write("qa.jsonl", """
                {"id": "a", "question": "2+2?", "answer": "4", "extra": 1}

                {"id": 7, "question": "Capital of France?", "answer": ["Paris", "paris"]}
                """);
        Dataset d = DatasetLoader.load(p, QA);
        assertEquals(2, d.size());
        Example a = d.examples().get(0);
        assertEquals("a", a.id());
        assertEquals(Map.of("question", "2+2?"), a.inputs());
        assertEquals(List.of("4"), a.expected());
        assertEquals(1, a.metadata().get("line"));
        Example b = d.examples().get(1);
        assertEquals("7", b.id());
        assertEquals(List.of("Paris", "paris"), b.expected());
        assertEquals(3, b.metadata().get("line"));
    }

    @Test
    void everyBadRowIsReportedWithFileLineAndField() throws IOException {
        Path p = write("bad.jsonl", """
                {"id": "1", "question": "ok", "answer": "yes"}
                {"id": "2", "question": "no answer"}
                {"id": "3", "question": "x", "answer": "y"
                [1, 2]
                {"id": {"nested": true}, "question": "q", "answer": "a"}
                {"id": "1", "question": "dup", "answer": "a"}
                {"id": "6", "question": null, "answer": [[1]]}
                """);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(p, QA));
        List<DatasetProblem> ps = e.problems();
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 7), ps.stream().map(DatasetProblem::line).toList(), e.getMessage());
        assertEquals("answer", ps.get(0).field());
        assertTrue(ps.get(0).message().contains("missing"));
        assertTrue(ps.get(1).message().startsWith("malformed JSON"));
        assertTrue(ps.get(2).message().contains("must be a JSON object"));
        assertEquals("id", ps.get(3).field());
        assertTrue(ps.get(4).message().contains("duplicate id '1' (first on line 1)"));
        assertTrue(e.getMessage().contains(p + ":2: field 'answer': missing"), e.getMessage());
    }

    @Test
    void skippingBadRowsSaysHowMany() throws IOException {
        Path p = write("mixed.jsonl", """
                {"id": "1", "question": "ok", "answer": "yes"}
                {"id": "2", "question": "no answer"}
                not json
                {"id": "4", "question": "fine", "answer": "no"}
                """);
        LoadResult r = DatasetLoader.load(p, QA, true);
        assertEquals(2, r.dataset().size());
        assertEquals(2, r.skipped().size());
        assertTrue(r.summary().endsWith("skipped 2 bad rows"), r.summary());
    }

    @Test
    void allRowsBadIsAnErrorEvenWhenSkipping() throws IOException {
        Path p = write("allbad.jsonl", "{\"question\": \"q\"}\n");
        assertThrows(DatasetException.class, () -> DatasetLoader.load(p, QA, true));
    }

    @Test
    void csvFollowsRfc4180() throws IOException {
        Path p = write("data.csv", "\uFEFFid,question,answer\r\n"
                + "1,\"Hello, world\",\"He said \"\"hi\"\"\"\r\n"
                + "2,\"two\nlines\",ok\r\n"
                + "3,plain,\r\n"
                + "4,\"ünïcödé ✓\",yes");
        LoadResult r = DatasetLoader.load(p, QA.withExpectedOptional(), false);
        List<Example> ex = r.dataset().examples();
        assertEquals(4, ex.size());
        assertEquals("Hello, world", ex.get(0).inputs().get("question"));
        assertEquals("He said \"hi\"", ex.get(0).reference());
        assertEquals("two\nlines", ex.get(1).inputs().get("question"));
        assertEquals(3, ex.get(1).metadata().get("line"));
        assertEquals(5, ex.get(2).metadata().get("line"), "line numbers count the line break inside the quoted field");
        assertEquals("ünïcödé ✓", ex.get(3).inputs().get("question"));
    }

    @Test
    void csvBadRowsAreReported() throws IOException {
        Path p = write("bad.csv", "id,question,answer\n1,a,b\n2,only two\n3,\"bad\"quote,x\n4,c,d\n5,\"never closed,x\n");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(p, QA));
        assertEquals(List.of(3, 4, 6), e.problems().stream().map(DatasetProblem::line).toList(), e.getMessage());
        assertTrue(e.problems().get(0).message().contains("2 columns, the header has 3"));
        assertTrue(e.problems().get(1).message().contains("closing quote"));
        assertTrue(e.problems().get(2).message().contains("never closed"));
        LoadResult r = DatasetLoader.load(p, QA, true);
        assertEquals(List.of("1", "4"), r.dataset().examples().stream().map(Example::id).toList());
    }

    @Test
    void jsonArrayAndHuggingFaceShapes() throws IOException {
        FieldMapping m = FieldMapping.of("idx", List.of("sentence"), List.of("label"));
        Path array = write("a.json", """
                [
                  {"idx": 0, "sentence": "good", "label": "pos"},
                  {"idx": 1, "sentence": "bad", "label": "neg"}
                ]""");
        Path wrapped = write("b.json", """
                {"version": 2, "data": [{"idx": 0, "sentence": "good", "label": "pos"},
                                         {"idx": 1, "sentence": "bad", "label": "neg"}]}""");
        Path server = write("c.json", """
                {"features": [{"name": "sentence"}],
                 "rows": [{"row_idx": 0, "row": {"idx": 0, "sentence": "good", "label": "pos"}, "truncated_cells": []},
                          {"row_idx": 1, "row": {"idx": 1, "sentence": "bad", "label": "neg"}, "truncated_cells": []}],
                 "num_rows_total": 2}""");
        Path columns = write("d.json", """
                {"idx": [0, 1], "sentence": ["good", "bad"], "label": ["pos", "neg"]}""");
        Path lines = write("e.jsonl", """
                {"row_idx": 0, "row": {"idx": 0, "sentence": "good", "label": "pos"}}
                {"row_idx": 1, "row": {"idx": 1, "sentence": "bad", "label": "neg"}}
                """);
        for (Path p : List.of(array, wrapped, server, columns, lines)) {
            Dataset d = DatasetLoader.load(p, m);
            assertEquals(List.of("0", "1"), d.examples().stream().map(Example::id).toList(), p.toString());
            assertEquals("bad", d.examples().get(1).inputs().get("sentence"));
            assertEquals("neg", d.examples().get(1).reference());
        }
        Dataset d = DatasetLoader.load(array, m);
        assertEquals(3, d.examples().get(1).metadata().get("line"), "rows in a JSON array keep their line");
    }

    @Test
    void integerClassLabelsMapToNames() throws IOException {
        Path p = write("sst2.jsonl", "{\"idx\": 0, \"sentence\": \"great\", \"label\": 1}\n{\"idx\": 1, \"sentence\": \"bad\", \"label\": 0}\n{\"idx\": 2, \"sentence\": \"?\", \"label\": 2}\n");
        FieldMapping m = FieldMapping.of("idx", List.of("sentence"), List.of("label")).withLabelNames("negative", "positive");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(p, m));
        assertEquals(3, e.problems().get(0).line());
        assertTrue(e.problems().get(0).message().contains("out of range"));
        List<Example> ex = DatasetLoader.load(p, m, true).dataset().examples();
        assertEquals(List.of("positive", "negative"), ex.stream().map(Example::reference).toList());
    }

    @Test
    void malformedJsonDocumentNamesTheLine() throws IOException {
        Path p = write("broken.json", "[\n {\"a\": 1},\n {\"a\": }\n]");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(p, FieldMapping.defaults()));
        assertEquals(3, e.problems().get(0).line());
    }

    @Test
    void withoutIdsExamplesAreNamedByContent() throws IOException {
        Path p1 = write("x.jsonl", "{\"q\": \"a\", \"expected\": \"1\"}\n{\"q\": \"b\", \"expected\": \"2\"}\n{\"q\": \"a\", \"expected\": \"1\"}\n");
        Path p2 = write("y.jsonl", "{\"q\": \"b\", \"expected\": \"2\"}\n{\"q\": \"a\", \"expected\": \"1\"}\n");
        List<Example> a = DatasetLoader.load(p1, FieldMapping.defaults()).examples();
        List<Example> b = DatasetLoader.load(p2, FieldMapping.defaults()).examples();
        assertEquals(a.get(0).id(), b.get(1).id());
        assertEquals(a.get(1).id(), b.get(0).id());
        assertEquals(a.get(0).id() + "#2", a.get(2).id());
        assertEquals(Map.of("q", "a"), a.get(0).inputs(), "all non-id, non-expected fields are inputs by default");
    }

    @Test
    void objectsAndNumbersAsExpectedBecomeText() throws IOException {
        Path p = write("o.jsonl", "{\"id\": \"1\", \"t\": \"x\", \"expected\": {\"name\": \"A\", \"age\": 3}}\n{\"id\": \"2\", \"t\": \"y\", \"expected\": 12.0}\n");
        List<Example> ex = DatasetLoader.load(p, FieldMapping.defaults()).examples();
        assertEquals("{\"name\":\"A\",\"age\":3}", ex.get(0).reference());
        assertEquals("12", ex.get(1).reference());
    }

    @Test
    void missingFileAndUnknownFormatAreClearErrors() {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(dir.resolve("nope.jsonl"), QA));
        assertTrue(e.getMessage().contains("no such file"));
        assertThrows(DatasetException.class, () -> DatasetLoader.load(dir.resolve("data.xlsx"), QA));
    }

    @Test
    void invalidUtf8IsAClearError() throws IOException {
        Path p = dir.resolve("latin1.jsonl");
        Files.write(p, new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(p, FieldMapping.defaults()));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }
}
