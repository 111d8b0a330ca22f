package io.promptune.cli.config;

import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.promptsearch.PromptSearch;
import io.promptune.optimizer.promptsearch.ProposalLog;
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

    /** Scores single configurations (the eval command): the config's templates, fixed parameters and metrics. */
    public static ConfigurationEvaluator evaluator(TuneConfig c, LanguageModel model, DataSplit data) {
        checkModelSupports(c, model);
        return new ConfigurationEvaluator(model, templates(c), c.baselineTemplate(), c.fixed(),
                c.metrics().stream().map(TuneConfig::metric).toList(), c.objectiveMetric(), data.tune(), c.batchSize());
    }

    public static Tuner tuner(TuneConfig c, LanguageModel model, DataSplit data, Study study, StudyDirectory dir,
                              TuningListener listener) {
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
        // The proposer is the tuned model unless the config names another (opened for the life of the process).
        LanguageModel proposer = c.proposer() == null ? model : Models.open(c.proposer(), System.err);
        return PromptSearch.of(c.promptSearch(), data.tune(), data.test()).build(b, study, templates(c), c.baselineTemplate(),
                c.direction(), c.objectiveMetric(), proposer, ProposalLog.in(dir.dir()), listener::onMessage);
    }
}
