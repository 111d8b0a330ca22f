package io.promptune.optimizer.promptsearch;

/**
 * One proposed instruction and where it came from.
 *
 * @param id            p1, p2, ... in order of proposal
 * @param instruction   the text (also the value of the "instruction" parameter)
 * @param style         the meta-prompt: "ape" (induced from input/output pairs) or "opro" (from scored earlier instructions and failures)
 * @param metaPrompt    the exact meta-prompt sent to the proposer
 * @param parentTrial   the incumbent trial whose other parameters the proposal was first tried with (null if none yet)
 * @param proposerModel the proposer's model id
 * @param round         proposal round (0-based)
 * @param queuedTrial   the trial number queued to try it, or null
 * @param createdAt     ISO-8601 time
 */
public record Proposal(String id, String instruction, String style, String metaPrompt, Integer parentTrial,
                       String proposerModel, int round, Integer queuedTrial, String createdAt) { }
