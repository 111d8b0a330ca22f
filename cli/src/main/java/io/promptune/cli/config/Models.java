package io.promptune.cli.config;

import io.promptune.cli.DefaultModel;
import io.promptune.cli.Main;
import io.promptune.providers.LanguageModel;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens the model a config names: the default or a local GGUF file, or a remote provider. */
public final class Models {
    private Models() { }

    public static LanguageModel open(TuneConfig.ModelSpec spec, PrintStream log) {
        if (spec.provider() != null) {
            List<String> known = new ArrayList<>();
            for (ModelProvider p : ServiceLoader.load(ModelProvider.class)) {
                if (p.name().equalsIgnoreCase(spec.provider())) return p.open(spec);
                known.add(p.name());
            }
            throw new Main.UserError("model.provider: no provider named '" + spec.provider() + "' in this build"
                    + (known.isEmpty() ? "" : "; available: " + String.join(", ", known)), Main.EXIT_MISSING);
        }
        Path file = spec.path().equals("default") ? DefaultModel.ensure(log) : Path.of(spec.path());
        if (!Files.isRegularFile(file)) {
            throw new Main.UserError("model.path: no model file at " + file + "; give a .gguf file or \"default\"", Main.EXIT_MISSING);
        }
        return local(file);
    }

    /** The local engine behind LanguageModel; interim until the providers module's local adapter lands. */
    private static LanguageModel local(Path file) {
        for (ModelProvider p : ServiceLoader.load(ModelProvider.class)) {
            if (p.name().equals("local")) return p.open(new TuneConfig.ModelSpec(file.toString(), "local", file.getFileName().toString(), null, null, null, null, null));
        }
        throw new Main.UserError("this build has no local engine adapter yet, so " + file + " cannot be run; "
                + "use a remote model (model.provider) for now", Main.EXIT_MISSING);
    }
}
