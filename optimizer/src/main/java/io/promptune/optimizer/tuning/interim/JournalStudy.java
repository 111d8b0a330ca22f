package io.promptune.optimizer.tuning.interim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.optimizer.tuning.StudyPort;
import io.promptune.optimizer.tuning.TrialRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Interim study until the optimizer's Study and StudyStorage land: an append-only JSON-lines
 * journal (one line per event, flushed before returning), random sampling seeded per trial number
 * (so a resumed run samples what an uninterrupted one would), and a median pruner.
 */
public final class JournalStudy implements StudyPort {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String name;
    private final List<ParamSpec> space;
    private final long seed;
    private final boolean maximize;
    private final int pruneAfterTrials;
    private final Map<Integer, TrialRow> trials = new TreeMap<>();
    private final Deque<Map<String, Object>> queue = new ArrayDeque<>();

    public JournalStudy(Path file, String name, List<ParamSpec> space, long seed, boolean maximize, int pruneAfterTrials) {
        this.file = file;
        this.name = name;
        this.space = List.copyOf(space);
        this.seed = seed;
        this.maximize = maximize;
        this.pruneAfterTrials = pruneAfterTrials;
        replay();
    }

    @Override
    public String name() { return name; }

    @Override
    public synchronized List<TrialRow> trials() {
        return List.copyOf(trials.values());
    }

    @Override
    public synchronized void enqueue(Map<String, Object> params) {
        // Like Optuna's skip_if_exists: a configuration already queued or tried is not queued again.
        if (queue.contains(params) || trials.values().stream().anyMatch(t -> t.params().equals(params))) return;
        queue.add(new LinkedHashMap<>(params));
        append(Map.of("op", "enqueue", "params", params));
    }

    @Override
    public synchronized Session ask() {
        // An interrupted trial is re-run under its own number with its own params: never lost, never doubled.
        for (TrialRow t : trials.values()) {
            if (t.state() == TrialRow.State.RUNNING) return start(t.number(), t.params(), false);
        }
        int number = trials.isEmpty() ? 0 : ((TreeMap<Integer, TrialRow>) trials).lastKey() + 1;
        Map<String, Object> params;
        if (!queue.isEmpty()) {
            params = queue.poll();
            append(Map.of("op", "dequeue"));
        } else {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + number);
            params = new LinkedHashMap<>();
            for (ParamSpec p : space) params.put(p.name(), p.sample(r));
        }
        return start(number, params, true);
    }

    private Session start(int number, Map<String, Object> params, boolean fresh) {
        TrialRow old = trials.get(number);
        trials.put(number, new TrialRow(number, TrialRow.State.RUNNING, params, null, Map.of(),
                new TreeMap<>(), Instant.now(), null));
        if (fresh || old != null) append(Map.of("op", "start", "number", number, "params", params));
        return new JournalSession(number, params);
    }

    @Override
    public synchronized void tell(Session s, TrialRow.State state, Double value, Map<String, Object> attrs) {
        TrialRow t = trials.get(s.number());
        trials.put(s.number(), new TrialRow(s.number(), state, t.params(), value, attrs, t.intermediate(), t.start(), Instant.now()));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("op", "finish");
        line.put("number", s.number());
        line.put("state", state.name());
        line.put("value", value);
        line.put("attrs", attrs);
        append(line);
    }

    private final class JournalSession implements Session {
        private final int number;
        private final Map<String, Object> params;
        private int lastStep = -1;

        JournalSession(int number, Map<String, Object> params) {
            this.number = number;
            this.params = params;
        }

        @Override public int number() { return number; }
        @Override public Map<String, Object> params() { return params; }

        @Override
        public void reportIntermediate(int step, double value) {
            synchronized (JournalStudy.this) {
                trials.get(number).intermediate().put(step, value);
                lastStep = step;
                append(Map.of("op", "report", "number", number, "step", step, "value", value));
            }
        }

        /** Median rule: prune when below the median of finished trials' values at the same step. */
        @Override
        public boolean shouldPrune() {
            synchronized (JournalStudy.this) {
                if (lastStep < 0) return false;
                Double mine = trials.get(number).intermediate().get(lastStep);
                List<Double> others = new ArrayList<>();
                for (TrialRow t : trials.values()) {
                    if (t.number() == number || t.state() != TrialRow.State.COMPLETE) continue;
                    Double v = t.intermediate().get(lastStep);
                    if (v != null) others.add(v);
                }
                if (others.size() < pruneAfterTrials || mine == null) return false;
                others.sort(null);
                double median = others.get(others.size() / 2);
                return maximize ? mine < median : mine > median;
            }
        }
    }

    private void append(Map<String, Object> event) {
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Files.writeString(file, JSON.writeValueAsString(event) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the study journal " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private void replay() {
        if (!Files.exists(file)) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the study journal " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                if (i == lines.size() - 1) break; // a torn last line from a crash: the event never completed
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a journal event: " + e.getMessage());
            }
            switch (n.path("op").asText()) {
                case "enqueue" -> queue.add(JSON.convertValue(n.get("params"), LinkedHashMap.class));
                case "dequeue" -> queue.poll();
                case "start" -> {
                    int num = n.get("number").asInt();
                    trials.put(num, new TrialRow(num, TrialRow.State.RUNNING, JSON.convertValue(n.get("params"), LinkedHashMap.class),
                            null, Map.of(), new TreeMap<>(), Instant.now(), null));
                }
                case "report" -> {
                    TrialRow t = trials.get(n.get("number").asInt());
                    if (t != null) t.intermediate().put(n.get("step").asInt(), n.get("value").asDouble());
                }
                case "finish" -> {
                    int num = n.get("number").asInt();
                    TrialRow t = trials.get(num);
                    if (t == null) continue;
                    JsonNode v = n.get("value");
                    trials.put(num, new TrialRow(num, TrialRow.State.valueOf(n.get("state").asText()), t.params(),
                            v == null || v.isNull() ? null : v.asDouble(),
                            JSON.convertValue(n.get("attrs"), LinkedHashMap.class), t.intermediate(), t.start(), Instant.now()));
                }
                default -> throw new IllegalArgumentException(file + ":" + (i + 1) + ": unknown journal event " + n.path("op"));
            }
        }
    }

    /** The trials recorded in a journal file, for reports (read-only; no space or sampler needed). */
    public static List<TrialRow> read(Path file) {
        return new JournalStudy(file, file.getFileName().toString(), List.of(), 0, true, Integer.MAX_VALUE).trials();
    }

}
