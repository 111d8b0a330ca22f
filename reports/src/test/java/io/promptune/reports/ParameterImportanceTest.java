package io.promptune.reports;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ParameterImportanceTest {
    @Test
    void theParameterThatDrivesTheObjectiveRanksFirstWithItsDirection() {
        SplittableRandom r = new SplittableRandom(1);
        List<Map<String, Object>> rows = new ArrayList<>();
        double[] y = new double[60];
        for (int i = 0; i < 60; i++) {
            double t = r.nextDouble(), noise = r.nextDouble();
            String tpl = r.nextBoolean() ? "a" : "b";
            rows.add(Map.of("temperature", t, "noise", noise, "template", tpl));
            y[i] = 1 - t + (tpl.equals("a") ? 0.3 : 0) + 0.02 * r.nextDouble();
        }
        List<ParameterImportance.Entry> imp = ParameterImportance.compute(rows, y, List.of("noise", "template", "temperature"));
        assertEquals("temperature", imp.get(0).param());
        assertEquals("template", imp.get(1).param());
        assertEquals("noise", imp.get(2).param());
        assertTrue(imp.get(0).spearman() < -0.8, "higher temperature, lower objective");
        assertNull(imp.get(1).spearman(), "no direction for a categorical");
        assertEquals(1.0, imp.stream().mapToDouble(ParameterImportance.Entry::importance).sum(), 1e-9);
    }

    @Test
    void ranksShareTies() {
        assertArrayEquals(new double[]{1.5, 1.5, 3}, ParameterImportance.ranks(new double[]{2, 2, 5}));
    }
}
