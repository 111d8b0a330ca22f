package io.promptune.optimizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON form of a trial, used by storages and by the command line's output. */
public final class TrialJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private TrialJson() {
    }

    public static ObjectNode toJson(Trial t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("number", t.number());
        o.put("state", t.state().name());
        o.set("params", MAPPER.valueToTree(t.params()));
        o.set("values", doubles(t.values()));
        if (t.mean() != null) o.put("mean", t.mean());
        if (t.standardError() != null) o.put("standard_error", t.standardError());
        if (!t.perExampleScores().isEmpty()) o.set("per_example_scores", doubles(t.perExampleScores()));
        if (!t.intermediate().isEmpty()) {
            ObjectNode im = o.putObject("intermediate");
            t.intermediate().forEach((k, v) -> putDouble(im, String.valueOf(k), v));
        }
        if (!t.constraints().isEmpty()) o.set("constraints", doubles(t.constraints()));
        if (!t.userAttrs().isEmpty()) o.set("user_attrs", MAPPER.valueToTree(t.userAttrs()));
        if (t.error() != null) o.put("error", t.error());
        if (t.startedAt() != null) o.put("started_at", t.startedAt().toString());
        if (t.finishedAt() != null) o.put("finished_at", t.finishedAt().toString());
        if (t.modelCalls() != 0) o.put("model_calls", t.modelCalls());
        if (t.plannedSteps() != null) o.put("planned_steps", t.plannedSteps());
        if (t.worker() != null) o.put("worker", t.worker());
        if (t.heartbeat() != null) o.put("heartbeat", t.heartbeat().toString());
        return o;
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode doubles(List<Double> xs) {
        var a = MAPPER.createArrayNode();
        for (Double x : xs) {
            if (x == null || Double.isNaN(x)) a.add("NaN");
            else if (x.isInfinite()) a.add(x > 0 ? "Infinity" : "-Infinity");
            else a.add(x);
        }
        return a;
    }

    private static void putDouble(ObjectNode o, String k, Double x) {
        if (x == null || !Double.isFinite(x)) o.put(k, String.valueOf(x));
        else o.put(k, x);
    }

    private static double asDouble(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }

    private static List<Double> doubleList(JsonNode n) {
        List<Double> out = new ArrayList<>();
        if (n != null) for (JsonNode x : n) out.add(asDouble(x));
        return out;
    }

    @SuppressWarnings("unchecked")
    public static Trial fromJson(JsonNode o) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (o.has("params")) MAPPER.convertValue(o.get("params"), Map.class).forEach((k, v) -> params.put((String) k, JsonValues.canonical(v)));
        Map<Integer, Double> inter = new TreeMap<>();
        if (o.has("intermediate")) o.get("intermediate").properties().forEach(e -> inter.put(Integer.parseInt(e.getKey()), asDouble(e.getValue())));
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (o.has("user_attrs")) MAPPER.convertValue(o.get("user_attrs"), Map.class).forEach((k, v) -> attrs.put((String) k, JsonValues.canonical(v)));
        return new Trial(o.get("number").asInt(), TrialState.valueOf(o.get("state").asText()), params,
                doubleList(o.get("values")), o.has("mean") ? asDouble(o.get("mean")) : null,
                o.has("standard_error") ? asDouble(o.get("standard_error")) : null, doubleList(o.get("per_example_scores")),
                inter, doubleList(o.get("constraints")), attrs, o.has("error") ? o.get("error").asText() : null,
                instant(o, "started_at"), instant(o, "finished_at"), o.has("model_calls") ? o.get("model_calls").asLong() : 0,
                o.has("planned_steps") ? o.get("planned_steps").asInt() : null, o.has("worker") ? o.get("worker").asText() : null,
                instant(o, "heartbeat"));
    }

    private static Instant instant(JsonNode o, String f) {
        return o.has(f) && !o.get(f).isNull() ? Instant.parse(o.get(f).asText()) : null;
    }
}
