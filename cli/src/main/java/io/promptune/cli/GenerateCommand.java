package io.promptune.cli;

import io.promptune.localmodel.GenerationRequest;
import io.promptune.localmodel.GenerationResult;
import io.promptune.localmodel.LocalModel;
import io.promptune.localmodel.chat.ChatMessage;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.model.ContextOverflowException;
import io.promptune.localmodel.sampling.SamplingParams;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generates a completion with the local engine and prints only the completion on stdout.",
                "--chat applies the model's chat template to the text as one user message."},
        footer = {"", "Examples:", "  promptune generate --prompt \"Once upon a time\" --max-tokens 32",
                "  promptune generate --model model.gguf --chat \"What is the capital of France?\" --temperature 0"})
final class GenerateCommand implements Callable<Integer> {
    /** Model and sampling options shared with the chat command. */
    static final class EngineOptions {
        @Option(names = "--model", paramLabel = "FILE", description = "GGUF model (default: the default model, fetched once)")
        Path model;

        @Option(names = "--threads", description = "threads (default: all processors)")
        Integer threads;

        @Option(names = "--temperature", description = "sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE})", defaultValue = "0.8")
        double temperature;

        @Option(names = "--top-k", description = "keep the k most likely tokens, 0 = off (default: ${DEFAULT-VALUE})", defaultValue = "40")
        int topK;

        @Option(names = "--top-p", description = "nucleus sampling threshold, 1 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.95")
        double topP;

        @Option(names = "--min-p", description = "drop tokens below min-p x the best probability (default: ${DEFAULT-VALUE})", defaultValue = "0.05")
        double minP;

        @Option(names = "--repeat-penalty", description = "repetition penalty, 1 = off (default: ${DEFAULT-VALUE})", defaultValue = "1.0")
        double repeatPenalty;

        @Option(names = "--repeat-last-n", description = "tokens the penalties look back over (default: ${DEFAULT-VALUE})", defaultValue = "64")
        int repeatLastN;

        @Option(names = "--frequency-penalty", defaultValue = "0", description = "frequency penalty (default: ${DEFAULT-VALUE})")
        double frequencyPenalty;

        @Option(names = "--presence-penalty", defaultValue = "0", description = "presence penalty (default: ${DEFAULT-VALUE})")
        double presencePenalty;

        @Option(names = "--max-tokens", description = "most tokens to generate (default: ${DEFAULT-VALUE})", defaultValue = "256")
        int maxTokens;

        @Option(names = "--stop", paramLabel = "S", description = "stop sequence (repeatable); not included in the output")
        List<String> stop = new ArrayList<>();

        @Option(names = "--seed", description = "random seed (same seed, same output)")
        Long seed;

        SamplingParams sampling() {
            try {
                return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                        presencePenalty, seed);
            } catch (IllegalArgumentException e) {
                throw new Main.UserError(e.getMessage());
            }
        }

        GenerationRequest request(String prompt) {
            if (maxTokens < 0) throw new Main.UserError("--max-tokens must be >= 0, got " + maxTokens);
            for (String s : stop) if (s.isEmpty()) throw new Main.UserError("--stop must not be empty");
            return GenerationRequest.ofText(prompt).withSampling(sampling()).withMaxTokens(maxTokens).withStop(stop);
        }

        LocalModel load() {
            Path path = model != null ? model : DefaultModel.ensure(System.err);
            if (threads != null && threads < 1) throw new Main.UserError("--threads must be >= 1, got " + threads);
            LocalModel.Options opts = LocalModel.Options.defaults();
            if (threads != null) opts = opts.withThreads(threads);
            try {
                return LocalModel.load(path, opts);
            } catch (GgufException e) {
                throw new Main.UserError(e.getMessage());
            }
        }
    }

    static final class PromptChoice {
        @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "raw prompt text")
        String prompt;

        @Option(names = "--chat", paramLabel = "TEXT", required = true, description = "a user message, rendered with the model's chat template")
        String chat;
    }

    @Mixin
    EngineOptions engine;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptChoice choice;

    @Override
    public Integer call() {
        engine.sampling(); // validate before loading the model
        try (LocalModel model = engine.load()) {
            String prompt = choice.prompt != null ? choice.prompt
                    : renderChat(model, List.of(ChatMessage.user(choice.chat)));
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            GenerationResult r = generate(model, engine.request(prompt), out);
            out.println();
            return r == null ? Main.EXIT_FAILED : 0;
        }
    }

    /** Streams a completion to {@code out}; errors a user can fix become UserErrors. */
    static GenerationResult generate(LocalModel model, GenerationRequest request, PrintStream out) {
        try {
            return model.generate(request, (id, delta) -> out.print(delta));
        } catch (ContextOverflowException | IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    static String renderChat(LocalModel model, List<ChatMessage> messages) {
        try {
            return model.chatTemplate().render(messages, true);
        } catch (GgufException | UnsupportedOperationException e) {
            throw new Main.UserError("cannot apply the chat template of " + model.info().path() + ": " + e.getMessage());
        }
    }
}
