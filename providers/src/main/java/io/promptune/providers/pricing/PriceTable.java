package io.promptune.providers.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Prices by model name: a built-in table of common models (prices.json beside this class) with
 * the run config's entries on top. A dated model name finds its family's entry by prefix
 * ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"), the longest matching entry winning.
 */
public final class PriceTable {
    private final Map<String, ModelPrice> prices;

    private PriceTable(Map<String, ModelPrice> prices) {
        this.prices = Map.copyOf(prices);
    }

    public static PriceTable builtIn() {
        try (InputStream in = PriceTable.class.getResourceAsStream("prices.json")) {
            if (in == null) throw new IllegalStateException("built-in price table missing from the jar");
            return new PriceTable(parse(new ObjectMapper().readTree(in), "built-in prices.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("built-in price table unreadable", e);
        }
    }

    public static PriceTable of(Map<String, ModelPrice> prices) {
        return new PriceTable(prices);
    }

    /** This table with {@code overrides} replacing or adding entries. */
    public PriceTable with(Map<String, ModelPrice> overrides) {
        Map<String, ModelPrice> m = new HashMap<>(prices);
        m.putAll(overrides);
        return new PriceTable(m);
    }

    /** Reads {"model": {"input": X, "output": Y}, ...}; keys starting with "_" are comments. */
    public static Map<String, ModelPrice> parse(JsonNode node, String where) {
        Map<String, ModelPrice> m = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("_")) continue;
            JsonNode in = e.getValue().get("input"), out = e.getValue().get("output");
            if (in == null || out == null || !in.isNumber() || !out.isNumber()) {
                throw new IllegalArgumentException(where + ": price of '" + e.getKey()
                        + "' needs numeric fields input and output (USD per million tokens)");
            }
            m.put(e.getKey(), new ModelPrice(in.asDouble(), out.asDouble()));
        }
        return m;
    }

    public Optional<ModelPrice> lookup(String modelName) {
        ModelPrice exact = prices.get(modelName);
        if (exact != null) return Optional.of(exact);
        return prices.entrySet().stream()
                .filter(e -> modelName.startsWith(e.getKey() + "-"))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(Map.Entry::getValue);
    }
}
