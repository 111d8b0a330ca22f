package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.optimizer.tuning.Configuration;

import io.promptune.datasets.PromptTemplate;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PromptAssemblerTest {
    final List<Example> tune = Fakes.reviews("tune", 9), test = Fakes.reviews("test", 3);
    final TuneSplitPool pool = TuneSplitPool.of(tune, test);
    final PromptTemplate careful = PromptTemplate.chat("Classify the review.", "Review: {{text}}");
    final Map<String, PromptTemplate> templates = Map.of("careful", careful, "plain", PromptTemplate.chat(null, "{{text}}"));
    final PromptAssembler assembler = new PromptAssembler(templates, "careful",
            Map.of("random", new RandomShots(pool, 1)), pool, PromptAssembler.deriveFormatHint(tune));
    final DecodingParams params = DecodingParams.builder().temperature(0.0).build();

    CompletionRequest compose(Map<String, Object> p) {
        return assembler.compose(new Configuration(p), test.getFirst(), params);
    }

    @Test
    void theBaselineIsTheUsersTemplateAsWritten() {
        Map<String, Object> baseline = Map.of("template", "careful", "instruction", PromptParams.FROM_TEMPLATE, "few_shot", 0,
                "system_prompt", true, "format_hint", false, "answer_prefix", "", "chat", true);
        List<ChatMessage> asWritten = List.of(ChatMessage.system("Classify the review."), ChatMessage.user("Review: test item 0 was good"));
        assertEquals(asWritten, compose(baseline).messages());
        assertEquals(asWritten, compose(Map.of("template", "careful")).messages());
    }

    @Test
    void instructionReplacesTheSystemPromptOrMovesIntoTheUserTurn() {
        CompletionRequest r = compose(Map.of("template", "careful", "instruction", "Think about the tone."));
        assertEquals(List.of(ChatMessage.system("Think about the tone."), ChatMessage.user("Review: test item 0 was good")), r.messages());
        r = compose(Map.of("template", "careful", "instruction", "Think about the tone.", "system_prompt", false));
        assertEquals(List.of(ChatMessage.user("Think about the tone.\n\nReview: test item 0 was good")), r.messages());
        r = compose(Map.of("template", "plain", "system_prompt", false));
        assertEquals(List.of(ChatMessage.user("test item 0 was good")), r.messages(), "no system prompt to move");
    }

    @Test
    void formatHintAndAnswerPrefixGoOnEveryUserTurn() {
        CompletionRequest r = compose(Map.of("template", "plain", "format_hint", true, "answer_prefix", "Answer:", "few_shot", 2,
                "few_shot_strategy", "random"));
        List<ChatMessage> m = r.messages();
        assertEquals(5, m.size(), m.toString());
        String hint = "Answer with one of: negative, neutral, positive.";
        assertEquals("test item 0 was good\n" + hint + "\nAnswer:", m.getLast().content());
        assertTrue(m.get(0).content().endsWith(hint + "\nAnswer:"));
        assertEquals("assistant", m.get(1).role());
    }

    @Test
    void rawCompletionFlattensTheConversationAndStopsAtABlankLine() {
        CompletionRequest r = compose(Map.of("template", "careful", "chat", false, "answer_prefix", "Answer:", "few_shot", 1,
                "few_shot_strategy", "random"));
        assertFalse(r.isChat());
        Example shot = new RandomShots(pool, 1).select(test.getFirst(), 1).getFirst();
        assertEquals("Classify the review.\n\nReview: " + shot.inputs().get("text") + "\nAnswer: " + shot.reference()
                + "\n\nReview: test item 0 was good\nAnswer:", r.rawPrompt());
        assertEquals(List.of("\n\n"), r.params().stop());
        assertEquals(0.0, r.params().temperature());
    }

    @Test
    void aRawTemplateStaysRawWithTheInstructionOnTopAndHintsAtTheEnd() {
        PromptAssembler a = new PromptAssembler(Map.of("raw", PromptTemplate.completion("Review: {{text}}\nSentiment:")), "raw",
                Map.of(), pool, "Answer with one of: negative, neutral, positive.");
        CompletionRequest r = a.compose(new Configuration(Map.of("template", "raw")), test.getFirst(), params);
        assertEquals("Review: test item 0 was good\nSentiment:", r.rawPrompt());
        r = a.compose(new Configuration(Map.of("template", "raw", "instruction", "Be brief.", "format_hint", true)), test.getFirst(), params);
        assertEquals("Be brief.\n\nReview: test item 0 was good\nSentiment:\nAnswer with one of: negative, neutral, positive.", r.rawPrompt());
    }

    @Test
    void derivedFormatHintFallsBackForFreeText() {
        List<Example> free = List.of(new Example("a", Map.of("t", "x"), List.of("a long free-form summary of the text"), Map.of()));
        assertEquals("Give only the answer, with no explanation.", PromptAssembler.deriveFormatHint(free));
    }
}
