package io.promptune.reports;

import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.promptsearch.PromptParams;
import io.promptune.optimizer.promptsearch.Proposal;
import io.promptune.optimizer.promptsearch.ProposalLog;
import io.promptune.optimizer.tuning.Estimate;
import io.promptune.optimizer.tuning.SideSpending;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.optimizer.tuning.TuningResult;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The report's prompt-search data: every proposed instruction with where it came from (proposer
 * model, meta-prompt style and text, round, the trial whose settings it was first tried with) and
 * how the trials that used it scored (tune split; held-out when the best trial used it), the
 * prompt-search settings of the best trial (few-shot count and strategy, template parts), and the
 * model calls spent outside trials (proposing, bootstrapping), which the totals include.
 */
final class PromptSearchSection {
    private PromptSearchSection() { }

    private static final List<String> SETTINGS = List.of(PromptParams.INSTRUCTION, PromptParams.FEW_SHOT, PromptParams.SHOT_STRATEGY,
            PromptParams.SYSTEM_PROMPT, PromptParams.FORMAT_HINT, PromptParams.ANSWER_PREFIX, PromptParams.CHAT);

    /** The section's data, or null when the study searched no prompt parts and spent nothing outside trials. */
    static Map<String, Object> of(StudyDirectory study, List<Trial> trials, TuningResult result, boolean maximize, List<String> warnings) {
        List<Proposal> proposals = List.of();
        try {
            proposals = ProposalLog.in(study.dir()).all();
        } catch (UncheckedIOException e) {
            warnings.add(e.getMessage());
        }
        return of(proposals, trials, result, maximize);
    }

    static Map<String, Object> of(List<Proposal> proposals, List<Trial> trials, TuningResult result, boolean maximize) {
        Map<String, SideSpending.Usage> side = sideSpending(trials);
        boolean searched = trials.stream().anyMatch(t -> SETTINGS.stream().anyMatch(t.params()::containsKey));
        if (proposals.isEmpty() && side.isEmpty() && !searched) return null;

        Trial best = null;
        if (result != null && result.bestTrial() != null) {
            for (Trial t : trials) if (t.number() == result.bestTrial()) best = t;
        } else { // still running: the best complete trial so far, as the report's other sections show it
            for (Trial t : trials) {
                if (t.state() != TrialState.COMPLETE || !Double.isFinite(t.value())) continue;
                if (best == null || (maximize ? t.value() > best.value() : t.value() < best.value())) best = t;
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Proposal p : proposals) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", p.id());
            r.put("text", p.instruction());
            r.put("style", p.style());
            r.put("metaPrompt", p.metaPrompt());
            r.put("proposerModel", p.proposerModel());
            r.put("round", p.round());
            r.put("parentTrial", p.parentTrial());
            r.put("queuedTrial", p.queuedTrial());
            r.put("createdAt", p.createdAt());
            List<Map<String, Object>> used = new ArrayList<>();
            Map<String, Object> bestUse = null;
            for (Trial t : trials) {
                if (!Objects.equals(p.instruction(), t.params().get(PromptParams.INSTRUCTION))) continue;
                Map<String, Object> u = new LinkedHashMap<>();
                u.put("number", t.number());
                u.put("state", t.state().name());
                u.put("value", Double.isFinite(t.value()) ? t.value() : null);
                u.put("ciLow", t.userAttrs().get(Tuner.ATTR_CI_LOW));
                u.put("ciHigh", t.userAttrs().get(Tuner.ATTR_CI_HIGH));
                used.add(u);
                if (t.state() == TrialState.COMPLETE && u.get("value") != null
                        && (bestUse == null || (maximize ? (double) u.get("value") > (double) bestUse.get("value") : (double) u.get("value") < (double) bestUse.get("value")))) bestUse = u;
            }
            r.put("trials", used);
            r.put("bestTune", bestUse);
            if (best != null && result != null && result.bestHeldOut() != null
                    && Objects.equals(p.instruction(), best.params().get(PromptParams.INSTRUCTION))) {
                Estimate h = result.bestHeldOut().objective();
                r.put("heldOut", Map.of("mean", h.mean(), "ciLow", h.ciLow(), "ciHigh", h.ciHigh(), "n", h.n(), "trial", best.number()));
            }
            rows.add(r);
        }
        d.put("proposals", rows);
        if (best != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            for (String k : SETTINGS) if (best.params().containsKey(k)) s.put(k, best.params().get(k));
            Object ins = best.params().get(PromptParams.INSTRUCTION);
            for (Proposal p : proposals) if (p.instruction().equals(ins)) s.put("proposal", p.id());
            d.put("best", Map.of("number", best.number(), "settings", s));
        }
        Map<String, Object> spent = new LinkedHashMap<>();
        side.forEach((k, v) -> spent.put(k, Map.of("calls", v.calls(), "inputTokens", v.inputTokens(),
                "outputTokens", v.outputTokens(), "costUsd", v.costUsd())));
        d.put("sideSpending", spent);
        return d;
    }

    /** Model use outside trials recorded on the trials, by purpose. */
    static Map<String, SideSpending.Usage> sideSpending(List<Trial> trials) {
        Map<String, SideSpending.Usage> out = new LinkedHashMap<>();
        for (Trial t : trials) {
            SideSpending.fromAttr(t.userAttrs().get(Tuner.ATTR_SIDE_SPENDING)).forEach((k, v) -> out.merge(k, v, SideSpending.Usage::plus));
        }
        return out;
    }

    /**
     * Adds the calls made outside trials to the totals of a study still running (a finished one's
     * result already includes them) and says how many there were.
     */
    static void addToTotals(Map<String, Object> totals, List<Trial> trials, boolean finished) {
        SideSpending.Usage sum = SideSpending.Usage.ZERO;
        for (SideSpending.Usage u : sideSpending(trials).values()) sum = sum.plus(u);
        if (sum.calls() == 0) return;
        totals.put("sideCalls", sum.calls());
        if (finished) return;
        totals.put("inputTokens", ((Number) totals.get("inputTokens")).longValue() + sum.inputTokens());
        totals.put("outputTokens", ((Number) totals.get("outputTokens")).longValue() + sum.outputTokens());
        totals.put("modelCalls", ((Number) totals.get("modelCalls")).longValue() + sum.calls());
        totals.put("costUsd", ((Number) totals.get("costUsd")).doubleValue() + sum.costUsd());
    }
}
