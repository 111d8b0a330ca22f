package io.promptune.cli.config;

import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.promptsearch.PromptSearch;
import io.promptune.optimizer.promptsearch.PromptParams;
import io.promptune.optimizer.promptsearch.Proposal;
import io.promptune.optimizer.promptsearch.ProposalLog;
import io.promptune.optimizer.storage.InMemoryStorage;
import io.promptune.optimizer.tuning.Configuration;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.ConfigurationEvaluator;
import io.promptune.datasets.PromptTemplate;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningListener;
import io.promptune.optimizer.pruners.RacingPruner;
import io.promptune.cli.Main;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.UnsupportedParameterException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

/** Builds a run's parts from a config: the study folder, the study, the templates and the Tuner. */
public final class TuningSetup {
    private TuningSetup() { }

    public static StudyDirectory directory(TuneConfig c) {
        return new StudyDirectory(c.output().resolve(c.study()));
    }

    /** The study over the folder's journal: created on the first run, resumed on the next ones. */
    public static Study study(TuneConfig c, StudyDirectory dir) {
        return Study.builder()
                .name(c.study())
                .space(c.space())
                .directions(c.direction())
                .sampler(Samplers.create(c.sampler(), c.seed()))
                .pruner(c.racing() ? new RacingPruner() : Pruner.NONE)
                .storage(new JournalStorage(dir.journal()))
                .staleAfter(Duration.ofMinutes(1))
                .build();
    }

    /**
     * Refuses, before trial 1, a config whose space, baseline or fixed values name a decoding parameter
     * the model cannot take (e.g. top_k on OpenAI), instead of failing at trial 7.
     */
    static void checkModelSupports(TuneConfig c, LanguageModel model) {
        Set<String> names = new LinkedHashSet<>();
        c.space().params().forEach(p -> names.add(p.name()));
        names.addAll(c.baselineParams().keySet());
        names.addAll(c.fixed().keySet());
        try {
            model.checkSupported(names);
        } catch (UnsupportedParameterException e) {
            throw new Main.UserError(c.file() + ": " + e.getMessage() + " (remove it from space, baseline.params and fixed)",
                    Main.EXIT_USAGE);
        }
    }

    public static Map<String, PromptTemplate> templates(TuneConfig c) {
        Map<String, PromptTemplate> out = new LinkedHashMap<>();
        c.templates().forEach((name, t) -> out.put(name, t.raw() != null ? PromptTemplate.completion(t.raw()) : PromptTemplate.chat(t.system(), t.user())));
        return out;
    }

    /** A configuration ready to score, and the evaluator a tune trial of this config would score it with. */
    public record EvalRun(ConfigurationEvaluator evaluator, Configuration configuration) { }

    /**
     * Scores single configurations (the eval command) on the same code path as a tune trial: the
     * Tuner this config builds (templates, fixed parameters, metrics, and with prompt search its
     * composer: instruction, few-shot strategies over the tune split, template parts), over a
     * throwaway in-memory study, so nothing is written and no proposal is made. The searched values
     * are normalised by the study's space as a trial's are; {@code instruction} may name a proposal
     * of the study's proposals.jsonl by id (p3) or give any text.
     */
    public static EvalRun evalRun(TuneConfig c, LanguageModel model, DataSplit data, Map<String, Object> chosen) {
        if (data.tune().isEmpty()) { // no trial could run either; score the template as written
            checkModelSupports(c, model);
            return new EvalRun(new ConfigurationEvaluator(model, templates(c), c.baselineTemplate(), c.fixed(),
                    c.metrics().stream().map(TuneConfig::metric).toList(), c.objectiveMetric(), data.tune(), c.batchSize()),
                    new Configuration(chosen));
        }
        Study study = Study.builder()
                .name(c.study())
                .space(c.space())
                .directions(c.direction())
                .sampler(Samplers.create(c.sampler(), c.seed()))
                .pruner(Pruner.NONE)
                .storage(new InMemoryStorage())
                .build();
        ProposalLog log = ProposalLog.in(directory(c).dir()); // only read: eval never proposes
        Tuner tuner = tuner(c, model, data, study, null, new TuningListener() { }, model, log);
        Map<String, Object> params = new LinkedHashMap<>(chosen);
        if (c.promptSearch() != null && c.promptSearch().proposals() != null) params.put(PromptParams.INSTRUCTION, instruction(params, log, study));
        try {
            Map<String, Object> searched = study.space().normalize(params);
            study.space().params().forEach(p -> params.remove(p.name())); // inactive ones (a strategy with 0 shots) go, as in a trial
            params.putAll(searched);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--params: " + e.getMessage(), Main.EXIT_USAGE);
        }
        return new EvalRun(tuner.evaluator(), new Configuration(params));
    }

    /** The instruction text: a proposal id (p3) looked up in the study's log, or the text itself (added to the choices). */
    private static Object instruction(Map<String, Object> params, ProposalLog log, Study study) {
        Object v = params.getOrDefault(PromptParams.INSTRUCTION, PromptParams.FROM_TEMPLATE);
        String s = String.valueOf(v);
        if (s.matches("p\\d+")) {
            for (Proposal p : log.all()) if (p.id().equals(s)) return p.instruction();
            throw new Main.UserError("--params instruction: no proposal '" + s + "' in " + log.file()
                    + (log.size() == 0 ? " (the study has none yet)" : " (known: p1..p" + log.size() + ")"), Main.EXIT_USAGE);
        }
        study.extendChoices(PromptParams.INSTRUCTION, List.of(s));
        return s;
    }

    public static Tuner tuner(TuneConfig c, LanguageModel model, DataSplit data, Study study, StudyDirectory dir,
                              TuningListener listener) {
        // The proposer is the tuned model unless the config names another (opened for the life of the process).
        LanguageModel proposer = c.promptSearch() == null || c.proposer() == null ? model : Models.open(c.proposer(), System.err);
        return tuner(c, model, data, study, dir, listener, proposer, ProposalLog.in(dir.dir()));
    }

    private static Tuner tuner(TuneConfig c, LanguageModel model, DataSplit data, Study study, StudyDirectory dir,
                               TuningListener listener, LanguageModel proposer, ProposalLog log) {
        checkModelSupports(c, model);
        Tuner.Builder b = Tuner.builder()
                .model(model)
                .dataset(data.name())
                .tuneExamples(data.tune())
                .testExamples(data.test())
                .baseline(c.baselineTemplate(), c.baselineParams())
                .fixedParams(c.fixed())
                .objective(c.objectiveMetric(), c.direction())
                .budget(c.budget())
                .study(study)
                .batchSize(c.batchSize())
                .racing(c.racing())
                .listener(listener)
                .directory(dir);
        templates(c).forEach(b::template);
        for (String spec : c.metrics()) b.metric(TuneConfig.metric(spec));
        if (c.promptSearch() == null) return b.build();
        return PromptSearch.of(c.promptSearch(), data.tune(), data.test()).build(b, study, templates(c), c.baselineTemplate(),
                c.direction(), c.objectiveMetric(), proposer, log, listener::onMessage);
    }
}
