package io.promptune.cli;

import io.promptune.datasets.BuiltinDatasets;
import io.promptune.datasets.PromptTemplate;
import io.promptune.datasets.Split;
import io.promptune.evaluators.MetricRegistry;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.tuning.Budget;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;
import io.promptune.providers.LanguageModel;
import io.promptune.reports.HtmlReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The README's Java example, verbatim between the markers; ReadmeSnippetTest runs it and checks the README matches. */
final class ReadmeExample {
    private ReadmeExample() { }

    // README-SNIPPET-START
    static TuningResult tuneSentiment(LanguageModel model, Path out) {
        StudyDirectory dir = new StudyDirectory(out.resolve("sentiment"));   // trials are saved here; rerun to resume
        Split split = Split.byFraction(BuiltinDatasets.load("sentiment"), 0.3, 7);

        TuningResult result = Tuner.builder()
                .model(model)
                .tuneExamples(split.tune().examples())
                .testExamples(split.test().examples())
                .template("plain", PromptTemplate.chat(null, "{{text}}"))
                .template("question", PromptTemplate.chat("You classify the sentiment of reviews.",
                        "Is this review positive, negative or neutral?\n{{text}}\nAnswer with one word."))
                .baseline("plain", Map.of("temperature", 0.8, "max_tokens", 24))   // what you use today
                .space(SearchSpace.builder()
                        .floatParam("temperature", 0.0, 1.2)
                        .intParam("max_tokens", 2, 24)
                        .categorical("template", List.of("plain", "question"))
                        .build())
                .metric(MetricRegistry.standard().parse("choice labels=positive,negative,neutral"))
                .objective("choice", Direction.MAXIMIZE)
                .budget(Budget.trials(20))
                .directory(dir)
                .build()
                .run();

        System.out.println("best " + result.bestParams() + "; held-out vs baseline: " + result.comparison());
        HtmlReport.write(dir, dir.report());
        return result;
    }
    // README-SNIPPET-END
}
