package io.promptune.providers.pricing;

import io.promptune.providers.TokenUsage;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PriceTableTest {
    final PriceTable table = PriceTable.builtIn();

    @Test
    void datedModelNamesFindTheirFamilyLongestEntryFirst() {
        assertEquals(new ModelPrice(0.15, 0.60), table.lookup("gpt-4o-mini-2024-07-18").orElseThrow());
        assertEquals(new ModelPrice(2.50, 10.00), table.lookup("gpt-4o-2024-08-06").orElseThrow());
        assertEquals(new ModelPrice(3.00, 15.00), table.lookup("claude-3-5-sonnet-20241022").orElseThrow());
        assertEquals(new ModelPrice(1.10, 4.40), table.lookup("o1-mini").orElseThrow());
        assertTrue(table.lookup("my-finetune").isEmpty());
        assertTrue(table.lookup("gpt-4oo").isEmpty(), "prefix only at a '-' boundary");
    }

    @Test
    void configOverridesWin() {
        PriceTable t = table.with(Map.of("gpt-4o-mini", new ModelPrice(1, 2), "my-finetune", new ModelPrice(3, 4)));
        assertEquals(new ModelPrice(1, 2), t.lookup("gpt-4o-mini-2024-07-18").orElseThrow());
        assertEquals(new ModelPrice(3, 4), t.lookup("my-finetune").orElseThrow());
    }

    @Test
    void costIsPerMillionTokens() {
        ModelPrice p = new ModelPrice(0.15, 0.60);
        assertEquals(0.15 * 2 + 0.60 * 0.5, p.costUsd(new TokenUsage(2_000_000, 500_000)), 1e-12);
        assertEquals(1.2e-6 * 1 + 0, new ModelPrice(1.2, 0).costUsd(new TokenUsage(1, 7)), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new ModelPrice(-1, 0));
    }
}
