package io.promptune.reports;

import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.optimizer.tuning.Tuner;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs src/test/browser/report.test.mjs (Playwright driving Debian's /usr/bin/chromium) against a
 * generated report and a live viewer. Skips when chromium, node or the npm packages are missing;
 * scripts/ci-browser.sh installs them.
 */
class BrowserReportTest {
    static final Path BROWSER_DIR = Path.of("src/test/browser");
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    void reportAndViewerWorkInHeadlessChromium() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no chromium at " + CHROMIUM + " (scripts/ci-browser.sh installs it)");
        assumeTrue(Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")),
                "no node_modules in " + BROWSER_DIR + " (scripts/ci-browser.sh runs npm ci)");
        assumeTrue(commandWorks("node", "--version"), "node is not on the PATH");

        Path work = Path.of("target/browser-test").toAbsolutePath();
        deleteTree(work);
        StudyDirectory finished = SampleStudy.create(work.resolve("finished"), 18);
        Path report = HtmlReport.write(finished, finished.report());
        StudyDirectory searched = PromptSearchReportTest.promptSearchStudy(work.resolve("prompt-search"), new PromptSearchReportTest.Proposer());
        Path searchedReport = HtmlReport.write(searched, searched.report());

        // A study that is still running while the browser watches it.
        StudyDirectory live = new StudyDirectory(work.resolve("viewer/live-study"));
        Tuner slow = SampleStudy.tuner(live, 60, new SampleStudy.Fake() {
            @Override
            public Completion complete(CompletionRequest r) {
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.complete(r);
            }
        });
        Thread runner = Thread.ofPlatform().daemon().start(slow::run);
        try (ReportServer viewer = new ReportServer(work.resolve("viewer"), "127.0.0.1", 0).start()) {
            ProcessBuilder pb = new ProcessBuilder("node", "--test", "report.test.mjs")
                    .directory(BROWSER_DIR.toFile()).redirectErrorStream(true);
            pb.environment().put("REPORT_FILE", report.toString());
            pb.environment().put("PS_REPORT_FILE", searchedReport.toString());
            pb.environment().put("SCREENSHOT", work.resolve("report.png").toString());
            pb.environment().put("VIEWER_URL", viewer.url());
            pb.environment().put("LIVE_STUDY", live.name());
            pb.environment().put("CHROMIUM", CHROMIUM.toString());
            pb.environment().put("BROWSER_TMP", work.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(5, TimeUnit.MINUTES);
            if (!done) p.destroyForcibly();
            Files.writeString(work.resolve("node-test.log"), out);
            assertTrue(done, "the browser test timed out:\n" + out);
            assertEquals(0, p.exitValue(), "the browser test failed:\n" + out);
            assertTrue(out.contains("# pass 6"), "all six browser checks ran:\n" + out);
        } finally {
            slow.stop();
            runner.join(10_000);
        }
    }

    static boolean commandWorks(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

}
