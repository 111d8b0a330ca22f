package io.promptune.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptune.optimizer.promptsearch.PromptSearchOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt-search keys of a tune config: {@code task}, {@code fewshot}, {@code proposals} and
 * {@code template_parts}. None of them given means no prompt search (options null).
 */
final class PromptSearchConfig {
    private PromptSearchConfig() { }

    record Parsed(PromptSearchOptions options, TuneConfig.ModelSpec proposer) { }

    static Parsed parse(Section root, Path base, long seed) {
        if (!root.has("fewshot") && !root.has("proposals") && !root.has("template_parts")) {
            if (root.has("task")) root.string("task", null);
            return new Parsed(null, null);
        }
        String task = root.string("task", null);

        int maxShots = 0;
        List<String> strategies = List.of();
        Section f = root.section("fewshot").orElse(null);
        if (f != null) {
            f.allow("max", "strategies");
            maxShots = f.whole("max", 0, 4L).intValue();
            strategies = f.has("strategies") ? f.strings("strategies") : List.of("random", "nearest");
            for (String s : strategies) {
                if (!List.of("random", "nearest", "bootstrapped").contains(s)) {
                    throw f.error("strategies", "expected random, nearest or bootstrapped, got \"" + s + "\"");
                }
            }
        }

        PromptSearchOptions.Proposals proposals = null;
        TuneConfig.ModelSpec proposer = null;
        Section p = root.section("proposals").orElse(null);
        if (p != null) {
            p.allow("enabled", "every", "count", "rounds", "proposer");
            if (p.bool("enabled", true)) {
                proposals = new PromptSearchOptions.Proposals(p.whole("every", 1, 5L).intValue(), p.whole("count", 1, 3L).intValue(),
                        p.whole("rounds", 1, 3L).intValue());
                Section m = p.section("proposer").orElse(null);
                if (m != null) proposer = TuneConfig.model(m, base);
                else if (p.has("proposer") && !"same".equals(p.string("proposer", "same"))) {
                    throw p.error("proposer", "expected a model like {path: default} or {provider: openai, name: gpt-4o-mini}, or \"same\"");
                }
            }
        }

        PromptSearchOptions.TemplateParts parts = PromptSearchOptions.TemplateParts.NONE;
        Section t = root.section("template_parts").orElse(null);
        if (t != null) {
            t.allow("system_prompt", "format_hint", "answer_prefix", "raw_completion", "format_hint_text");
            List<String> prefixes = new ArrayList<>();
            JsonNode ap = t.raw("answer_prefix");
            if (ap != null && ap.isTextual()) prefixes.add(ap.asText());
            else if (ap != null && ap.isBoolean()) { if (ap.asBoolean()) prefixes.add("Answer:"); }
            else if (ap != null) prefixes.addAll(t.strings("answer_prefix"));
            parts = new PromptSearchOptions.TemplateParts(t.bool("system_prompt", false), t.bool("format_hint", false),
                    prefixes, t.bool("raw_completion", false));
        }
        String hintText = t == null ? null : t.string("format_hint_text", null);
        return new Parsed(new PromptSearchOptions(maxShots, strategies, proposals, parts, task, hintText, seed), proposer);
    }
}
