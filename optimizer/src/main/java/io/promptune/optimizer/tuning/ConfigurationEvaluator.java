package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.datasets.PromptMessage;
import io.promptune.datasets.PromptTemplate;
import io.promptune.datasets.RenderedPrompt;
import io.promptune.evaluators.Bootstrap;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.Score;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.LanguageModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Scores one configuration on a list of examples: renders each prompt, sends the requests to the
 * model in batches, and scores every output with every metric. Batches never cross a checkpoint,
 * so racing can look at the running mean at the same example counts for every trial.
 *
 * <p>A backend that refills its batch ({@link LanguageModel#refillsBatches()}: the local engine) gets
 * windows of up to {@link #WINDOW_BATCHES} batches with the batch size as the width
 * ({@link LanguageModel#completeBatch(List, int)}), so a finished request's slot goes to the next one
 * instead of idling until its batch's longest answer ends; progress is then reported, and a stop request
 * honoured, after each window. Every other backend gets one batch per call, as always.
 */
public final class ConfigurationEvaluator {
    /** Called after every batch; return false to stop early (a pruned trial). */
    public interface Progress {
        boolean afterBatch(List<ExampleResult> soFar, boolean atCheckpoint);
    }

    /**
     * Batches per completeBatch call: a continuous-batching engine idles only at the end of a window
     * (while its last answers finish), so longer windows waste less; four keeps progress and stop
     * requests responsive (a window of 32 requests at the default batch size).
     */
    static final int WINDOW_BATCHES = 4;

    private final LanguageModel model;
    private final Map<String, PromptTemplate> templates;
    private final String defaultTemplate;
    private final Map<String, Object> fixedParams;
    private final List<Metric> metrics;
    private final String objectiveMetric;
    private final List<Example> fewShotPool;
    private final int batchSize;
    private final PromptComposer composer;

    public ConfigurationEvaluator(LanguageModel model, Map<String, PromptTemplate> templates, String defaultTemplate,
                                  Map<String, Object> fixedParams, List<Metric> metrics, String objectiveMetric,
                                  List<Example> fewShotPool, int batchSize) {
        this(model, templates, defaultTemplate, fixedParams, metrics, objectiveMetric, fewShotPool, batchSize, null);
    }

    /** As above, with a composer that builds each request from the whole configuration (null: the template alone). */
    public ConfigurationEvaluator(LanguageModel model, Map<String, PromptTemplate> templates, String defaultTemplate,
                                  Map<String, Object> fixedParams, List<Metric> metrics, String objectiveMetric,
                                  List<Example> fewShotPool, int batchSize, PromptComposer composer) {
        if (templates.isEmpty()) throw new IllegalArgumentException("at least one prompt template is needed");
        if (!templates.containsKey(defaultTemplate)) {
            throw new IllegalArgumentException("the baseline template '" + defaultTemplate + "' is not one of " + templates.keySet());
        }
        if (metrics.isEmpty()) throw new IllegalArgumentException("at least one metric is needed");
        if (metrics.stream().noneMatch(m -> m.name().equals(objectiveMetric))) {
            throw new IllegalArgumentException("the objective metric '" + objectiveMetric + "' is not one of the metrics "
                    + metrics.stream().map(Metric::name).toList());
        }
        this.model = model;
        this.templates = Map.copyOf(templates);
        this.defaultTemplate = defaultTemplate;
        this.fixedParams = Map.copyOf(fixedParams);
        this.metrics = List.copyOf(metrics);
        this.objectiveMetric = objectiveMetric;
        this.fewShotPool = List.copyOf(fewShotPool);
        this.batchSize = Math.max(1, batchSize);
        this.composer = composer;
    }

    public String objectiveMetric() { return objectiveMetric; }
    public List<Metric> metrics() { return metrics; }
    public Map<String, PromptTemplate> templates() { return templates; }
    public String defaultTemplate() { return defaultTemplate; }

    /** Scores every example, in order, with no early stop. */
    public Evaluation evaluate(Configuration config, List<Example> examples, BooleanSupplier stop) {
        return evaluate(config, examples, new int[0], (soFar, cp) -> true, stop);
    }

    /**
     * Scores examples in order, in batches that end at each checkpoint (an example count), calling
     * {@code progress} after each batch. Throws {@link StopRequested} before a batch when
     * {@code stop} says so.
     */
    public Evaluation evaluate(Configuration config, List<Example> examples, int[] checkpoints, Progress progress,
                               BooleanSupplier stop) {
        String templateName = config.template(defaultTemplate);
        PromptTemplate template = templates.get(templateName);
        if (template == null) {
            throw new IllegalArgumentException("unknown template '" + templateName + "'; known: " + templates.keySet());
        }
        Map<String, Object> merged = new LinkedHashMap<>(fixedParams);
        merged.putAll(config.params());
        DecodingParams params = DecodingParams.fromMap(merged);
        int k = config.fewShot();
        int[] cps = Arrays.stream(checkpoints).filter(c -> c > 0 && c < examples.size()).sorted().distinct().toArray();

        int window = model.refillsBatches() ? WINDOW_BATCHES : 1;
        List<ExampleResult> results = new ArrayList<>(examples.size());
        int next = 0, cpIndex = 0;
        boolean complete = true;
        while (next < examples.size()) {
            if (stop.getAsBoolean()) throw new StopRequested();
            int limit = cpIndex < cps.length ? cps[cpIndex] : examples.size();
            int end = (int) Math.min(limit, next + (long) batchSize * window);
            List<Example> batch = examples.subList(next, end);
            List<CompletionRequest> requests = new ArrayList<>(batch.size());
            for (Example ex : batch) {
                requests.add(composer != null ? composer.compose(config, ex, params) : request(template.render(ex, shotsFor(ex, k)), params));
            }
            // a window of one batch is one completeBatch(requests) call for a backend that does not refill
            List<Completion> completions = model.completeBatch(requests, batchSize);
            for (int i = 0; i < batch.size(); i++) {
                results.add(score(batch.get(i), requests.get(i), completions.get(i)));
            }
            next = end;
            boolean atCheckpoint = end == limit && cpIndex < cps.length;
            if (atCheckpoint) cpIndex++;
            if (!progress.afterBatch(results, atCheckpoint)) {
                complete = next >= examples.size();
                break;
            }
        }
        return summarize(config, results, complete);
    }

    /** The first k pool examples other than the one being asked: the same demonstrations for every trial. */
    private List<Example> shotsFor(Example ex, int k) {
        if (k <= 0) return List.of();
        List<Example> shots = new ArrayList<>(k);
        for (Example e : fewShotPool) {
            if (shots.size() == k) break;
            if (!e.id().equals(ex.id()) && e.reference() != null) shots.add(e);
        }
        return shots;
    }

    static CompletionRequest request(RenderedPrompt prompt, DecodingParams params) {
        if (!prompt.isChat()) return CompletionRequest.raw(prompt.raw(), params);
        List<ChatMessage> messages = new ArrayList<>();
        for (PromptMessage m : prompt.messages()) messages.add(new ChatMessage(m.role(), m.content()));
        return CompletionRequest.chat(messages, params);
    }

    private ExampleResult score(Example ex, CompletionRequest prompt, Completion c) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, Map<String, Object>> details = new LinkedHashMap<>();
        for (Metric m : metrics) {
            try {
                Score s = m.score(c, ex);
                scores.put(m.name(), s.value());
                details.put(m.name(), s.details());
            } catch (RuntimeException e) {
                scores.put(m.name(), 0.0);
                details.put(m.name(), Map.of("error", String.valueOf(e.getMessage())));
            }
        }
        return new ExampleResult(ex.id(), ex.inputs(), ex.expected(), renderPrompt(prompt), c.text(),
                c.finishReason() == null ? null : c.finishReason().name(), c.error(), scores, details,
                c.usage().inputTokens(), c.usage().outputTokens(), c.latency().toMillis(), c.costUsd());
    }

    private static String renderPrompt(CompletionRequest prompt) {
        if (!prompt.isChat()) return prompt.rawPrompt();
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : prompt.messages()) {
            if (!sb.isEmpty()) sb.append("\n\n");
            sb.append('[').append(m.role()).append("]\n").append(m.content());
        }
        return sb.toString();
    }

    /** Aggregates per-example results into per-metric estimates and usage totals. */
    public Evaluation summarize(Configuration config, List<ExampleResult> results, boolean complete) {
        Map<String, Estimate> estimates = new LinkedHashMap<>();
        for (Metric m : metrics) {
            double[] x = results.stream().mapToDouble(r -> r.score(m.name())).toArray();
            estimates.put(m.name(), estimate(x));
        }
        long in = 0, out = 0, errors = 0;
        double cost = 0;
        for (ExampleResult r : results) {
            in += r.inputTokens();
            out += r.outputTokens();
            cost += r.costUsd();
            if (r.error() != null) errors++;
        }
        return new Evaluation(config, List.copyOf(results), estimates, objectiveMetric, in, out, cost, results.size(),
                errors, complete);
    }

    /** Mean, standard error and a seeded percentile-bootstrap 95% interval (the evaluators' Bootstrap). */
    static Estimate estimate(double[] x) {
        if (x.length == 0) return new Estimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        io.promptune.evaluators.Estimate ci = Bootstrap.meanCi(x, Bootstrap.DEFAULT_CONFIDENCE, Bootstrap.DEFAULT_RESAMPLES, 42);
        double m = ci.mean(), ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        double se = x.length < 2 ? 0 : Math.sqrt(ss / (x.length - 1) / x.length);
        return new Estimate(m, se, ci.low(), ci.high(), x.length);
    }
}
