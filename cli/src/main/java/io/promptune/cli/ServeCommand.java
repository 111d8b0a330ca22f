package io.promptune.cli;

import io.promptune.providers.LanguageModel;
import io.promptune.providers.local.LocalEngineModel;
import io.promptune.providers.resilience.CoalescingBatchModel;
import io.promptune.providers.server.OpenAiCompatibleServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a GGUF model over an OpenAI-compatible HTTP API (/v1/chat/completions,",
                "/v1/completions, both with stream=true, and /v1/models), so promptfoo, DSPy or",
                "LangChain4j's OpenAI client can use the local engine. Requests that arrive while the",
                "engine is busy are batched together."},
        footer = {"", "Examples:", "  promptune serve                          # the default model on 127.0.0.1:8080",
                "  promptune serve --model my.gguf --port 9000",
                "  curl http://127.0.0.1:8080/v1/chat/completions -d '{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}'"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model file (default: the fetched default model)")
    Path model;

    @Option(names = "--port", defaultValue = "8080", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--host", defaultValue = OpenAiCompatibleServer.DEFAULT_HOST,
            description = "address to bind (default: ${DEFAULT-VALUE}, this machine only)")
    String host;

    @Option(names = "--name", paramLabel = "NAME", description = "model name in /v1/models (default: the file name)")
    String name;

    @Option(names = "--max-batch", defaultValue = "16", description = "most requests batched together (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Override
    public Integer call() throws InterruptedException {
        Path file = model != null ? model : DefaultModel.path();
        if (!Files.isRegularFile(file)) {
            throw new Main.UserError("model file not found: " + file
                    + (model == null ? " (run `promptune fetch-model` first, or pass --model FILE)" : ""), Main.EXIT_MISSING);
        }
        if (port < 0 || port > 65535) throw new Main.UserError("--port must be between 0 and 65535, got " + port);
        if (maxBatch < 1) throw new Main.UserError("--max-batch must be at least 1, got " + maxBatch);
        if (!Set.of("127.0.0.1", "localhost", "::1").contains(host)) {
            System.err.println("warning: binding to " + host + ": anyone who can reach this address can use the model (there is no authentication)");
        }
        LocalEngineModel engine;
        try {
            engine = LocalEngineModel.load(file);
        } catch (RuntimeException e) {
            throw new Main.UserError("cannot load " + file + ": " + e.getMessage());
        }
        try (LanguageModel served = new CoalescingBatchModel(engine, maxBatch)) {
            String modelName = name != null ? name : engine.id().substring("local:".length());
            OpenAiCompatibleServer server;
            try {
                server = OpenAiCompatibleServer.start(served, modelName, host, port);
            } catch (IllegalStateException e) {
                throw new Main.UserError(e.getMessage(), Main.EXIT_FAILED);
            }
            try (server) {
                System.err.println("serving " + modelName + " at " + server.baseUrl() + " (Ctrl-C to stop)");
                Runtime.getRuntime().addShutdownHook(new Thread(server::close));
                server.join();
            }
        }
        return 0;
    }
}
