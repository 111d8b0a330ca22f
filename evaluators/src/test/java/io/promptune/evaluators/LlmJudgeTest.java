package io.promptune.evaluators;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

import static io.promptune.evaluators.TextMetricsTest.ex;
import static org.junit.jupiter.api.Assertions.*;

class LlmJudgeTest {
    /** A judge that answers with canned replies and records what it was asked. */
    static final class FakeJudge implements LanguageModel {
        final List<CompletionRequest> asked = new ArrayList<>();
        private final String reply;
        private final boolean fail;

        FakeJudge(String reply, boolean fail) {
            this.reply = reply;
            this.fail = fail;
        }

        @Override public String id() { return "fake:judge"; }

        @Override
        public Completion complete(CompletionRequest request) {
            asked.add(request);
            if (fail) return Completion.failed("rate limited", Duration.ZERO);
            return new Completion(reply, FinishReason.STOP, new TokenUsage(10, 5), Duration.ofMillis(3), 0, false, null);
        }

        @Override public Set<String> supportedParameters() { return Set.of("temperature", "max_tokens"); }
    }

    private static double parsed(String reply) {
        OptionalDouble d = LlmJudge.parse(reply, 1, 10);
        return d.isPresent() ? d.getAsDouble() : Double.NaN;
    }

    @Test
    void parsesGradesRobustly() {
        assertEquals(7, parsed("The answer is mostly right.\nScore: 7"));
        assertEquals(8, parsed("**Score:** 8"));
        assertEquals(6, parsed("Initial score: 3. After review, final score = 6."), "the last labelled score wins");
        assertEquals(9, parsed("{\"reason\": \"good\", \"score\": 9}"));
        assertEquals(4, parsed("```json\n{\"score\": \"4\"}\n```"));
        assertEquals(10, parsed("Rating: 10/10"));
        assertEquals(1 + 9 * 4 / 5.0, parsed("I would give it 4 out of 5."), 1e-12, "another denominator is rescaled");
        assertEquals(1 + 9 * 0.8, parsed("Score: 0.8/1"), 1e-12);
        assertEquals(5, parsed("5"));
        assertEquals(10, parsed("PASS - meets the rubric"));
        assertEquals(1, parsed("No, it does not answer."));
        assertTrue(Double.isNaN(parsed("I cannot grade this.")));
        assertTrue(Double.isNaN(parsed("")));
    }

    @Test
    void scoresThroughAnyLanguageModel() {
        FakeJudge judge = new FakeJudge("Accurate and concise. Score: 8", false);
        LlmJudge m = new LlmJudge(judge, "Is the answer correct and concise?", 1, 10);
        Score s = m.score("Paris", ex("Paris"));
        assertEquals(7.0 / 9, s.value(), 1e-12);
        assertEquals("Accurate and concise. Score: 8", s.details().get("judge_reply"));
        String prompt = judge.asked.get(0).messages().get(1).content();
        assertTrue(prompt.contains("Is the answer correct and concise?") && prompt.contains("RESPONSE:\nParis")
                && prompt.contains("REFERENCE ANSWER:\nParis") && prompt.contains("q: question"), prompt);
        assertEquals(0.0, judge.asked.get(0).params().temperature());
    }

    @Test
    void clampsUnreadableAndFailedReplies() {
        assertEquals(1, new LlmJudge(new FakeJudge("Score: 15", false), "r", 1, 10).score("x", ex("y")).value());
        Score none = new LlmJudge(new FakeJudge("hmm", false), "r", 1, 10).score("x", ex("y"));
        assertEquals(0, none.value());
        assertTrue(none.details().containsKey("error"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new LlmJudge(new FakeJudge("", true), "r", 1, 10).score("x", ex("y")));
        assertTrue(e.getMessage().contains("rate limited"));
        assertThrows(IllegalArgumentException.class, () -> new LlmJudge(new FakeJudge("", false), "r", 5, 5));
    }
}
