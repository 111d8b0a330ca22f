package io.promptune.localmodel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.tokenizer.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Exact renderings of well-known templates (derived by reading them), Python-isms, and error messages. */
class ChatTemplateTest {
    static final List<ChatMessage> CONV = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi!"),
            ChatMessage.assistant("Hello."), ChatMessage.user("Name a colour."));
    static final List<ChatMessage> NO_SYSTEM = CONV.subList(1, CONV.size());

    static ChatTemplate shared(String file, String bos, String eos) throws IOException {
        Path dir = TestData.chatTemplatesDir().orElse(null);
        assumeTrue(dir != null, "shared chat templates not present");
        return ChatTemplate.of(file, Files.readString(dir.resolve(file)), bos, eos);
    }

    @Test
    void smolLm2TemplateFromTheDefaultModel() {
        Optional<Path> model = TestData.defaultModel();
        assumeTrue(model.isPresent(), "default model not fetched");
        try (GgufFile f = GgufFile.open(model.get())) {
            ChatTemplate t = ChatTemplate.fromGguf(f);
            assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
                    + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n"
                    + "<|im_start|>assistant\n", t.render(CONV, true));
            assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                    + "<|im_start|>user\nHi!<|im_end|>\n", t.render(List.of(ChatMessage.user("Hi!")), false));
        }
    }

    @Test
    void llama31() throws IOException {
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                shared("meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>").render(CONV, true));
    }

    @Test
    void qwen25() throws IOException {
        ChatTemplate t = shared("Qwen-Qwen2.5-7B-Instruct.jinja", "", "<|im_end|>");
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
                + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n"
                + "<|im_start|>assistant\n", t.render(CONV, true));
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi!<|im_end|>\n", t.render(List.of(ChatMessage.user("Hi!")), false));
    }

    @Test
    void mistralNemoPutsTheSystemPromptIntoTheLastUserTurn() throws IOException {
        assertEquals("<s>[INST]Hi![/INST]Hello.</s>[INST]Be brief.\n\nName a colour.[/INST]",
                shared("mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>").render(CONV, true));
    }

    @Test
    void gemma2RefusesASystemMessageWithItsOwnWords() throws IOException {
        ChatTemplate t = shared("google-gemma-2-2b-it.jinja", "<bos>", "<eos>");
        assertEquals("<bos><start_of_turn>user\nHi!<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n"
                + "<start_of_turn>user\nName a colour.<end_of_turn>\n<start_of_turn>model\n", t.render(NO_SYSTEM, true));
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(CONV, true));
        assertEquals("chat template of google-gemma-2-2b-it.jinja refused the conversation: System role not supported",
                e.getMessage());
    }

    @Test
    void phi35() throws IOException {
        ChatTemplate t = shared("microsoft-Phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>");
        assertEquals("<|system|>\nBe brief.<|end|>\n<|user|>\nHi!<|end|>\n<|assistant|>\nHello.<|end|>\n"
                + "<|user|>\nName a colour.<|end|>\n<|assistant|>\n", t.render(CONV, true));
        assertTrue(t.render(CONV, false).endsWith("<|user|>\nName a colour.<|end|>\n<|endoftext|>"));
    }

    @Test
    void chatMlFallbackWhenTheGgufHasNoTemplate() {
        Optional<Path> vocab = TestData.vocabDir().map(d -> d.resolve("ggml-vocab-gpt-2.gguf")).filter(Files::isRegularFile);
        assumeTrue(vocab.isPresent(), "shared vocab files not present");
        try (GgufFile f = GgufFile.open(vocab.get())) {
            GgufException e = assertThrows(GgufException.class, () -> ChatTemplate.fromGguf(f));
            assertTrue(e.getMessage().contains("ggml-vocab-gpt-2.gguf") && e.getMessage().contains("tokenizer.chat_template"),
                    e.getMessage());
            List<String> warnings = new ArrayList<>();
            ChatTemplate t = ChatTemplate.fromGgufOrChatMl(f, warnings::add);
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("ChatML"), warnings.get(0));
            assertEquals("<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n", t.render(List.of(ChatMessage.user("Hi!")), true));
        }
    }

    @Test
    void pythonStringMethodsSlicesAndNotPrecedence() {
        String src = "{{ messages[0].content.strip().upper() }}|{{ ' a  b '.split()|join(',') }}|{{ 'a,b'.split(',')[1] }}"
                + "|{{ messages[0].content.startswith(' x') }}|{{ messages[::-1]|map(attribute='role')|join(',') }}"
                + "|{{ 'abcdef'[1:-1] }}|{{ 'ab'[::-1] }}|{{ '{}-{}'.format(1, 'z') }}|{% set n = 1 %}{{ messages[:n+1]|length }}"
                + "|{{ not undefined_thing is defined }}|{{ {'k': 1}.get('q', 'dflt') }}|{{ messages[0]|tojson }}"
                + "|{% set ns = namespace(i=messages|length - 1) %}{{ ns.i }}";
        ChatTemplate t = ChatTemplate.of(src, "", "");
        assertEquals("X Y|a,b|b|true|user,system|bcde|ba|1-z|2|true|dflt|{\"role\": \"system\", \"content\": \" x y \"}|1",
                t.render(List.of(ChatMessage.system(" x y "), ChatMessage.user("u")), false));
    }

    @Test
    void errorsNameTheTemplateLineAndProblem() {
        ChatTemplate withUnknownFilter = ChatTemplate.of("my.jinja", "a\nb\n{{ messages|foo(1) }}{% if false %}{{ x|bar }}{% endif %}", "", "");
        ChatTemplateException unknownFilter = assertThrows(ChatTemplateException.class, () -> withUnknownFilter.render(CONV, true));
        assertEquals("chat template of my.jinja: line 3: unknown filter 'foo'", unknownFilter.getMessage());
        // like Jinja2, an unknown filter on a branch not taken is no error
        assertEquals("ok", ChatTemplate.of("{% if false %}{{ x|bar }}{% endif %}ok", "", "").render(CONV, true));
        ChatTemplateException syntax = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.of("bad.jinja", "x\n{% for m in messages %}{{ m.content }}", "", ""));
        assertTrue(syntax.getMessage().startsWith("chat template of bad.jinja: line 2: "), syntax.getMessage());
        ChatTemplateException unknownFunction = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.of("fn.jinja", "{{ nope(1) }}", "", "").render(CONV, true));
        assertEquals("chat template of fn.jinja: line 1: Could not resolve function 'nope'", unknownFunction.getMessage());
    }

    @Test
    void rendersConcurrently() throws Exception {
        ChatTemplate t = shared("meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>");
        String expected = t.render(CONV, true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String content = "question " + i;
                results.add(pool.submit(() -> t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user(content)), true)));
            }
            for (int i = 0; i < results.size(); i++) {
                assertTrue(results.get(i).get().contains("\n\nquestion " + i + "<|eot_id|>"), results.get(i).get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(expected, t.render(CONV, true));
    }
}
