package io.promptune.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class BuiltinDatasetsTest {
    @Test
    void allSetsLoadWithinSizeAndRenderTheirTemplate() {
        assertEquals(List.of("arithmetic", "extraction", "sentiment", "summary"), BuiltinDatasets.names());
        for (String name : BuiltinDatasets.names()) {
            Dataset d = BuiltinDatasets.load(name);
            assertTrue(d.size() >= 100 && d.size() <= 300, name + " has " + d.size());
            Set<String> inputs = new HashSet<>();
            for (Example e : d.examples()) {
                assertNotNull(e.reference(), name + "/" + e.id());
                inputs.add(e.inputs().toString());
                BuiltinDatasets.info(name).template().render(e); // every example has the template's fields
            }
            assertEquals(d.size(), inputs.size(), name + " has duplicate inputs");
        }
        assertThrows(DatasetException.class, () -> BuiltinDatasets.load("nope"));
    }

    @Test
    void sentimentIsBalanced() {
        Map<String, Long> counts = BuiltinDatasets.load("sentiment").examples().stream()
                .collect(Collectors.groupingBy(Example::reference, Collectors.counting()));
        assertEquals(Map.of("positive", 80L, "negative", 80L, "neutral", 80L), counts);
    }

    @Test
    void extractionAnswersAreFoundInTheSentence() throws Exception {
        ObjectMapper m = new ObjectMapper();
        for (Example e : BuiltinDatasets.load("extraction").examples()) {
            JsonNode j = m.readTree(e.reference());
            String text = (String) e.inputs().get("text");
            assertTrue(text.contains(j.get("name").asText()) && text.contains(j.get("city").asText())
                    && text.contains(String.valueOf(j.get("age").asInt())), e.id());
            assertTrue(j.get("age").isInt());
        }
    }

    @Test
    void arithmeticAnswersAreRight() {
        // re-derive the answer of the "What is a op b?" phrasings independently
        int checked = 0;
        var p = java.util.regex.Pattern.compile("What is (\\d+) (plus|minus|times|divided by) (\\d+)\\?");
        for (Example e : BuiltinDatasets.load("arithmetic").examples()) {
            var mm = p.matcher((String) e.inputs().get("question"));
            if (!mm.matches()) continue;
            int a = Integer.parseInt(mm.group(1)), b = Integer.parseInt(mm.group(3));
            int want = switch (mm.group(2)) {
                case "plus" -> a + b;
                case "minus" -> a - b;
                case "times" -> a * b;
                default -> a / b;
            };
            assertEquals(String.valueOf(want), e.reference(), e.id());
            checked++;
        }
        assertTrue(checked > 30, "checked " + checked);
    }
}
