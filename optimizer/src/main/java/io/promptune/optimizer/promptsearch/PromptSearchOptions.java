package io.promptune.optimizer.promptsearch;

import java.util.List;
import java.util.Set;

/**
 * What prompt search adds to a study, as a tune config states it.
 *
 * @param maxShots        demonstrations searched over 0..maxShots (0: no few-shot search)
 * @param strategies      which of random, nearest, bootstrapped to offer
 * @param proposals       instruction proposals, or null for none
 * @param parts           template parts searched as parameters
 * @param taskDescription what the task is, for the proposer's meta-prompts (may be null)
 * @param formatHint      the output-format hint text; null derives one from the tune split's labels
 * @param seed            seeds the random demonstrations and the proposer's sampling
 */
public record PromptSearchOptions(int maxShots, List<String> strategies, Proposals proposals, TemplateParts parts,
                                  String taskDescription, String formatHint, long seed) {
    private static final Set<String> KNOWN = Set.of(PromptParams.RANDOM, PromptParams.NEAREST, PromptParams.BOOTSTRAPPED);

    public PromptSearchOptions {
        if (maxShots < 0) throw new IllegalArgumentException("fewshot.max must be >= 0, got " + maxShots);
        strategies = strategies == null || strategies.isEmpty() ? List.of(PromptParams.RANDOM) : List.copyOf(strategies);
        for (String s : strategies)
            if (!KNOWN.contains(s)) throw new IllegalArgumentException("fewshot.strategies: unknown strategy '" + s + "'; expected random, nearest or bootstrapped");
        parts = parts == null ? TemplateParts.NONE : parts;
    }

    /**
     * @param every     propose after every this many finished trials
     * @param count     instructions per round
     * @param maxRounds stop proposing after this many rounds
     */
    public record Proposals(int every, int count, int maxRounds) {
        public Proposals {
            if (every < 1) throw new IllegalArgumentException("proposals.every must be >= 1, got " + every);
            if (count < 1) throw new IllegalArgumentException("proposals.count must be >= 1, got " + count);
            if (maxRounds < 1) throw new IllegalArgumentException("proposals.rounds must be >= 1, got " + maxRounds);
        }
    }

    /**
     * Which template parts become parameters.
     *
     * @param systemPrompt   search system message on/off
     * @param formatHint     search the output-format hint on/off
     * @param answerPrefixes answer prefixes to try besides none (e.g. "Answer:"); empty for no search
     * @param rawCompletion  search chat template vs raw completion
     */
    public record TemplateParts(boolean systemPrompt, boolean formatHint, List<String> answerPrefixes, boolean rawCompletion) {
        public static final TemplateParts NONE = new TemplateParts(false, false, List.of(), false);
        public static final TemplateParts ALL = new TemplateParts(true, true, List.of("Answer:"), true);

        public TemplateParts {
            answerPrefixes = answerPrefixes == null ? List.of() : List.copyOf(answerPrefixes);
        }
    }

    public static PromptSearchOptions of(int maxShots, List<String> strategies, Proposals proposals, TemplateParts parts) {
        return new PromptSearchOptions(maxShots, strategies, proposals, parts, null, null, 0);
    }

    public PromptSearchOptions withTask(String description) {
        return new PromptSearchOptions(maxShots, strategies, proposals, parts, description, formatHint, seed);
    }

    public PromptSearchOptions withSeed(long s) {
        return new PromptSearchOptions(maxShots, strategies, proposals, parts, taskDescription, formatHint, s);
    }
}
