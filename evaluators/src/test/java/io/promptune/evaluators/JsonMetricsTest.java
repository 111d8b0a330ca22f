package io.promptune.evaluators;

import io.promptune.datasets.Example;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.promptune.evaluators.TextMetricsTest.ex;
import static org.junit.jupiter.api.Assertions.*;

class JsonMetricsTest {
    @Test
    void extractorFindsJsonInFencesAndProse() {
        assertEquals(JsonExtractor.Source.WHOLE, JsonExtractor.extract(" {\"a\": 1} ").orElseThrow().source());
        var fenced = JsonExtractor.extract("Here you go:\n```json\n{\"a\": [1, 2]}\n```\nAnything else?").orElseThrow();
        assertEquals(JsonExtractor.Source.FENCE, fenced.source());
        assertEquals(2, fenced.json().get("a").get(1).asInt());
        var embedded = JsonExtractor.extract("The result is {\"s\": \"a } inside\", \"n\": {\"x\": 1}} as asked.").orElseThrow();
        assertEquals(JsonExtractor.Source.EMBEDDED, embedded.source());
        assertEquals("a } inside", embedded.json().get("s").asText());
        assertTrue(JsonExtractor.extract("no json {here").isEmpty());
        assertTrue(JsonExtractor.extract("").isEmpty());
        assertTrue(JsonExtractor.extract("{\"a\": 1} trailing {").isPresent(), "the first balanced object still parses");
    }

    @Test
    void jsonValid() {
        assertEquals(1, new JsonValid(true).score("```\n[1, 2, 3]\n```", ex()).value());
        assertEquals(0, new JsonValid(false).score("```\n[1, 2, 3]\n```", ex()).value());
        assertEquals(1, new JsonValid(false).score("{\"ü\": \"✓\"}", ex()).value());
        assertEquals(0, new JsonValid(true).score("{'single': 'quotes'}", ex()).value());
        assertEquals(0, new JsonValid(true).score("", ex()).value());
        assertEquals(0, new JsonValid(false).score("{\"a\":1} {\"b\":2}", ex()).value(), "two documents are not one JSON");
        String big = "[" + "1,".repeat(50_000) + "1]";
        assertEquals(1, new JsonValid(false).score(big, ex()).value());
    }

    @Test
    void jsonSchema() {
        JsonSchemaValid v = new JsonSchemaValid("""
                {"type": "object", "required": ["name", "age"],
                 "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}""");
        assertEquals(1, v.score("{\"name\": \"Ana\", \"age\": 30}", ex()).value());
        Score bad = v.score("```json\n{\"name\": \"Ana\", \"age\": -1}\n```", ex());
        assertEquals(0, bad.value());
        assertTrue(bad.details().get("errors").toString().contains("age"), bad.details().toString());
        assertEquals(0, v.score("{\"name\": \"Ana\"}", ex()).value());
        assertEquals(0, v.score("not json", ex()).value());
        assertThrows(IllegalArgumentException.class, () -> new JsonSchemaValid("{not a schema"));
    }

    @Test
    void jsonFieldMatch() {
        Example e = ex("{\"name\": \"Maria Lopez\", \"city\": \"Lisbon\", \"age\": 34}");
        JsonFieldMatch lenient = new JsonFieldMatch(List.of(), false);
        assertEquals(1, lenient.score("{\"name\": \"maria lopez \", \"city\": \"Lisbon\", \"age\": \"34\"}", e).value());
        assertEquals(2.0 / 3, lenient.score("Sure! ```json\n{\"name\": \"Maria Lopez\", \"city\": \"Porto\", \"age\": 34}\n```", e).value(), 1e-12);
        assertEquals(1.0 / 3, lenient.score("{\"age\": 34.0}", e).value(), 1e-12);
        assertEquals(0, lenient.score("Maria Lopez, Lisbon, 34", e).value());
        assertEquals(0, lenient.score("[1, 2]", e).value());
        JsonFieldMatch strict = new JsonFieldMatch(List.of(), true);
        assertEquals(1.0 / 3, strict.score("{\"name\": \"maria lopez\", \"city\": \"Lisbon\", \"age\": \"34\"}", e).value(), 1e-12);
        assertEquals(1, new JsonFieldMatch(List.of("city"), false).score("{\"city\": \"LISBON\"}", e).value());
        Map<?, ?> fields = (Map<?, ?>) lenient.score("{\"name\": \"x\", \"city\": \"Lisbon\"}", e).details().get("fields");
        assertEquals(Map.of("name", false, "city", true, "age", false), fields);
        assertThrows(IllegalArgumentException.class, () -> lenient.score("{}", ex("not json")));
    }
}
