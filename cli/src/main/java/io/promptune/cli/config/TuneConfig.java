package io.promptune.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.MetricRegistry;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.promptsearch.PromptSearch;
import io.promptune.optimizer.promptsearch.PromptSearchOptions;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.SearchSpaceException;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.tuning.Budget;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tuning run as written in a YAML or JSON file, checked key by key. See {@link #EXAMPLE} for
 * every key. Relative paths (dataset file, model file, output) are relative to the config file.
 */
public record TuneConfig(Path file, String study, ModelSpec model, DatasetSpec dataset, Map<String, TemplateSpec> templates,
                         String baselineTemplate, Map<String, Object> baselineParams, Map<String, Object> fixed,
                         SearchSpace space, List<String> metrics, String objectiveMetric, Direction direction,
                         Budget budget, String sampler, long seed, boolean racing, int batchSize, Path output,
                         PromptSearchOptions promptSearch, ModelSpec proposer) {

    public static final String EXAMPLE = """
            study: sentiment-v1               # name of the study (default: the config file's name)
            model:
              path: default                   # "default" (SmolLM2-135M-Instruct) or a .gguf file
              # provider: openai              # or a remote model: openai, anthropic, gemini, ollama, mistral
              # name: gpt-4o-mini
              # api_key_env: OPENAI_API_KEY   # the key is read from this environment variable
              # base_url: http://127.0.0.1:8080/v1
              # price_input_per_million: 0.15
              # price_output_per_million: 0.60
            dataset:
              builtin: sentiment              # or file: data.jsonl (JSONL, CSV or a JSON array)
              # fields: {id: id, inputs: [text], expected: [label]}
              test_fraction: 0.3              # held-out share, never tuned on
              limit: 120                      # use at most this many examples (optional)
              seed: 7
            templates:
              plain:
                user: "{{text}}"
              careful:
                system: "You classify the sentiment of reviews."
                user: "Review: {{text}}\\nAnswer with one word: positive, negative or neutral."
            baseline:                         # your current settings: trial 0, and what the best is compared with
              template: plain
              params: {temperature: 0.8, top_p: 0.95, max_tokens: 32}
            fixed: {seed: 1}                  # decoding parameters every trial uses (optional)
            space:
              - {name: temperature, type: float, low: 0.0, high: 1.2}
              - {name: top_p, type: float, low: 0.5, high: 1.0}
              - {name: max_tokens, type: int, low: 4, high: 48}
              - {name: template, type: categorical, choices: [plain, careful]}
            metrics: ["choice labels=positive,negative,neutral"]
            objective: {metric: choice, direction: maximize}
            budget: {trials: 20, model_calls: 5000, cost_usd: 1.00, time: 20m}
            sampler: auto                     # auto, random, grid, sobol, tpe, tpe-univariate, gp
            seed: 42
            racing: true                      # stop clearly worse trials early
            batch_size: 8
            output: promptune-out             # the study folder goes under here
            # prompt search (optional): few-shot demonstrations, proposed instructions, template parts
            # task: "Classify the sentiment of a product review."   # shown to the instruction proposer
            # fewshot: {max: 4, strategies: [random, nearest, bootstrapped]}
            # proposals: {every: 5, count: 3, rounds: 3}            # proposer: {path: default} (default: the tuned model)
            # template_parts: {system_prompt: true, format_hint: true, answer_prefix: ["Answer:"], raw_completion: true}
            """;

    public record ModelSpec(String path, String provider, String name, String apiKeyEnv, String baseUrl,
                            Double priceInputPerMillion, Double priceOutputPerMillion, Integer concurrency) {
        /** A description safe for logs and reports (no key, only the variable's name). */
        public String describe() {
            return provider == null ? "local:" + path : provider + ":" + name;
        }
    }

    public record DatasetSpec(String builtin, Path file, String idField, List<String> inputs, List<String> expected,
                              double testFraction, long seed, Integer limit, boolean skipBadRows) {
        public String describe() {
            return builtin != null ? "builtin:" + builtin : file.toString();
        }
    }

    public record TemplateSpec(String system, String user, String raw) { }

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?\\s*(?:(\\d+)m)?\\s*(?:(\\d+)s)?");

    public static TuneConfig load(Path file) {
        return parse(LocatedTree.read(file));
    }

    public static TuneConfig parse(LocatedTree tree) {
        Path file = tree.file();
        Path base = file.toAbsolutePath().getParent();
        Section root = Section.root(tree);
        root.allow("study", "model", "dataset", "templates", "baseline", "fixed", "space", "metrics", "objective",
                "budget", "sampler", "seed", "racing", "batch_size", "output", "task", "fewshot", "proposals", "template_parts");

        String fileName = file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        String study = root.string("study", fileName);
        if (!study.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw root.error("study", "expected a name of letters, digits, '.', '_' or '-' (it names a folder), got \"" + study + "\"");
        }

        ModelSpec model = model(root.requiredSection("model", "model: {path: default}"), base);
        DatasetSpec dataset = dataset(root.requiredSection("dataset", "dataset: {builtin: sentiment}"), base);

        Section tpl = root.requiredSection("templates", "templates: {plain: {user: \"{{text}}\"}}");
        Map<String, TemplateSpec> templates = new LinkedHashMap<>();
        for (String name : tpl.keys()) {
            Section t = tpl.section(name).orElseThrow(() -> tpl.error(name, "expected a template with 'user' (and optionally 'system'), or 'raw'"));
            t.allow("system", "user", "raw");
            String user = t.string("user", null), raw = t.string("raw", null);
            if ((user == null) == (raw == null)) {
                throw t.error(null, "expected either 'user' (a chat message, with an optional 'system') or 'raw' (a plain completion prompt)");
            }
            if (raw != null && t.has("system")) throw t.error("system", "a 'raw' template has no system message");
            templates.put(name, new TemplateSpec(t.string("system", null), user, raw));
        }
        if (templates.isEmpty()) throw root.error("templates", "expected at least one template");

        Section baseline = root.section("baseline").orElse(null);
        String baselineTemplate = templates.keySet().iterator().next();
        Map<String, Object> baselineParams = new LinkedHashMap<>();
        if (baseline != null) {
            baseline.allow("template", "params");
            baselineTemplate = baseline.string("template", baselineTemplate);
            if (!templates.containsKey(baselineTemplate)) {
                throw baseline.error("template", "expected one of the templates " + templates.keySet() + ", got \"" + baselineTemplate + "\"");
            }
            baselineParams = baseline.values("params");
        }
        Map<String, Object> fixed = root.values("fixed");

        SearchSpace space = space(root, templates);
        checkParams(root, space, templates);
        PromptSearchConfig.Parsed search = PromptSearchConfig.parse(root, base, root.whole("seed", 0, 42L));
        if (search.options() != null) {
            try {
                space = PromptSearch.space(space, search.options());
            } catch (SearchSpaceException e) {
                throw root.error("space", e.getMessage());
            }
            baselineParams.putAll(PromptSearch.baselineParams(search.options()));
        }
        Map<String, Object> trial0 = new LinkedHashMap<>(baselineParams);
        trial0.put("template", baselineTemplate);
        try {
            space.normalize(trial0);
        } catch (SearchSpaceException e) {
            String at = baseline == null ? null : "baseline.params";
            throw (at == null ? root : baseline).error(at == null ? null : "params", "the baseline (trial 0) needs a value for every searched "
                    + "parameter, as you use it today: " + e.getMessage() + (baseline == null ? "; add baseline: {template: ..., params: {...}}" : ""));
        }

        List<String> metrics = new ArrayList<>();
        JsonNode m = root.raw("metrics");
        if (m == null || m.isNull()) throw root.error(null, "missing 'metrics'; expected for example: metrics: [\"exact_match\"]");
        if (m.isTextual()) metrics.add(m.asText());
        else if (m.isArray()) for (JsonNode e : m) {
            if (!e.isTextual()) throw root.error("metrics", "expected a list of metric specs such as \"exact_match\" or \"choice labels=yes,no\", but an item is " + Section.describe(e));
            metrics.add(e.asText());
        }
        else throw root.error("metrics", "expected a list of metric specs such as [\"exact_match\"], got " + Section.describe(m));
        if (metrics.isEmpty()) throw root.error("metrics", "expected at least one metric");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < metrics.size(); i++) {
            try {
                names.add(metric(metrics.get(i)).name());
            } catch (IllegalArgumentException e) {
                throw root.error("metrics[" + i + "]", e.getMessage());
            }
        }

        String objectiveMetric = names.getFirst();
        Direction direction = Direction.MAXIMIZE;
        Section obj = root.section("objective").orElse(null);
        if (obj != null) {
            obj.allow("metric", "direction");
            objectiveMetric = obj.string("metric", objectiveMetric);
            if (!names.contains(objectiveMetric)) {
                throw obj.error("metric", "expected one of the metrics " + names + ", got \"" + objectiveMetric + "\"");
            }
            String d = obj.string("direction", "maximize");
            try {
                direction = Direction.parse(d);
            } catch (IllegalArgumentException e) {
                throw obj.error("direction", "expected maximize or minimize, got \"" + d + "\"");
            }
        }

        Budget budget = Budget.trials(20);
        Section b = root.section("budget").orElse(null);
        if (b != null) {
            b.allow("trials", "model_calls", "cost_usd", "time");
            Long trials = b.whole("trials", 1, null);
            Long calls = b.whole("model_calls", 1, null);
            Double cost = b.number("cost_usd", 0, 1e9, null);
            Duration time = b.has("time") ? duration(b, "time") : null;
            if (trials == null && calls == null && cost == null && time == null) {
                throw b.error(null, "expected at least one limit: trials, model_calls, cost_usd or time");
            }
            budget = new Budget(trials == null ? null : trials.intValue(), calls, cost, time);
        }

        String sampler = root.string("sampler", "auto");
        if (!Samplers.NAMES.contains(sampler.toLowerCase(Locale.ROOT))) {
            throw root.error("sampler", "expected one of " + Samplers.NAMES + ", got \"" + sampler + "\"");
        }
        long seed = root.whole("seed", 0, 42L);
        boolean racing = root.bool("racing", true);
        int batch = root.whole("batch_size", 1, 8L).intValue();
        Path output = base.resolve(root.string("output", "promptune-out")).normalize();
        return new TuneConfig(file, study, model, dataset, templates, baselineTemplate, baselineParams, fixed, space,
                metrics, objectiveMetric, direction, budget, sampler, seed, racing, batch, output, search.options(), search.proposer());
    }

    static ModelSpec model(Section s, Path base) {
        s.allow("path", "provider", "name", "api_key_env", "base_url", "price_input_per_million", "price_output_per_million", "concurrency");
        String provider = s.string("provider", null);
        String path = s.string("path", null);
        if (provider == null && path == null) throw s.error(null, "expected 'path' (\"default\" or a .gguf file) or 'provider' with 'name'");
        if (provider != null && path != null) throw s.error("path", "give either 'path' (a local model) or 'provider' (a remote one), not both");
        if (provider != null && !s.has("name")) throw s.error(null, "a remote model needs 'name', e.g. name: gpt-4o-mini");
        if (path != null && !path.equals("default")) path = base.resolve(path).normalize().toString();
        Long conc = s.whole("concurrency", 1, null);
        return new ModelSpec(path, provider, s.string("name", null), s.string("api_key_env", null), s.string("base_url", null),
                s.number("price_input_per_million", 0, 1e6, null), s.number("price_output_per_million", 0, 1e6, null),
                conc == null ? null : conc.intValue());
    }

    private static DatasetSpec dataset(Section s, Path base) {
        s.allow("builtin", "file", "fields", "test_fraction", "seed", "limit", "skip_bad_rows");
        String builtin = s.string("builtin", null), file = s.string("file", null);
        if ((builtin == null) == (file == null)) throw s.error(null, "expected either 'builtin' (e.g. sentiment) or 'file' (a JSONL, CSV or JSON file)");
        String id = null;
        List<String> inputs = List.of(), expected = List.of();
        Section f = s.section("fields").orElse(null);
        if (f != null) {
            f.allow("id", "inputs", "expected");
            id = f.string("id", null);
            inputs = f.strings("inputs");
            expected = f.strings("expected");
        }
        Long limit = s.whole("limit", 2, null);
        return new DatasetSpec(builtin, file == null ? null : base.resolve(file).normalize(), id, inputs, expected,
                s.number("test_fraction", 0.0, 0.9, 0.3), s.whole("seed", 0, 7L), limit == null ? null : limit.intValue(),
                s.bool("skip_bad_rows", false));
    }

    /** The search space from the issue-3 JSON form; "template" is added when several templates exist. */
    private static SearchSpace space(Section root, Map<String, TemplateSpec> templates) {
        JsonNode raw = root.raw("space");
        ArrayNode list;
        if (raw == null || raw.isNull()) list = JsonNodeFactory.instance.arrayNode();
        else if (raw.isArray()) list = ((ArrayNode) raw).deepCopy();
        else throw root.error("space", "expected a list of parameters like - {name: temperature, type: float, low: 0.0, high: 1.5}, got " + Section.describe(raw));
        boolean hasTemplate = false;
        for (JsonNode e : list) if (e.isObject() && "template".equals(e.path("name").asText())) hasTemplate = true;
        if (!hasTemplate && templates.size() > 1) {
            ObjectNode t = list.addObject();
            t.put("name", "template");
            t.put("type", "categorical");
            ArrayNode choices = t.putArray("choices");
            templates.keySet().forEach(choices::add);
        }
        if (list.isEmpty()) throw root.error("space", "nothing to tune: give parameters under 'space' or more than one template");
        try {
            return SearchSpace.fromJson(list.toString());
        } catch (SearchSpaceException e) {
            Matcher m = Pattern.compile("^entry (\\d+)").matcher(e.getMessage());
            String at = m.find() ? "space[" + m.group(1) + "]" : "space";
            String msg = e.getMessage().replaceFirst("^entry \\d+:?\\s*", "");
            throw root.error(at, msg);
        }
    }

    private static void checkParams(Section root, SearchSpace space, Map<String, TemplateSpec> templates) {
        for (var p : space.params()) {
            if (p.name().equals("template") && p instanceof io.promptune.optimizer.ParamSpec.CategoricalParam c) {
                for (Object choice : c.choices()) {
                    if (!templates.containsKey(String.valueOf(choice))) {
                        throw root.error("space", "the 'template' parameter offers \"" + choice + "\", which is not one of the templates " + templates.keySet());
                    }
                }
            }
        }
    }

    /** A metric from its spec, "NAME key=value ..." (see `promptune score --help` for the names). */
    public static Metric metric(String spec) {
        if (spec.isBlank()) throw new IllegalArgumentException("expected a metric spec such as \"exact_match\", got an empty text");
        return MetricRegistry.standard().parse(spec);
    }

    static Duration duration(Section s, String k) {
        JsonNode v = s.raw(k);
        if (v.isIntegralNumber() && v.asLong() > 0) return Duration.ofSeconds(v.asLong());
        String text = v.asText().trim().toLowerCase(Locale.ROOT).replace(" ", "");
        Matcher m = DURATION.matcher(text);
        if (v.isTextual() && !text.isEmpty() && m.matches()) {
            long secs = 0;
            if (m.group(1) != null) secs += Long.parseLong(m.group(1)) * 3600;
            if (m.group(2) != null) secs += Long.parseLong(m.group(2)) * 60;
            if (m.group(3) != null) secs += Long.parseLong(m.group(3));
            if (secs > 0) return Duration.ofSeconds(secs);
        }
        throw s.error(k, "expected a duration such as 90s, 20m or 1h30m (or seconds as a number), got " + Section.describe(v));
    }
}
