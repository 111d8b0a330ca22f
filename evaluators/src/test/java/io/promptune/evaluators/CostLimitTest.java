package io.promptune.evaluators;

import io.promptune.providers.Completion;
import io.promptune.providers.FinishReason;
import io.promptune.providers.TokenUsage;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.promptune.evaluators.TextMetricsTest.ex;
import static org.junit.jupiter.api.Assertions.*;

class CostLimitTest {
    private static Completion c(double cost, long in, long out, long ms) {
        return new Completion("text", FinishReason.STOP, new TokenUsage(in, out), Duration.ofMillis(ms), cost, false, null);
    }

    @Test
    void limitsCostTokensAndLatency() {
        CostLimit limit = new CostLimit(0.01, 100, 500, 2000);
        assertEquals(1, limit.score(c(0.005, 300, 50, 1500), ex()).value());
        assertEquals(0, limit.score(c(0.02, 300, 50, 1500), ex()).value());
        assertEquals(0, limit.score(c(0.005, 300, 101, 1500), ex()).value());
        assertEquals(0, limit.score(c(0.005, 450, 51, 1500), ex()).value());
        assertEquals(0, limit.score(c(0.005, 300, 50, 2001), ex()).value());
        assertThrows(IllegalArgumentException.class, () -> limit.score("only text", ex()));
        // in a weighted metric, the completion reaches the cost part and the text reaches the others
        WeightedMetric w = WeightedMetric.builder("w").add(limit, 1).add(new Contains(java.util.List.of("text"), false, false), 1).build();
        assertEquals(1, w.score(c(0.005, 300, 50, 1500), ex()).value());
        assertEquals(0.5, w.score(c(0.5, 300, 50, 1500), ex()).value());
    }
}
