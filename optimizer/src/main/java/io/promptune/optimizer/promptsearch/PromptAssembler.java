package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.optimizer.tuning.Configuration;
import io.promptune.datasets.PromptMessage;
import io.promptune.datasets.PromptTemplate;
import io.promptune.datasets.RenderedPrompt;
import io.promptune.optimizer.tuning.PromptComposer;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds a request from a configuration's prompt parameters on top of the user's template: the
 * template renders the example with the chosen demonstrations, then the instruction, system prompt
 * on/off, format hint, answer prefix and chat-or-raw are applied. A parameter the configuration does
 * not set keeps the template as written, so the baseline renders exactly the user's prompt.
 */
public final class PromptAssembler implements PromptComposer {
    private final Map<String, PromptTemplate> templates;
    private final String defaultTemplate;
    private final Map<String, ShotStrategy> strategies;
    private final TuneSplitPool pool;
    private final String formatHint;

    public PromptAssembler(Map<String, PromptTemplate> templates, String defaultTemplate, Map<String, ShotStrategy> strategies,
                           TuneSplitPool pool, String formatHint) {
        this.templates = Map.copyOf(templates);
        this.defaultTemplate = defaultTemplate;
        this.strategies = Map.copyOf(strategies);
        this.pool = pool;
        this.formatHint = formatHint;
    }

    @Override
    public CompletionRequest compose(Configuration config, Example example, DecodingParams params) {
        Map<String, Object> p = config.params();
        PromptTemplate template = templates.get(config.template(defaultTemplate));
        if (template == null) throw new IllegalArgumentException("unknown template '" + config.template(defaultTemplate) + "'; known: " + templates.keySet());
        List<Example> shots = shots(p, example);
        RenderedPrompt prompt = template.render(example, shots);
        if (!prompt.isChat()) return rawTemplate(prompt.raw(), p, params);
        List<ChatMessage> rendered = new ArrayList<>();
        for (PromptMessage m : prompt.messages()) rendered.add(new ChatMessage(m.role(), m.content()));

        String system = null;
        List<ChatMessage> turns = new ArrayList<>();
        for (ChatMessage m : rendered) {
            if (m.role().equals("system") && turns.isEmpty() && system == null) system = m.content();
            else turns.add(m);
        }
        Object instruction = p.get(PromptParams.INSTRUCTION);
        if (instruction != null && !PromptParams.FROM_TEMPLATE.equals(instruction)) system = String.valueOf(instruction);
        boolean asSystem = bool(p, PromptParams.SYSTEM_PROMPT, true);
        boolean hint = bool(p, PromptParams.FORMAT_HINT, false) && formatHint != null;
        String prefix = p.get(PromptParams.ANSWER_PREFIX) instanceof String s ? s.strip() : "";
        boolean chat = bool(p, PromptParams.CHAT, true);

        // Every user turn (demonstrations too) gets the same hint, so the pattern the shots show matches the question.
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            ChatMessage m = turns.get(i);
            if (!m.role().equals("user")) {
                out.add(m);
                continue;
            }
            String text = m.content();
            if (i == 0 && system != null && !asSystem) text = system + "\n\n" + text;
            if (hint) text = text + "\n" + formatHint;
            out.add(new ChatMessage("user", text));
        }
        if (chat) {
            List<ChatMessage> msgs = new ArrayList<>();
            if (system != null && asSystem) msgs.add(ChatMessage.system(system));
            for (ChatMessage m : out) {
                msgs.add(m.role().equals("user") && !prefix.isEmpty() ? new ChatMessage("user", m.content() + "\n" + prefix) : m);
            }
            return CompletionRequest.chat(msgs, params);
        }
        return CompletionRequest.raw(raw(system != null && asSystem ? system : null, out, prefix), rawParams(params));
    }

    /**
     * A raw completion template stays raw (it has no turns to rearrange): a proposed instruction goes
     * on top, the format hint and answer prefix at the end.
     */
    private CompletionRequest rawTemplate(String text, Map<String, Object> p, DecodingParams params) {
        StringBuilder sb = new StringBuilder();
        Object instruction = p.get(PromptParams.INSTRUCTION);
        if (instruction != null && !PromptParams.FROM_TEMPLATE.equals(instruction)) sb.append(instruction).append("\n\n");
        sb.append(text);
        if (bool(p, PromptParams.FORMAT_HINT, false) && formatHint != null) sb.append(sb.toString().endsWith("\n") ? "" : "\n").append(formatHint);
        String prefix = p.get(PromptParams.ANSWER_PREFIX) instanceof String s ? s.strip() : "";
        if (!prefix.isEmpty()) sb.append(sb.toString().endsWith("\n") ? "" : "\n").append(prefix);
        return CompletionRequest.raw(sb.toString(), params);
    }

    /** One completion prompt: instruction, then each demonstration's question and answer, then the question. */
    static String raw(String system, List<ChatMessage> turns, String prefix) {
        StringBuilder sb = new StringBuilder();
        if (system != null) sb.append(system).append("\n\n");
        String lead = prefix.isEmpty() ? "" : prefix + " ";
        for (int i = 0; i < turns.size(); i++) {
            ChatMessage m = turns.get(i);
            if (m.role().equals("user")) {
                sb.append(m.content()).append('\n');
                if (i == turns.size() - 1) sb.append(prefix);
            } else {
                sb.append(lead).append(m.content()).append("\n\n");
            }
        }
        return sb.toString();
    }

    /** A raw prompt has no end-of-turn token to stop at: end the answer at a blank line unless stops are set. */
    private static DecodingParams rawParams(DecodingParams params) {
        if (params.stop() != null && !params.stop().isEmpty()) return params;
        return params.toBuilder().stop(List.of("\n\n")).build();
    }

    private List<Example> shots(Map<String, Object> p, Example example) {
        int k = p.get(PromptParams.FEW_SHOT) instanceof Number n ? n.intValue() : 0;
        if (k <= 0) return List.of();
        String name = p.get(PromptParams.SHOT_STRATEGY) instanceof String s ? s : PromptParams.RANDOM;
        ShotStrategy strategy = strategies.get(name);
        if (strategy == null) throw new IllegalArgumentException("unknown few-shot strategy '" + name + "'; known: " + strategies.keySet());
        return pool.check(strategy.select(example, k), example);
    }

    private static boolean bool(Map<String, Object> p, String key, boolean dflt) {
        return p.get(key) instanceof Boolean b ? b : dflt;
    }

    /**
     * A format hint from the tune split's answers: the label set when there are a few short labels,
     * otherwise a request for the bare answer.
     */
    public static String deriveFormatHint(List<Example> tune) {
        TreeSet<String> labels = new TreeSet<>();
        for (Example e : tune) if (e.reference() != null) labels.add(e.reference().strip());
        boolean fewShortLabels = !labels.isEmpty() && labels.size() <= 8 && labels.stream().allMatch(l -> l.split("\\s+").length <= 3 && l.length() <= 30);
        return fewShortLabels ? "Answer with one of: " + String.join(", ", labels) + "." : "Give only the answer, with no explanation.";
    }
}
