package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.optimizer.tuning.SideSpending;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.LanguageModel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a language model (any LanguageModel; ideally a stronger one than the model being tuned) for
 * new task instructions, with two kinds of meta-prompt:
 * <ul>
 * <li>APE-style (instruction induction, Zhou et al. 2022): input/output pairs from the tune split,
 *     "what was the instruction?";</li>
 * <li>OPRO-style (Yang et al. 2023), with COPRO's failure feedback: earlier instructions with their
 *     scores in increasing order, examples the best one gets wrong, "write a better one".</li>
 * </ul>
 * Proposals alternate between the two (OPRO first once there are scores). Outputs are cleaned into
 * one instruction: text inside &lt;INS&gt; tags if present, else the first paragraph, minus labels and quotes.
 */
public final class InstructionProposer {
    /** The purpose its calls are recorded under in the study's side spending. */
    public static final String PURPOSE = "proposer";
    public static final String APE = "ape", OPRO = "opro";

    /** An instruction tried so far and its score (higher is better, already turned for minimizing objectives). */
    public record Scored(String instruction, double score) { }

    /** An example the current best configuration got wrong. */
    public record Failure(String input, String expected, String output) { }

    /** What the proposer sees. */
    public record Context(String task, List<Example> examples, List<Scored> history, List<Failure> failures) { }

    /** One cleaned proposal with its meta-prompt. */
    public record Draft(String instruction, String style, String metaPrompt) { }

    private static final Pattern INS = Pattern.compile("<INS>(.*?)(?:</INS>|$)", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern LABEL = Pattern.compile("^(?:new |improved |better |the )?(?:instruction|prompt|answer)\\s*(?:\\d+)?\\s*[:\\-]\\s*", Pattern.CASE_INSENSITIVE);
    private static final int MAX_CHARS = 400;

    private final LanguageModel model;
    private final DecodingParams sampling;
    private final long seed;
    private long calls;
    private final SideSpending spending;

    /** @param spending where each call's use is recorded (purpose "proposer"), so it counts against the budget; may be null */
    public InstructionProposer(LanguageModel model, long seed, SideSpending spending) {
        this(model, DecodingParams.builder().temperature(0.9).topP(0.95).maxTokens(96).build(), seed, spending);
    }

    public InstructionProposer(LanguageModel model, DecodingParams sampling, long seed, SideSpending spending) {
        this.model = model;
        this.sampling = sampling;
        this.seed = seed;
        this.spending = spending;
    }

    /** Calls one round of {@code count} proposals makes (one each), for budget checks. */
    public static long callsPerRound(int count) { return count; }

    public String modelId() { return model.id(); }

    /** Model calls made so far. */
    public synchronized long calls() { return calls; }

    /**
     * Up to {@code count} distinct new instructions (fewer when the proposer repeats itself or returns
     * nothing usable; one call per proposal, each with its own seed).
     */
    public synchronized List<Draft> propose(Context ctx, int count, int round) {
        Set<String> seen = new LinkedHashSet<>();
        for (Scored s : ctx.history()) seen.add(norm(s.instruction()));
        List<Draft> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String style = !ctx.history().isEmpty() && i % 2 == 0 ? OPRO : APE;
            String meta = style.equals(OPRO) ? oproPrompt(ctx) : apePrompt(ctx);
            DecodingParams p = sampling.toBuilder().seed(seed * 1_000_003L + round * 101L + i).build();
            Completion c = model.complete(CompletionRequest.chat(List.of(ChatMessage.user(meta)), p));
            calls++;
            if (spending != null) {
                spending.record(PURPOSE, new SideSpending.Usage(1, c.usage().inputTokens(), c.usage().outputTokens(), c.costUsd()));
            }
            if (c.error() != null) continue;
            String text = clean(c.text());
            if (text == null || !seen.add(norm(text))) continue;
            out.add(new Draft(text, style, meta));
        }
        return out;
    }

    static String apePrompt(Context ctx) {
        StringBuilder sb = new StringBuilder();
        sb.append("I gave a friend an instruction and some inputs. The friend read the instruction and wrote an output for every one of the inputs.\n");
        if (ctx.task() != null && !ctx.task().isBlank()) sb.append("The task: ").append(ctx.task().strip()).append("\n");
        sb.append("Here are the input-output pairs:\n\n");
        for (Example e : ctx.examples()) {
            sb.append("Input: ").append(clip(TuneSplitPool.inputText(e), 300)).append("\nOutput: ").append(clip(e.reference(), 100)).append("\n\n");
        }
        sb.append("Write the instruction I gave my friend, in one or two sentences, between <INS> and </INS>.");
        return sb.toString();
    }

    static String oproPrompt(Context ctx) {
        StringBuilder sb = new StringBuilder();
        sb.append("Your job is to write an instruction that makes a language model do a task well.\n");
        if (ctx.task() != null && !ctx.task().isBlank()) sb.append("The task: ").append(ctx.task().strip()).append("\n");
        sb.append("Below are instructions tried so far with their scores (0 to 100, higher is better), from worst to best:\n\n");
        List<Scored> h = new ArrayList<>(ctx.history());
        h.sort(java.util.Comparator.comparingDouble(Scored::score));
        for (Scored s : h.subList(Math.max(0, h.size() - 8), h.size())) {
            sb.append("text: ").append(clip(s.instruction(), MAX_CHARS)).append("\nscore: ").append(Math.round(100 * s.score())).append("\n\n");
        }
        if (!ctx.failures().isEmpty()) {
            sb.append("The best instruction still gets these examples wrong:\n\n");
            for (Failure f : ctx.failures()) {
                sb.append("Input: ").append(clip(f.input(), 300)).append("\nCorrect output: ").append(clip(f.expected(), 100))
                        .append("\nModel output: ").append(clip(f.output(), 100)).append("\n\n");
            }
        } else if (!ctx.examples().isEmpty()) {
            sb.append("Examples of the task:\n\n");
            for (Example e : ctx.examples()) sb.append("Input: ").append(clip(TuneSplitPool.inputText(e), 300)).append("\nOutput: ").append(clip(e.reference(), 100)).append("\n\n");
        }
        sb.append("Write a new instruction that is different from all the instructions above and would score higher than all of them. "
                + "Keep it short and general. Put it between <INS> and </INS>.");
        return sb.toString();
    }

    /** One usable instruction from a proposer's output, or null. */
    static String clean(String output) {
        if (output == null) return null;
        String t = output.strip();
        Matcher m = INS.matcher(t);
        if (m.find() && !m.group(1).isBlank()) t = m.group(1).strip();
        t = t.replace("<INS>", "").replace("</INS>", "").replace("<ins>", "").replace("</ins>", "").strip();
        String[] paragraphs = t.split("\n\\s*\n");
        t = paragraphs.length == 0 ? "" : paragraphs[0].strip();
        t = LABEL.matcher(t).replaceFirst("").strip();
        if (t.length() >= 2 && (t.startsWith("\"") && t.endsWith("\"") || t.startsWith("'") && t.endsWith("'"))) t = t.substring(1, t.length() - 1).strip();
        if (t.length() > MAX_CHARS) {
            int cut = t.lastIndexOf('.', MAX_CHARS);
            t = cut > 40 ? t.substring(0, cut + 1) : t.substring(0, MAX_CHARS);
        }
        if (t.split("\\s+").length < 3) return null;
        return t;
    }

    private static String norm(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    private static String clip(String s, int n) {
        if (s == null) return "";
        s = s.strip();
        return s.length() <= n ? s : s.substring(0, n) + "...";
    }
}
