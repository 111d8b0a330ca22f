package io.promptune.cli;

import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Prints the token ids of TEXT with a model's tokenizer, space-separated (as llama.cpp tokenizes it).",
                "Without TEXT, reads the text from standard input."},
        footer = {"", "Examples:", "  promptune tokenize \"Hello world\"",
                "  promptune tokenize --model model.gguf --add-special \"<|im_start|>user\\nHi<|im_end|>\""})
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model or vocabulary (default: the default model)")
    Path model;

    @Option(names = "--add-special", description = "add BOS/EOS as the model's metadata says")
    boolean addSpecial;

    @Option(names = "--no-parse-special", negatable = false,
            description = "treat control tokens written in the text (e.g. <|im_end|>) as plain text")
    boolean noParseSpecial;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "the text to tokenize")
    String text;

    @Override
    public Integer call() throws IOException {
        Path file = model != null ? model : DefaultModel.ensure(System.err);
        if (!Files.isRegularFile(file)) throw new Main.UserError("no such model file: " + file);
        String input = text != null ? text : new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        int[] ids;
        try (GgufFile f = GgufFile.open(file)) {
            ids = Tokenizer.fromGguf(f).encode(input, addSpecial, !noParseSpecial);
        } catch (GgufException e) {
            throw new Main.UserError(e.getMessage());
        }
        StringJoiner out = new StringJoiner(" ");
        for (int id : ids) out.add(Integer.toString(id));
        System.out.println(out);
        return 0;
    }
}
