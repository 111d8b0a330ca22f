package io.promptune.providers.local;

import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The default model chats through its own GGUF chat template (ChatML with a default system prompt for
 * SmolLM2). A wrong template or a doubled BOS shows as a wrong answer. Skips when the model was not fetched.
 */
class DefaultModelChatTest {
    @Test
    void answersThroughItsOwnChatTemplate() {
        Path file = Path.of(System.getProperty("user.home"), ".cache", "promptune", "models", "SmolLM2-135M-Instruct.Q4_1.gguf");
        assumeTrue(Files.isRegularFile(file), "default model not fetched");
        try (LocalEngineModel m = LocalEngineModel.load(file)) {
            // Worded as llama.cpp's own greedy run answers with Paris (to "What is the capital of France?" it
            // says "L'Étoile, la Marseillaise", and so does this engine, which follows its arithmetic).
            Completion c = m.complete(CompletionRequest.chat(List.of(ChatMessage.user("Which city is the capital of France?")),
                    DecodingParams.builder().temperature(0.0).maxTokens(12).build()));
            assertFalse(c.isError(), c.error());
            assertTrue(c.text().contains("Paris"), c.text());
            assertTrue(c.usage().inputTokens() > 10, "the template's system prompt and headers count: " + c.usage());
        }
    }
}
