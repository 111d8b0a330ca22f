package io.promptune.optimizer;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SearchSpaceTest {
    static final String JSON = """
            [{"name":"template","type":"categorical","choices":["plain","cot",{"style":"json"}]},
             {"name":"temperature","type":"float","low":0.0,"high":1.5},
             {"name":"lr","type":"float","low":1e-5,"high":1e-1,"log":true},
             {"name":"max_tokens","type":"int","low":16,"high":256,"step":16},
             {"name":"do_sample","type":"categorical","choices":[true,false]},
             {"name":"top_k","type":"int","low":1,"high":100,"log":true,"condition":{"param":"do_sample","equals":true}},
             {"name":"model","type":"fixed","value":"smollm2"}]
            """;

    @Test
    void parsesAllKindsAndRoundTrips() {
        SearchSpace s = SearchSpace.fromJson(JSON);
        assertEquals(7, s.params().size());
        assertInstanceOf(ParamSpec.CategoricalParam.class, s.param("template"));
        assertTrue(((ParamSpec.FloatParam) s.param("lr")).log());
        assertEquals(16, ((ParamSpec.IntParam) s.param("max_tokens")).step());
        assertNotNull(s.param("top_k").condition());
        SearchSpace again = SearchSpace.fromJson(s.toJson());
        assertEquals(s.toJson(), again.toJson());
    }

    @Test
    void conditionalParameterIsDroppedWhenInactive() {
        SearchSpace s = SearchSpace.fromJson(JSON);
        Map<String, Object> on = s.normalize(Map.of("template", "plain", "temperature", 0.7, "lr", 0.01, "max_tokens", 64,
                "do_sample", true, "top_k", 40));
        assertEquals(40L, on.get("top_k"));
        assertEquals("smollm2", on.get("model"));
        Map<String, Object> off = s.normalize(Map.of("template", "plain", "temperature", 0.7, "lr", 0.01, "max_tokens", 64,
                "do_sample", false, "top_k", 40));
        assertFalse(off.containsKey("top_k"));
    }

    @Test
    void normalizeRejectsValuesOutsideTheSpace() {
        SearchSpace s = SearchSpace.fromJson(JSON);
        var e = assertThrows(SearchSpaceException.class, () -> s.normalize(Map.of("template", "plain", "temperature", 2.0,
                "lr", 0.01, "max_tokens", 64, "do_sample", false)));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        e = assertThrows(SearchSpaceException.class, () -> s.normalize(Map.of("template", "plain", "temperature", 1.0,
                "lr", 0.01, "max_tokens", 65, "do_sample", false)));
        assertTrue(e.getMessage().contains("max_tokens"), e.getMessage());
        e = assertThrows(SearchSpaceException.class, () -> s.normalize(Map.of("template", "fancy", "temperature", 1.0,
                "lr", 0.01, "max_tokens", 64, "do_sample", false)));
        assertTrue(e.getMessage().contains("template"), e.getMessage());
    }

    private static String err(String json) {
        return assertThrows(SearchSpaceException.class, () -> SearchSpace.fromJson(json)).getMessage();
    }

    @Test
    void badSpacesAreRefusedNamingEntryAndField() {
        assertTrue(err("[]").contains("empty"));
        String m = err("[{\"name\":\"t\",\"type\":\"float\",\"low\":2,\"high\":1}]");
        assertTrue(m.contains("entry 0") && m.contains("'t'") && m.contains("low"), m);
        m = err("[{\"name\":\"a\",\"type\":\"float\",\"low\":0,\"high\":1},{\"name\":\"lr\",\"type\":\"float\",\"low\":0,\"high\":1,\"log\":true}]");
        assertTrue(m.contains("entry 1") && m.contains("log"), m);
        m = err("[{\"name\":\"c\",\"type\":\"categorical\",\"choices\":[]}]");
        assertTrue(m.contains("choices"), m);
        m = err("[{\"name\":\"a\",\"type\":\"int\",\"low\":0,\"high\":3},{\"name\":\"a\",\"type\":\"int\",\"low\":0,\"high\":3}]");
        assertTrue(m.contains("twice"), m);
        m = err("[{\"name\":\"a\",\"type\":\"int\",\"low\":0.5,\"high\":3}]");
        assertTrue(m.contains("'low'") && m.contains("integer"), m);
        m = err("[{\"name\":\"a\",\"type\":\"banana\"}]");
        assertTrue(m.contains("type"), m);
        m = err("[{\"name\":\"a\",\"type\":\"float\",\"low\":0,\"high\":1,\"hihg\":3}]");
        assertTrue(m.contains("hihg"), m);
        m = err("[{\"name\":\"k\",\"type\":\"int\",\"low\":1,\"high\":3,\"condition\":{\"param\":\"later\",\"equals\":true}}]");
        assertTrue(m.contains("condition") && m.contains("later"), m);
        m = err("{\"name\":1}");
        assertTrue(m.contains("list"), m);
        m = err("[{\"name\":\"a\",\"type\":\"float\",\"low\":0,");
        assertTrue(m.contains("JSON"), m);
        m = err("[{\"name\":\"m\",\"type\":\"fixed\",\"value\":3}]");
        assertTrue(m.contains("only fixed"), m);
    }

    @Test
    void builderBuildsConditionalSpace() {
        SearchSpace s = SearchSpace.builder()
                .categorical("do_sample", List.of(true, false))
                .intParam("top_k", 1, 50).when("do_sample", true)
                .logFloat("lr", 1e-4, 1)
                .build();
        assertTrue(s.hasConditions());
        assertThrows(SearchSpaceException.class, () -> SearchSpace.builder().floatParam("x", 0, 1).floatParam("x", 0, 1));
    }

    @Test
    void unitMappingsRoundTrip() {
        var f = new ParamSpec.FloatParam("lr", 1e-4, 1, true, null, null);
        assertEquals(1e-2, f.fromUnit(f.toUnit(1e-2)), 1e-12);
        assertEquals(0.5, f.toUnit(1e-2), 1e-12);
        var i = new ParamSpec.IntParam("k", 16, 256, false, 16, null);
        for (long v = 16; v <= 256; v += 16) assertEquals(v, i.fromUnit(i.toUnit(v)));
        assertEquals(16, i.fromUnit(0));
        assertEquals(256, i.fromUnit(1));
        var li = new ParamSpec.IntParam("k", 1, 100, true, 1, null);
        for (long v = 1; v <= 100; v++) assertEquals(v, li.fromUnit(li.toUnit(v)));
    }
}
