package io.promptune.optimizer.samplers;

import io.promptune.optimizer.SamplingContext;
import io.promptune.optimizer.Sampler;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Trial;

import java.util.List;
import java.util.Map;

/**
 * The default: picks a sampler per proposal from the space and the budget. Gaussian-process BO
 * learns most from few trials but costs O(n^3) per proposal, so it is used while the history is
 * small and the space mostly numeric; multivariate TPE otherwise (many trials, mostly categorical
 * spaces, or conditional spaces where a GP's fixed dimensions fit poorly).
 */
public final class AutoSampler implements Sampler {
    static final int GP_MAX_TRIALS = 300;
    private final Sampler tpe;
    private final Sampler gp;
    private String lastChoice = "none";

    public AutoSampler(long seed) {
        this.tpe = TpeSampler.builder().seed(seed).multivariate(true).build();
        this.gp = GpSampler.available() ? new GpSampler(seed) : null;
    }

    /** Which sampler the rule picks for this space and history size. */
    Sampler choose(SearchSpace space, int completed) {
        UnitCodec codec = new UnitCodec(space);
        boolean mostlyNumeric = codec.continuousCount() * 2 >= codec.size();
        if (gp != null && completed < GP_MAX_TRIALS && mostlyNumeric && !space.hasConditions()) return gp;
        return tpe;
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext context) {
        int completed = (int) history.stream().filter(Trial::isComplete).count();
        Sampler s = choose(space, completed);
        lastChoice = s.name();
        return s.sample(space, history, context);
    }

    /** The sampler used for the latest proposal (for logs and reports). */
    public String lastChoice() {
        return lastChoice;
    }

    @Override
    public String name() {
        return "auto";
    }
}
