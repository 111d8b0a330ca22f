package io.promptune.cli.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML or JSON file read into a tree that remembers the line of every key and list item, so
 * errors can point at them. JSON when the file name ends in .json, YAML otherwise (YAML also reads
 * JSON).
 */
public final class LocatedTree {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Path file;
    private final JsonNode root;
    private final Map<String, JsonLocation> locations;

    private LocatedTree(Path file, JsonNode root, Map<String, JsonLocation> locations) {
        this.file = file;
        this.root = root;
        this.locations = locations;
    }

    public static LocatedTree read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(file, text);
    }

    public static LocatedTree parse(Path file, String text) {
        JsonFactory factory = file.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? new JsonFactory() : new YAMLFactory();
        Map<String, JsonLocation> locs = new HashMap<>();
        try (JsonParser p = factory.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new ConfigException(file + ": the file is empty; expected a config with model, dataset, templates, space, metrics and budget");
            JsonNode root = node(file, p, "", locs);
            return new LocatedTree(file, root, locs);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new ConfigException(file + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr())
                    + ": not valid " + (factory instanceof YAMLFactory ? "YAML" : "JSON") + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static JsonNode node(Path file, JsonParser p, String path, Map<String, JsonLocation> locs) throws IOException {
        JsonToken t = p.currentToken();
        locs.putIfAbsent(path, p.currentTokenLocation());
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = path.isEmpty() ? name : path + "." + name;
                    locs.put(child, p.currentTokenLocation());
                    p.nextToken();
                    if (o.has(name)) throw new ConfigException(file + ":" + locs.get(child).getLineNr() + ": the key '" + child + "' appears twice");
                    o.set(name, node(file, p, child, locs));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(node(file, p, path + "[" + i++ + "]", locs));
                }
                return a;
            }
            case VALUE_STRING -> { return NODES.textNode(p.getText()); }
            case VALUE_NUMBER_INT -> { return NODES.numberNode(p.getLongValue()); }
            case VALUE_NUMBER_FLOAT -> { return NODES.numberNode(p.getDoubleValue()); }
            case VALUE_TRUE -> { return NODES.booleanNode(true); }
            case VALUE_FALSE -> { return NODES.booleanNode(false); }
            case VALUE_NULL -> { return NODES.nullNode(); }
            default -> throw new ConfigException(file + ":" + p.currentTokenLocation().getLineNr() + ": unexpected " + t);
        }
    }

    public Path file() { return file; }
    public JsonNode root() { return root; }

    /** "config.yaml:12" for a key path such as "budget.trials" (the nearest known parent when absent). */
    public String where(String path) {
        String p = path;
        while (true) {
            JsonLocation l = locations.get(p);
            if (l != null) return file + ":" + l.getLineNr();
            if (p.isEmpty()) return file.toString();
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }
}
