package io.promptune.optimizer.promptsearch;

/** The names of the parameters prompt search adds to a study's space, and their special values. */
public final class PromptParams {
    private PromptParams() { }

    /** Categorical: {@link #FROM_TEMPLATE} or the text of a proposed instruction; grows while the study runs. */
    public static final String INSTRUCTION = "instruction";
    /** Int 0..max: how many demonstrations (the tuning package's "few_shot"). */
    public static final String FEW_SHOT = io.promptune.optimizer.tuning.Configuration.FEW_SHOT;
    /** Categorical: which demonstrations (random, nearest, bootstrapped); active when few_shot > 0. */
    public static final String SHOT_STRATEGY = "few_shot_strategy";
    /** Boolean: send the instruction as a system message (true) or at the top of the user message (false). */
    public static final String SYSTEM_PROMPT = "system_prompt";
    /** Boolean: append an output-format hint ("Answer with one of: ...") to each user message. */
    public static final String FORMAT_HINT = "format_hint";
    /** Categorical string: text the answer should follow, e.g. "Answer:" ("" for none). */
    public static final String ANSWER_PREFIX = "answer_prefix";
    /** Boolean: the model's chat template (true) or one raw completion prompt (false). */
    public static final String CHAT = "chat";

    /** The instruction choice meaning "keep the template's own system prompt". */
    public static final String FROM_TEMPLATE = "(template)";

    public static final String RANDOM = "random", NEAREST = "nearest", BOOTSTRAPPED = "bootstrapped";
}
