package io.promptune.localmodel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.localmodel.tokenizer.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every chat template in ../shared/models/chat-templates rendered for three conversations (with and
 * without the generation prompt) must equal what Python's Jinja2, set up as Hugging Face transformers
 * does, renders (fixture by bench/peers/make_chat_template_reference.py); where Jinja2 raises the
 * template's own exception, we must raise a ChatTemplateException carrying its message.
 */
class ChatTemplateReferenceTest {
    /**
     * Templates whose output differs from Jinja2's in ways we accept (documented in notes/tokenizer.md);
     * they must still render every message's content.
     */
    static final Set<String> KNOWN_DIFFERENCES = Set.of();

    /** Templates Jinjava cannot evaluate; they must fail with a clear ChatTemplateException. */
    static final Set<String> UNSUPPORTED = Set.of();

    private static JsonNode reference;

    static JsonNode reference() throws IOException {
        if (reference == null) {
            try (InputStream in = ChatTemplateReferenceTest.class.getResourceAsStream("/chat/hf-template-reference.json")) {
                reference = new ObjectMapper().readTree(in);
            }
        }
        return reference;
    }

    static Stream<Arguments> templates() throws IOException {
        Path dir = TestData.chatTemplatesDir().orElse(null);
        if (dir == null) return Stream.of(Arguments.of("(no ../shared/models/chat-templates)", null));
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jinja")).sorted()
                    .map(p -> Arguments.of(p.getFileName().toString(), p)).toList().stream();
        }
    }

    static List<ChatMessage> conversation(JsonNode conv) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : conv) out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void rendersLikeHuggingFace(String name, Path file) throws IOException {
        assumeTrue(file != null, "shared chat templates not present");
        JsonNode ref = reference();
        ChatTemplate t = new JinjaChatTemplate(name, Files.readString(file), ref.get("bos_token").asText(),
                ref.get("eos_token").asText(), () -> ZonedDateTime.of(2024, 7, 26, 10, 0, 0, 0, ZoneId.systemDefault()));
        Map<String, List<ChatMessage>> convs = new HashMap<>();
        ref.get("conversations").properties().forEach(e -> convs.put(e.getKey(), conversation(e.getValue())));
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (JsonNode r : ref.get("results")) {
            if (!r.get("template").asText().equals(name)) continue;
            List<ChatMessage> conv = convs.get(r.get("conversation").asText());
            boolean gen = r.get("add_generation_prompt").asBoolean();
            String what = r.get("conversation").asText() + (gen ? " +gen" : "");
            if (UNSUPPORTED.contains(name)) {
                ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(conv, gen));
                assertTrue(e.getMessage().contains(name), e.getMessage());
                compared++;
                continue;
            }
            if (r.has("error")) {
                String err = r.get("error").asText();
                if (!err.startsWith("TemplateError: ")) { // Jinja2 stricter about undefined names: must still render
                    String got = t.render(conv, gen);
                    for (ChatMessage m : conv) if (!got.contains(m.content())) failures.add(what + ": lost " + m.content());
                    compared++;
                    continue;
                }
                String msg = err.substring("TemplateError: ".length());
                try {
                    t.render(conv, gen);
                    failures.add(what + ": expected the template to refuse with '" + msg + "'");
                } catch (ChatTemplateException e) {
                    if (!e.getMessage().contains(msg) || !e.getMessage().contains(name)) failures.add(what + ": " + e.getMessage());
                }
                compared++;
                continue;
            }
            String expected = r.get("output").asText();
            String got;
            try {
                got = t.render(conv, gen);
            } catch (ChatTemplateException e) {
                failures.add(what + ": " + e.getMessage());
                continue;
            }
            compared++;
            if (KNOWN_DIFFERENCES.contains(name)) {
                for (ChatMessage m : conv) if (!got.contains(m.content())) failures.add(what + ": lost " + m.content());
            } else if (!expected.equals(got)) {
                failures.add(what + ":\n--- expected\n" + expected + "\n--- got\n" + got);
            }
        }
        assertTrue(compared > 0, "no reference renderings for " + name);
        assertEquals("", String.join("\n", failures), name);
    }
}
