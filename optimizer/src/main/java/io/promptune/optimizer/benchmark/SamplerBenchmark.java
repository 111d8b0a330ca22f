package io.promptune.optimizer.benchmark;

import io.promptune.optimizer.Direction;
import io.promptune.optimizer.Evaluation;
import io.promptune.optimizer.ParamSpec;
import io.promptune.optimizer.Sampler;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.InMemoryStorage;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs our samplers on the benchmark functions in-process (no JSON pipe in between, so the timing
 * is the sampler's own) and prints one JSON line per run: best-so-far regret after each trial and
 * the sampler overhead per trial. bench/optimizer/run.sh drives it next to the Optuna peer run.
 *
 * <pre>java ... SamplerBenchmark --seeds 20 --trials 100 --samplers auto,gp,tpe --functions branin,prompt</pre>
 */
public final class SamplerBenchmark {
    public static void main(String[] args) {
        int seeds = 5, trials = 100, seedOffset = 0;
        String samplers = "auto,gp,tpe,tpe-univariate,sobol,random", functions = "branin,hartmann6,rosenbrock4,prompt";
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--seed-offset" -> seedOffset = Integer.parseInt(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--samplers" -> samplers = args[++i];
                case "--functions" -> functions = args[++i];
                case "--check" -> check = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PrintStream out = System.out;
        if (check) {
            printCheck(out);
            return;
        }
        for (String f : functions.split(","))
            for (String s : samplers.split(","))
                for (int seed = seedOffset; seed < seedOffset + seeds; seed++) out.println(run(TestFunctions.byName(f), s, seed, trials));
    }

    static String run(TestFunctions.Problem p, String samplerName, long seed, int trials) {
        Sampler sampler = Samplers.create(samplerName, seed);
        Study study = Study.builder().name(p.name()).space(p.space()).directions(Direction.MINIMIZE).sampler(sampler)
                .storage(new InMemoryStorage()).build();
        long[] fnNanos = {0};
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        study.optimize(t -> {
            long a = System.nanoTime();
            double v = p.f().applyAsDouble(t.params());
            fnNanos[0] += System.nanoTime() - a;
            return Evaluation.of(v);
        }, trials);
        long total = System.nanoTime() - t0;
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        List<Double> curve = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (Trial t : study.trials()) {
            if (t.state() == TrialState.COMPLETE) best = Math.min(best, t.value());
            curve.add(p.regret(best));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{\"function\":\"").append(p.name()).append("\",\"sampler\":\"").append(samplerName)
                .append("\",\"seed\":").append(seed).append(",\"regret\":[");
        for (int i = 0; i < curve.size(); i++) sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6g", curve.get(i)));
        sb.append("],\"overhead_ms_per_trial\":").append(String.format(Locale.ROOT, "%.3f", (total - fnNanos[0]) / 1e6 / trials))
                .append(",\"overhead_cpu_ms_per_trial\":").append(String.format(Locale.ROOT, "%.3f", (cpu - fnNanos[0]) / 1e6 / trials)).append('}');
        return sb.toString();
    }

    /** Values at the same fixed points as functions.py --check. */
    static void printCheck(PrintStream out) {
        for (TestFunctions.Problem p : TestFunctions.all()) {
            for (int k = 0; k < 3; k++) {
                Map<String, Object> params = new LinkedHashMap<>();
                List<ParamSpec> ps = p.space().params();
                for (int i = 0; i < ps.size(); i++) {
                    double u = ((k + 1) * 0.31 + i * 0.17) % 1.0;
                    switch (ps.get(i)) {
                        case ParamSpec.CategoricalParam c -> params.put(c.name(), c.choices().get((int) (u * c.choices().size())));
                        case ParamSpec.IntParam ip -> params.put(ip.name(), (long) (ip.low() + Math.rint(u * (ip.high() - ip.low()))));
                        case ParamSpec.FloatParam f -> params.put(f.name(), f.low() + u * (f.high() - f.low()));
                        default -> { }
                    }
                }
                out.println(String.format(Locale.ROOT, "{\"function\":\"%s\",\"value\":%.12g}", p.name(), p.f().applyAsDouble(params)));
            }
        }
    }
}
