package io.promptune.cli;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.SearchSpaceException;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.StudyStorage;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialJson;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.external.ExternalObjective;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.Storages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Tunes any program: starts the objective command once, writes one JSON object of parameters per
 * line to its stdin, reads one number per line from its stdout, and prints the best trial as JSON.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true,
        description = {"Optimizes an external objective program over a search space.",
                "The program reads one JSON object of parameters per line on stdin and prints one number per line.",
                "Trials whose program dies, hangs or prints garbage are marked FAILED; the study goes on."})
public final class OptimizeCommand implements Callable<Integer> {
    @Option(names = "--space", required = true, paramLabel = "SPACE.json",
            description = "Search space: a JSON list of {\"name\",\"type\":\"float|int|categorical|fixed\",\"low\",\"high\",\"log\",\"step\",\"choices\",\"condition\"}.")
    Path space;

    @Option(names = "--objective-cmd", required = true, paramLabel = "CMD", description = "Command run with sh -c, once for the whole study.")
    String objectiveCmd;

    @Option(names = "--direction", defaultValue = "minimize", split = ",", paramLabel = "minimize|maximize",
            description = "Direction(s); several (comma-separated) for several objectives printed on one line. Default: ${DEFAULT-VALUE}.")
    List<String> directions;

    @Option(names = "--sampler", defaultValue = "auto", description = "auto, gp, tpe, tpe-univariate, sobol, grid or random. Default: ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--trials", defaultValue = "50", description = "Trials to run in this invocation. Default: ${DEFAULT-VALUE}.")
    int trials;

    @Option(names = "--seed", description = "Seed for the sampler (default: random).")
    Long seed;

    @Option(names = "--storage", defaultValue = "memory", paramLabel = "URL",
            description = "memory, journal:PATH (or PATH.jsonl: resumable, every trial fsynced) or jdbc:postgresql://HOST:PORT/DB?user=U. Default: ${DEFAULT-VALUE}.")
    String storage;

    @Option(names = "--study", defaultValue = "optimize", description = "Study name inside the storage. Default: ${DEFAULT-VALUE}.")
    String studyName;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds to wait for one answer. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--enqueue", paramLabel = "JSON", description = "A known configuration to evaluate first (e.g. the current settings), repeatable.")
    List<String> enqueue = new ArrayList<>();

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (trials < 0) throw new Main.UserError("--trials must be >= 0");
        if (!Files.isRegularFile(space)) throw new Main.UserError(space + ": search space file not found");
        SearchSpace sp;
        List<Direction> dirs = new ArrayList<>();
        try {
            sp = SearchSpace.fromJsonFile(space);
            for (String d : directions) dirs.add(Direction.parse(d));
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        StudyStorage st;
        try {
            st = Storages.open(storage);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        long s = seed != null ? seed : System.nanoTime();
        try (st; ExternalObjective objective = ExternalObjective.shell(objectiveCmd, Duration.ofSeconds(timeoutSeconds), dirs.size())) {
            Study study;
            try {
                study = Study.builder().name(studyName).space(sp).directions(dirs).sampler(Samplers.create(sampler, s)).storage(st).build();
                for (String json : enqueue) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> p = TrialJson.MAPPER.readValue(json, Map.class);
                    study.enqueue(p);
                }
            } catch (SearchSpaceException e) {
                throw new Main.UserError("--enqueue: " + e.getMessage());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new Main.UserError(e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Main.UserError("--enqueue: not a JSON object: " + e.getOriginalMessage());
            }
            for (int i = 0; i < trials; i++) {
                Trial t = study.runOne(objective);
                if (!quiet) System.err.println(progressLine(t));
            }
            return printBest(study);
        }
    }

    private static String progressLine(Trial t) {
        String params = TrialJson.MAPPER.valueToTree(t.params()).toString();
        return switch (t.state()) {
            case COMPLETE -> "trial " + t.number() + " " + t.values() + " " + params;
            case FAILED -> "trial " + t.number() + " FAILED: " + t.error() + " " + params;
            default -> "trial " + t.number() + " " + t.state() + " " + params;
        };
    }

    private int printBest(Study study) {
        List<Trial> best = study.directions().size() == 1 ? study.bestTrial().map(List::of).orElse(List.of()) : study.bestTrials();
        long failed = study.trials().stream().filter(t -> t.state() == TrialState.FAILED).count();
        if (!quiet && failed > 0) System.err.println(failed + " trial(s) failed; see the errors above");
        if (best.isEmpty()) {
            System.err.println("error: no trial completed successfully");
            return Main.EXIT_FAILED;
        }
        for (Trial t : best) {
            var o = TrialJson.MAPPER.createObjectNode();
            o.put("number", t.number());
            o.set("params", TrialJson.MAPPER.valueToTree(t.params()));
            if (t.values().size() == 1) o.put("value", t.value());
            o.set("values", TrialJson.MAPPER.valueToTree(t.values()));
            System.out.println(o);
        }
        return 0;
    }
}
