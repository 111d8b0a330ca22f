package io.promptune.reports;

import java.nio.file.Path;

/** The viewer's front page: the studies under its folder, refreshed every few seconds. */
final class IndexPage {
    private IndexPage() { }

    static String render(Path root) {
        return HtmlReport.fill(HtmlReport.resource("index.html"), java.util.Map.of(
                "/*@CSS@*/", HtmlReport.resource("report.css"),
                "@ROOT@", HtmlReport.escapeHtml(root.toAbsolutePath().normalize().toString())));
    }
}
