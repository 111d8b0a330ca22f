package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Embedder;
import io.promptune.evaluators.MiniLmEmbedder;
import io.promptune.optimizer.Condition;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.ParamSpec;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.SearchSpaceException;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.tuning.Configuration;
import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.SideSpending;
import io.promptune.datasets.PromptTemplate;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.providers.LanguageModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Prompt search in one place: the parameters it adds to a space, the baseline values that keep the
 * user's prompt as written, and the wiring into a {@link Tuner} (the composer that renders them, the
 * demonstration strategies over the tune split, and the instruction proposer).
 *
 * <pre>{@code
 * PromptSearch ps = PromptSearch.of(options, tune, test);
 * Study study = Study.builder().space(ps.extend(space))...build();
 * Tuner tuner = ps.build(Tuner.builder()...study(study), study, templates, "plain", model, proposer, ProposalLog.in(dir), msg -> {});
 * }</pre>
 */
public final class PromptSearch {
    /** The purpose bootstrapping's calls are recorded under in the study's side spending. */
    public static final String BOOTSTRAP = "bootstrap";
    private final PromptSearchOptions options;
    private final TuneSplitPool pool;
    private final List<Example> tune;
    private BootstrappedShots bootstrapped;
    private NearestShots nearest;
    private ProposalHook proposals;
    private InstructionProposer proposer;
    private Embedder embedder;
    private String embedderName;

    private PromptSearch(PromptSearchOptions options, List<Example> tune, List<Example> test) {
        this.options = options;
        this.tune = List.copyOf(tune);
        this.pool = TuneSplitPool.of(tune, test);
    }

    public static PromptSearch of(PromptSearchOptions options, List<Example> tune, List<Example> test) {
        return new PromptSearch(options, tune, test);
    }

    public PromptSearchOptions options() { return options; }
    public TuneSplitPool pool() { return pool; }

    /** Uses this embedder for "nearest" demonstrations instead of all-MiniLM-L6-v2 (tests; other models). */
    public PromptSearch embedder(Embedder e, String name) {
        this.embedder = e;
        this.embedderName = name;
        return this;
    }

    /** The base space plus the prompt-search parameters; a name already in the base space is an error. */
    public SearchSpace extend(SearchSpace base) {
        return space(base, options);
    }

    /** As {@link #extend}, before the data is at hand (e.g. while reading a config). */
    public static SearchSpace space(SearchSpace base, PromptSearchOptions options) {
        List<ParamSpec> params = new ArrayList<>(base.params());
        List<ParamSpec> add = new ArrayList<>();
        if (options.proposals() != null) add.add(new ParamSpec.CategoricalParam(PromptParams.INSTRUCTION, List.of(PromptParams.FROM_TEMPLATE), null));
        if (options.maxShots() > 0) {
            add.add(new ParamSpec.IntParam(PromptParams.FEW_SHOT, 0, options.maxShots(), false, 1, null));
            List<Object> some = new ArrayList<>();
            for (int k = 1; k <= options.maxShots(); k++) some.add((long) k);
            add.add(new ParamSpec.CategoricalParam(PromptParams.SHOT_STRATEGY, new ArrayList<>(options.strategies()),
                    Condition.in(PromptParams.FEW_SHOT, some)));
        }
        PromptSearchOptions.TemplateParts parts = options.parts();
        if (parts.systemPrompt()) add.add(new ParamSpec.CategoricalParam(PromptParams.SYSTEM_PROMPT, List.of(true, false), null));
        if (parts.formatHint()) add.add(new ParamSpec.CategoricalParam(PromptParams.FORMAT_HINT, List.of(false, true), null));
        if (!parts.answerPrefixes().isEmpty()) {
            List<Object> prefixes = new ArrayList<>();
            prefixes.add("");
            for (String p : parts.answerPrefixes()) if (!p.isBlank() && !prefixes.contains(p.strip())) prefixes.add(p.strip());
            add.add(new ParamSpec.CategoricalParam(PromptParams.ANSWER_PREFIX, prefixes, null));
        }
        if (parts.rawCompletion()) add.add(new ParamSpec.CategoricalParam(PromptParams.CHAT, List.of(true, false), null));
        for (ParamSpec p : add) {
            if (base.param(p.name()) != null) {
                throw new SearchSpaceException("parameter '" + p.name() + "' is both in the space and added by prompt search; remove it from the space");
            }
        }
        params.addAll(add);
        return SearchSpace.of(params);
    }

    /** The prompt-search values of the baseline: the user's prompt exactly as written. */
    public Map<String, Object> baselineParams() {
        return baselineParams(options);
    }

    /** As {@link #baselineParams()}, before the data is at hand. */
    public static Map<String, Object> baselineParams(PromptSearchOptions options) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (options.proposals() != null) m.put(PromptParams.INSTRUCTION, PromptParams.FROM_TEMPLATE);
        if (options.maxShots() > 0) m.put(PromptParams.FEW_SHOT, 0);
        PromptSearchOptions.TemplateParts parts = options.parts();
        if (parts.systemPrompt()) m.put(PromptParams.SYSTEM_PROMPT, true);
        if (parts.formatHint()) m.put(PromptParams.FORMAT_HINT, false);
        if (!parts.answerPrefixes().isEmpty()) m.put(PromptParams.ANSWER_PREFIX, "");
        if (parts.rawCompletion()) m.put(PromptParams.CHAT, true);
        return m;
    }

    /**
     * Completes a Tuner builder (which already has the model, examples, metrics, objective, budget
     * and the study built over {@link #extend}ed space) with prompt search, and builds it. Proposals
     * logged by an earlier run of the same study go back into the space first.
     *
     * @param proposerModel the model that proposes instructions (may be the tuned model); ignored without proposals
     * @param log           where proposals are recorded (e.g. {@link ProposalLog#in} the study folder)
     */
    public Tuner build(Tuner.Builder builder, Study study, Map<String, PromptTemplate> templates, String baselineTemplate,
                       Direction direction, String objectiveMetric, LanguageModel proposerModel, ProposalLog log,
                       Consumer<String> messages) {
        templates.forEach(builder::template);
        builder.baseline(baselineTemplate, baselineParams());
        builder.fewShotPool(pool.examples());
        AtomicReference<Tuner> tunerRef = new AtomicReference<>();
        SideSpending spending = new SideSpending();
        builder.sideSpending(spending);
        Map<String, ShotStrategy> strategies = new LinkedHashMap<>();
        for (String s : options.strategies()) {
            switch (s) {
                case PromptParams.RANDOM -> strategies.put(s, new RandomShots(pool, options.seed()));
                case PromptParams.NEAREST -> strategies.put(s, nearest = new NearestShots(pool, embedder(messages), embedderName));
                case PromptParams.BOOTSTRAPPED -> strategies.put(s, bootstrapped = new BootstrappedShots(pool, examples -> {
                    Tuner t = tunerRef.get();
                    if (!t.canSpendOutsideTrials(examples.size())) {
                        messages.accept("bootstrapping skipped: the budget has no room for " + examples.size()
                                + " more calls; 'bootstrapped' uses labelled tune examples only");
                        return null;
                    }
                    Map<String, Object> zeroShot = new LinkedHashMap<>(t.baselineParams());
                    zeroShot.put(PromptParams.FEW_SHOT, 0);
                    messages.accept("bootstrapping demonstrations: the baseline answers " + examples.size() + " tune examples");
                    Evaluation ev = t.evaluator().evaluate(new Configuration(zeroShot), examples, () -> false);
                    spending.record(BOOTSTRAP, new SideSpending.Usage(ev.modelCalls(), ev.inputTokens(), ev.outputTokens(), ev.costUsd()));
                    return ev;
                }, 1.0, Math.max(8, 4 * options.maxShots()), options.seed()));
                default -> throw new IllegalArgumentException("unknown few-shot strategy " + s);
            }
        }
        String hint = options.formatHint() != null ? options.formatHint() : PromptAssembler.deriveFormatHint(tune);
        builder.composer(new PromptAssembler(templates, baselineTemplate, strategies, pool, hint));
        if (options.proposals() != null) {
            if (proposerModel == null) throw new IllegalArgumentException("instruction proposals need a proposer model");
            List<Object> earlier = log.all().stream().map(p -> (Object) p.instruction()).toList();
            if (!earlier.isEmpty()) study.extendChoices(PromptParams.INSTRUCTION, earlier);
            proposer = new InstructionProposer(proposerModel, options.seed(), spending);
            proposals = new ProposalHook(proposer, options.proposals(), options.taskDescription(), pool, log,
                    p -> instructionText(p, templates, baselineTemplate), objectiveMetric, direction, options.seed(), messages,
                    calls -> tunerRef.get().canSpendOutsideTrials(calls));
            builder.hook(proposals);
        }
        Tuner tuner = builder.build();
        tunerRef.set(tuner);
        return tuner;
    }

    /** Model calls spent outside trials: bootstrapping demonstrations and proposing instructions. */
    public long extraModelCalls() {
        return (bootstrapped == null ? 0 : bootstrapped.teacherCalls()) + (proposer == null ? 0 : proposer.calls());
    }

    public long bootstrapCalls() { return bootstrapped == null ? 0 : bootstrapped.teacherCalls(); }
    public long proposerCalls() { return proposer == null ? 0 : proposer.calls(); }
    public List<Proposal> proposals() { return proposals == null ? List.of() : proposals.log().all(); }
    /** Which similarity "nearest" uses, or null when it is not searched. */
    public String nearestSimilarity() { return nearest == null ? null : nearest.embedderName(); }

    private Embedder embedder(Consumer<String> messages) {
        if (embedder != null) return embedder;
        try {
            MiniLmEmbedder.INSTANCE.embed("warm up");
            embedderName = "all-MiniLM-L6-v2-q (LangChain4j, in-process)";
            return embedder = MiniLmEmbedder.INSTANCE;
        } catch (RuntimeException | LinkageError e) {
            messages.accept("the embedding model could not load (" + e + "); 'nearest' uses TF-IDF cosine similarity instead");
            embedderName = "TF-IDF cosine (lexical fallback)";
            return embedder = new TfIdfEmbedder(pool.examples().stream().map(TuneSplitPool::inputText).toList());
        }
    }

    private static String instructionText(Map<String, Object> params, Map<String, PromptTemplate> templates, String baselineTemplate) {
        Object ins = params.get(PromptParams.INSTRUCTION);
        if (ins != null && !PromptParams.FROM_TEMPLATE.equals(ins)) return String.valueOf(ins);
        Object t = params.getOrDefault(Configuration.TEMPLATE, baselineTemplate);
        PromptTemplate b = templates.get(String.valueOf(t));
        if (b == null) return null;
        if (!b.isChat()) return b.raw();
        return b.system() != null ? b.system() : b.user();
    }
}
