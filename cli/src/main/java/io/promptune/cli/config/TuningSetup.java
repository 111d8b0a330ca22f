package io.promptune.cli.config;

import io.promptune.optimizer.Pruner;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.promptsearch.PromptSearch;
import io.promptune.optimizer.promptsearch.ProposalLog;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.ConfigurationEvaluator;
import io.promptune.optimizer.tuning.PromptBuilder;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningListener;
import io.promptune.optimizer.tuning.interim.MedianPruner;
import io.promptune.optimizer.tuning.interim.SimpleTemplate;
import io.promptune.providers.LanguageModel;

import java.time.Duration;
import java.util.LinkedHashMap;
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
                .pruner(c.racing() ? new MedianPruner(3) : Pruner.NONE)
                .storage(new JournalStorage(dir.journal()))
                .staleAfter(Duration.ofMinutes(1))
                .build();
    }

    public static Map<String, PromptBuilder> templates(TuneConfig c) {
        Map<String, PromptBuilder> out = new LinkedHashMap<>();
        c.templates().forEach((name, t) -> {
            if (t.raw() != null) throw new ConfigException(c.file() + ": templates." + name + ": raw completion templates are not supported in this build yet; use 'user' (and 'system')");
            out.put(name, new SimpleTemplate(t.system(), t.user()));
        });
        return out;
    }

    /** Scores single configurations (the eval command): the config's templates, fixed parameters and metrics. */
    public static ConfigurationEvaluator evaluator(TuneConfig c, LanguageModel model, DataSplit data) {
        return new ConfigurationEvaluator(model, templates(c), c.baselineTemplate(), c.fixed(),
                c.metrics().stream().map(Metrics::create).toList(), c.objectiveMetric(), data.tune(), c.batchSize());
    }

    public static Tuner tuner(TuneConfig c, LanguageModel model, DataSplit data, Study study, StudyDirectory dir,
                              TuningListener listener) {
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
        for (String spec : c.metrics()) b.metric(Metrics.create(spec));
        if (c.promptSearch() == null) return b.build();
        // The proposer is the tuned model unless the config names another (opened for the life of the process).
        LanguageModel proposer = c.proposer() == null ? model : Models.open(c.proposer(), System.err);
        return PromptSearch.of(c.promptSearch(), data.tune(), data.test()).build(b, study, templates(c), c.baselineTemplate(),
                c.direction(), c.objectiveMetric(), proposer, ProposalLog.in(dir.dir()), listener::onMessage);
    }
}
