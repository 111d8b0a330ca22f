package io.promptune.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The promptune command line. Each subcommand is its own class; this only lists them.
 * Exit codes: 0 success, 1 the work failed (e.g. a study with no successful trial),
 * 2 bad usage or bad input (file, config), 3 a needed resource is missing (model, network),
 * 130 stopped by Ctrl-C (a study then resumes when run again).
 */
@Command(name = "promptune",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Finds the prompt template and decoding parameters that make an LLM do a task best.",
        subcommands = {
                CommandLine.HelpCommand.class,
                FetchModelCommand.class,
                GenerateCommand.class,
                ChatCommand.class,
                TuneCommand.class,
                EvalCommand.class,
                ReportCommand.class,
                DemoCommand.class,
                QuantizeCommand.class,
                ScoreCommand.class,
                TokenizeCommand.class,
                ServeCommand.class,
                BenchCommand.class,
                OptimizeCommand.class,
        })
public final class Main implements Runnable {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_MISSING = 3;
    public static final int EXIT_INTERRUPTED = 130;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI in-process (tests use this) and returns the exit code. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String setting = badSetting(ex);
            if (setting != null) {
                cmd.getErr().println("error: " + setting);
                return EXIT_USAGE;
            }
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("PROMPTUNE_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return ex instanceof UserError ue ? ue.exitCode() : EXIT_FAILED;
        });
        try {
            return cl.execute(args);
        } catch (ExceptionInInitializerError e) { // an Error: picocli's handler above only sees Exceptions
            String setting = badSetting(e);
            if (setting == null) throw e;
            cl.getErr().println("error: " + setting);
            return EXIT_USAGE;
        }
    }

    /**
     * The message of a -D setting that a class's static initializer rejected (an IllegalArgumentException inside an
     * ExceptionInInitializerError, e.g. -Dpromptune.vectorBits=foo), or null when {@code t} is something else.
     */
    static String badSetting(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ExceptionInInitializerError && c.getCause() instanceof IllegalArgumentException bad) {
                return bad.getMessage();
            }
        }
        return null;
    }

    /** An error caused by the user's input or environment: printed as one clear line, no stack trace. */
    public static class UserError extends RuntimeException {
        private final int exitCode;

        public UserError(String message) {
            this(message, EXIT_USAGE);
        }

        public UserError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"promptune " + (v == null ? "dev" : v)};
        }
    }
}
