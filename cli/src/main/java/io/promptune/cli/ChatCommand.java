package io.promptune.cli;

import io.promptune.localmodel.GenerationResult;
import io.promptune.localmodel.LocalModel;
import io.promptune.localmodel.chat.ChatMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"A conversation with a local model: each line on stdin is a user message; the reply is",
                "streamed to stdout. End with EOF (Ctrl-D) or a line '/exit'."},
        footer = {"", "Example:", "  promptune chat --model model.gguf --temperature 0.7"})
final class ChatCommand implements Callable<Integer> {
    @Mixin
    GenerateCommand.EngineOptions engine;

    @Option(names = "--system", paramLabel = "TEXT", description = "a system message that opens the conversation")
    String system;

    @Override
    public Integer call() throws IOException {
        engine.sampling();
        try (LocalModel model = engine.load()) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) messages.add(ChatMessage.system(system));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                messages.add(ChatMessage.user(line));
                String prompt = GenerateCommand.renderChat(model, messages);
                GenerationResult r = GenerateCommand.generate(model, engine.request(prompt), out);
                out.println();
                messages.add(ChatMessage.assistant(r.text()));
            }
            return 0;
        }
    }
}
