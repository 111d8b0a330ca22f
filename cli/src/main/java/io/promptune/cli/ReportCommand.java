package io.promptune.cli;

import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.reports.HtmlReport;
import io.promptune.reports.ReportServer;
import io.promptune.reports.StudyReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Writes a study's report: one self-contained HTML file that works offline (best configuration",
                "as YAML and Java, held-out comparison with the baseline, charts, trials, per-example outputs).",
                "With --serve, runs the viewer instead: it lists the studies in a folder and updates running",
                "ones live. The viewer listens on 127.0.0.1 unless --host says otherwise."},
        footer = {"", "Examples:",
                "  promptune report promptune-out/sentiment-v1",
                "  promptune report promptune-out/sentiment-v1 -o /tmp/report.html",
                "  promptune report --serve                       # studies under ./promptune-out",
                "  promptune report --serve runs/ --port 8088",
                "", "Exit codes: 0 done, 2 not a study folder, 3 the port is taken."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "STUDY",
            description = "a study folder (as written by tune or demo); with --serve, a folder of studies (default: promptune-out)")
    Path study;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write the report (default: STUDY/report.html)")
    Path output;

    @Option(names = "--serve", description = "run the viewer instead of writing a file")
    boolean serve;

    @Option(names = "--port", defaultValue = "8087", description = "viewer port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "viewer address (default: ${DEFAULT-VALUE}, this machine only)")
    String host;

    @Override
    public Integer call() throws Exception {
        if (serve) return serve();
        if (study == null) throw new Main.UserError("give a study folder: promptune report STUDY (or --serve)");
        StudyDirectory dir;
        try {
            dir = StudyReader.open(study);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        Path written = HtmlReport.write(dir, output != null ? output : dir.report());
        System.out.println(written);
        return 0;
    }

    private int serve() throws Exception {
        Path root = study != null ? study : Path.of("promptune-out");
        if (!Files.isDirectory(root)) throw new Main.UserError(root + " is not a folder; give the folder that holds your studies");
        ReportServer server = new ReportServer(root, host, port);
        try {
            server.start();
        } catch (java.io.IOException e) {
            throw new Main.UserError("cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); try --port 0", Main.EXIT_MISSING);
        }
        System.err.println("Viewer for the studies in " + root.toAbsolutePath().normalize() + " at " + server.url() + " (Ctrl-C stops it)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // the JVM is exiting anyway
            }
        }));
        server.join();
        return 0;
    }
}
