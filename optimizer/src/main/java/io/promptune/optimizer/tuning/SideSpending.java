package io.promptune.optimizer.tuning;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model use outside trials (a search extension proposing instructions, bootstrapping demonstrations),
 * kept by purpose. The {@link Tuner} counts it against the study's budget and in its totals, and
 * writes what was spent since the last trial onto the next finished trial (attribute
 * {@value Tuner#ATTR_SIDE_SPENDING}), so a resumed study still knows it. Thread-safe.
 */
public final class SideSpending {
    /** What some calls used. */
    public record Usage(long calls, long inputTokens, long outputTokens, double costUsd) {
        public static final Usage ZERO = new Usage(0, 0, 0, 0);

        public Usage plus(Usage o) {
            return new Usage(calls + o.calls, inputTokens + o.inputTokens, outputTokens + o.outputTokens, costUsd + o.costUsd);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("calls", calls);
            m.put("input_tokens", inputTokens);
            m.put("output_tokens", outputTokens);
            m.put("cost_usd", costUsd);
            return m;
        }

        static Usage fromMap(Object o) {
            if (!(o instanceof Map<?, ?> m)) return ZERO;
            return new Usage(lng(m.get("calls")), lng(m.get("input_tokens")), lng(m.get("output_tokens")),
                    m.get("cost_usd") instanceof Number n ? n.doubleValue() : 0);
        }

        private static long lng(Object o) { return o instanceof Number n ? n.longValue() : 0; }
    }

    private final Map<String, Usage> pending = new LinkedHashMap<>();

    /** Records calls made for {@code purpose} (e.g. "proposer", "bootstrap"). */
    public synchronized void record(String purpose, Usage u) {
        pending.merge(purpose, u, Usage::plus);
    }

    /** Spent but not yet written onto a trial. */
    public synchronized Usage pendingTotal() {
        return pending.values().stream().reduce(Usage.ZERO, Usage::plus);
    }

    /** Hands over (and forgets) what was spent since the last call, by purpose, as a trial attribute value. */
    synchronized Map<String, Object> takePending() {
        Map<String, Object> m = new LinkedHashMap<>();
        pending.forEach((k, v) -> m.put(k, v.toMap()));
        pending.clear();
        return m;
    }

    /** The spending recorded in a trial attribute written by {@link #takePending()}, by purpose. */
    public static Map<String, Usage> fromAttr(Object attr) {
        Map<String, Usage> out = new LinkedHashMap<>();
        if (attr instanceof Map<?, ?> m) m.forEach((k, v) -> out.put(String.valueOf(k), Usage.fromMap(v)));
        return out;
    }
}
