package io.promptune.optimizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.optimizer.ParamSpec.CategoricalParam;
import io.promptune.optimizer.ParamSpec.FixedParam;
import io.promptune.optimizer.ParamSpec.FloatParam;
import io.promptune.optimizer.ParamSpec.IntParam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads and writes the JSON form of a {@link SearchSpace}; errors name the entry and the field. */
final class SearchSpaceJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KNOWN = Set.of("name", "type", "low", "high", "log", "step", "choices", "value", "condition");

    private SearchSpaceJson() {
    }

    static SearchSpace parseFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SearchSpaceException(file + ": cannot read the search space file (" + e.getMessage() + ")");
        }
        try {
            return parse(text, file.toString());
        } catch (SearchSpaceException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new SearchSpaceException(file + ": " + e.getMessage());
        }
    }

    static SearchSpace parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SearchSpaceException(source + ": not valid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray())
            throw new SearchSpaceException(source + ": expected a JSON list of parameters like [{\"name\":\"temperature\",\"type\":\"float\",\"low\":0,\"high\":1.5}]");
        List<ParamSpec> params = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) params.add(entry(root.get(i), i));
        return SearchSpace.of(params);
    }

    private static ParamSpec entry(JsonNode n, int index) {
        String where = "entry " + index;
        if (!n.isObject()) throw new SearchSpaceException(where + ": expected an object with \"name\" and \"type\"");
        JsonNode nameNode = n.get("name");
        if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isBlank())
            throw new SearchSpaceException(where + ": field 'name' is missing or not a string");
        String name = nameNode.asText();
        where = "entry " + index + " ('" + name + "')";
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN.contains(f)) throw new SearchSpaceException(where + ": unknown field '" + f + "' (known: " + KNOWN + ")");
        }
        String type = n.has("type") ? n.get("type").asText() : (n.has("choices") ? "categorical" : n.has("value") ? "fixed" : null);
        if (type == null) throw new SearchSpaceException(where + ": field 'type' is missing (float, int, categorical or fixed)");
        Condition cond = condition(n.get("condition"), where);
        try {
            return switch (type) {
                case "float" -> new FloatParam(name, num(n, "low", where), num(n, "high", where), bool(n, "log", where),
                        n.has("step") && !n.get("step").isNull() ? num(n, "step", where) : null, cond);
                case "int" -> new IntParam(name, integer(n, "low", where), integer(n, "high", where), bool(n, "log", where),
                        n.has("step") && !n.get("step").isNull() ? integer(n, "step", where) : 1, cond);
                case "categorical" -> {
                    JsonNode c = n.get("choices");
                    if (c == null || !c.isArray()) throw new SearchSpaceException(where + ": field 'choices' must be a list");
                    List<Object> choices = new ArrayList<>();
                    for (JsonNode x : c) choices.add(MAPPER.convertValue(x, Object.class));
                    yield new CategoricalParam(name, choices, cond);
                }
                case "fixed" -> {
                    if (!n.has("value")) throw new SearchSpaceException(where + ": field 'value' is missing");
                    yield new FixedParam(name, MAPPER.convertValue(n.get("value"), Object.class), cond);
                }
                default -> throw new SearchSpaceException(where + ": field 'type' is '" + type + "'; expected float, int, categorical or fixed");
            };
        } catch (SearchSpaceException e) {
            if (e.getMessage().startsWith("entry ")) throw e;
            throw new SearchSpaceException("entry " + index + ": " + e.getMessage());
        }
    }

    private static Condition condition(JsonNode c, String where) {
        if (c == null || c.isNull()) return null;
        if (!c.isObject() || !c.has("param"))
            throw new SearchSpaceException(where + ": field 'condition' must look like {\"param\":\"do_sample\",\"equals\":true} or {\"param\":\"p\",\"in\":[...]}");
        String parent = c.get("param").asText();
        if (c.has("equals")) return Condition.equals(parent, MAPPER.convertValue(c.get("equals"), Object.class));
        if (c.has("in") && c.get("in").isArray() && !c.get("in").isEmpty()) {
            List<Object> vals = new ArrayList<>();
            for (JsonNode x : c.get("in")) vals.add(MAPPER.convertValue(x, Object.class));
            return Condition.in(parent, vals);
        }
        throw new SearchSpaceException(where + ": field 'condition' needs \"equals\": value or a non-empty \"in\": [values]");
    }

    private static double num(JsonNode n, String f, String where) {
        JsonNode v = n.get(f);
        if (v == null || !v.isNumber()) throw new SearchSpaceException(where + ": field '" + f + "' must be a number");
        return v.asDouble();
    }

    private static long integer(JsonNode n, String f, String where) {
        JsonNode v = n.get(f);
        if (v == null || !v.isNumber() || v.asDouble() != Math.rint(v.asDouble()))
            throw new SearchSpaceException(where + ": field '" + f + "' must be an integer");
        return v.asLong();
    }

    private static boolean bool(JsonNode n, String f, String where) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw new SearchSpaceException(where + ": field '" + f + "' must be true or false");
        return v.asBoolean();
    }

    static String write(SearchSpace space) {
        ArrayNode arr = MAPPER.createArrayNode();
        for (ParamSpec p : space.params()) {
            ObjectNode o = arr.addObject();
            o.put("name", p.name());
            switch (p) {
                case FloatParam f -> {
                    o.put("type", "float").put("low", f.low()).put("high", f.high());
                    if (f.log()) o.put("log", true);
                    if (f.step() != null) o.put("step", f.step());
                }
                case IntParam i -> {
                    o.put("type", "int").put("low", i.low()).put("high", i.high());
                    if (i.log()) o.put("log", true);
                    if (i.step() != 1) o.put("step", i.step());
                }
                case CategoricalParam c -> o.put("type", "categorical").set("choices", MAPPER.valueToTree(c.choices()));
                case FixedParam x -> o.put("type", "fixed").set("value", MAPPER.valueToTree(x.value()));
            }
            if (p.condition() != null) {
                ObjectNode c = o.putObject("condition");
                c.put("param", p.condition().parent());
                c.set("in", MAPPER.valueToTree(p.condition().anyOf()));
            }
        }
        return arr.toString();
    }
}
