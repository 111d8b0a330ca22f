package io.promptune.datasets;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class PromptTemplateTest {
    private final Example ex = new Example("e1", Map.of("text", "I love it", "meta", Map.of("city", "Oslo"), "tags", List.of("a", "b"), "n", 3),
            List.of("positive"), Map.of());

    @Test
    void chatRendersSystemAndUser() {
        PromptTemplate t = PromptTemplate.chat("Classify {{ text }}.", "Review: {{text}} in {{meta.city}} {{tags}} n={{n}}");
        RenderedPrompt r = t.render(ex);
        assertTrue(r.isChat());
        assertEquals(List.of(new PromptMessage("system", "Classify I love it."),
                new PromptMessage("user", "Review: I love it in Oslo [\"a\",\"b\"] n=3")), r.messages());
        assertEquals(Set.of("text", "meta.city", "tags", "n"), t.fields());
    }

    @Test
    void completionRendersRaw() {
        RenderedPrompt r = PromptTemplate.completion("Q: {{text}}\nA:").render(ex);
        assertFalse(r.isChat());
        assertEquals("Q: I love it\nA:", r.raw());
    }

    @Test
    void replacementTextIsLiteral() {
        Example dollars = new Example("d", Map.of("text", "costs $1 \\ {{x}}"), List.of(), Map.of());
        assertEquals("costs $1 \\ {{x}}!", PromptTemplate.completion("{{text}}!").render(dollars).raw());
    }

    @Test
    void missingFieldNamesFieldAndExample() {
        TemplateException e = assertThrows(TemplateException.class, () -> PromptTemplate.chat(null, "{{review}}").render(ex));
        assertTrue(e.getMessage().contains("{{review}}") && e.getMessage().contains("'e1'") && e.getMessage().contains("text"), e.getMessage());
    }

    @Test
    void fewShotDemonstrationsComeFirst() {
        Example shot = new Example("s", Map.of("text", "awful"), List.of("negative"), Map.of());
        RenderedPrompt chat = PromptTemplate.chat("sys", "R: {{text}}").render(ex, List.of(shot));
        assertEquals(List.of("system", "user", "assistant", "user"), chat.messages().stream().map(PromptMessage::role).toList());
        assertEquals("negative", chat.messages().get(2).content());
        RenderedPrompt raw = PromptTemplate.completion("R: {{text}} -> ").render(ex, List.of(shot));
        assertEquals("R: awful -> negative\n\nR: I love it -> ", raw.raw());
    }
}
