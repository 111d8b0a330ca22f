package io.promptune.datasets;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads rows from JSON Lines and from JSON documents in the shapes datasets are usually exported in:
 * a top-level array of objects; {"data": [...]}, {"examples": [...]} or {"rows": [...]} wrappers; the
 * Hugging Face datasets-server shape {"rows": [{"row_idx": 0, "row": {...}}]}; and column-oriented
 * objects {"text": [...], "label": [...]}.
 */
final class JsonRowReader {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> WRAPPERS = List.of("data", "rows", "examples", "records", "train", "test", "validation");

    private JsonRowReader() { }

    static void readJsonLines(Reader in, String file, RowSink sink) throws IOException {
        BufferedReader br = new BufferedReader(in);
        String text;
        int line = 0;
        while ((text = br.readLine()) != null) {
            line++;
            if (line == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
            if (text.isBlank()) continue;
            JsonNode node;
            try {
                node = MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                sink.problem(new DatasetProblem(file, line, null, "malformed JSON: " + e.getOriginalMessage()));
                continue;
            }
            addRow(node, line, file, sink);
        }
    }

    static void readJsonDocument(Reader in, String file, RowSink sink) throws IOException {
        String text = new BufferedReader(in).lines().reduce(new StringBuilder(), (sb, l) -> sb.append(l).append('\n'), StringBuilder::append).toString();
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        try (JsonParser p = MAPPER.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new DatasetException(file, "empty JSON file");
            if (t == JsonToken.START_ARRAY) {
                readArray(p, file, sink);
            } else if (t == JsonToken.START_OBJECT) {
                if (!readWrappedArray(p, file, sink)) readColumns(text, file, sink);
            } else {
                throw new DatasetException(file, "expected a JSON array of rows or an object wrapping one, found " + t.asString());
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new DatasetException(List.of(new DatasetProblem(file, loc == null ? 0 : loc.getLineNr(), null,
                    "malformed JSON: " + e.getOriginalMessage())));
        }
    }

    /** Inside an object: finds the first wrapper field holding an array and reads it. */
    private static boolean readWrappedArray(JsonParser p, String file, RowSink sink) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_ARRAY && WRAPPERS.contains(name)) {
                readArray(p, file, sink);
                return true;
            }
            p.skipChildren();
        }
        return false;
    }

    private static void readArray(JsonParser p, String file, RowSink sink) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) throw new DatasetException(file, "unexpected end of file inside the array of rows");
            int line = p.currentTokenLocation().getLineNr();
            JsonNode node = p.readValueAsTree();
            addRow(node, line, file, sink);
        }
    }

    /** Column-oriented export: every field is an array of the same length, one entry per row. */
    private static void readColumns(String text, String file, RowSink sink) throws IOException {
        JsonNode root = MAPPER.readTree(text);
        int n = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray() || (n >= 0 && e.getValue().size() != n)) {
                throw new DatasetException(file, "a JSON object must wrap its rows in one of " + WRAPPERS
                        + " or hold columns of equal length; field '" + e.getKey() + "' is neither");
            }
            n = e.getValue().size();
        }
        if (n < 0) throw new DatasetException(file, "the JSON object holds no rows");
        for (int i = 0; i < n; i++) {
            ObjectNode row = MAPPER.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                row.set(e.getKey(), e.getValue().get(i));
            }
            addRow(row, 0, file, sink);
        }
    }

    private static void addRow(JsonNode node, int line, String file, RowSink sink) {
        if (!node.isObject()) {
            sink.problem(new DatasetProblem(file, line, null, "a row must be a JSON object, found " + node.getNodeType().name().toLowerCase()));
            return;
        }
        // datasets-server rows: {"row_idx": 3, "row": {...}, "truncated_cells": []}
        if (node.has("row") && node.get("row").isObject() && (node.has("row_idx") || node.size() <= 3)) node = node.get("row");
        sink.row(new RawRow(line, toJava(node)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toJava(JsonNode node) {
        Map<String, Object> m = MAPPER.convertValue(node, LinkedHashMap.class);
        return m;
    }

}
