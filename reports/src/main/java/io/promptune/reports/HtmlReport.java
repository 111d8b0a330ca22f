package io.promptune.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.promptune.optimizer.tuning.StudyDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a study's report: one self-contained HTML file (its CSS, script and data inline; nothing
 * fetched), which works offline. The data goes in as JSON inside a script element of type
 * application/json, escaped so no text in it can end the element or start markup.
 */
public final class HtmlReport {
    private HtmlReport() { }

    public static Path write(StudyDirectory study, Path target) {
        String html = render(ReportData.of(study), null);
        try {
            Path abs = target.toAbsolutePath();
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), "report", ".tmp");
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return abs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + target + ": " + e.getMessage(), e);
        }
    }

    /** The page; {@code liveUrl} (viewer only) is the JSON endpoint the page polls for updates. */
    public static String render(Map<String, Object> data, String liveUrl) {
        String page = resource("report.html");
        String title = "Promptune report: " + data.get("study");
        Map<String, String> values = Map.of(
                "/*@CSS@*/", resource("report.css"),
                "@TITLE@", escapeHtml(title),
                "@LIVE@", liveUrl == null ? "" : escapeHtml(liveUrl),
                "@DATA@", scriptSafeJson(data),
                "/*@JS@*/", resource("report.js"));
        return fill(page, values);
    }

    /** One pass over the page, so text inserted for one placeholder is never scanned for another. */
    static String fill(String page, Map<String, String> values) {
        StringBuilder sb = new StringBuilder(page.length() * 2);
        int i = 0;
        outer:
        while (i < page.length()) {
            for (var e : values.entrySet()) {
                if (page.startsWith(e.getKey(), i)) {
                    sb.append(e.getValue());
                    i += e.getKey().length();
                    continue outer;
                }
            }
            sb.append(page.charAt(i++));
        }
        return sb.toString();
    }

    /** JSON that is safe inside a script element: no '<', '>', '&' or line separators left raw. */
    public static String scriptSafeJson(Object value) {
        try {
            return escapeJsonForScript(StudyDirectory.JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report data is not serializable: " + e.getMessage(), e);
        }
    }

    /**
     * Outside strings JSON never holds these characters, so replacing them with their \\u escapes
     * keeps the JSON equal while making "</script>", "<!--" and U+2028/2029 impossible.
     */
    static String escapeJsonForScript(String json) {
        StringBuilder sb = new StringBuilder(json.length() + 16);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '<' -> sb.append("\\u003c");
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                case '\u2028' -> sb.append("\\u2028");
                case '\u2029' -> sb.append("\\u2029");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    public static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing report resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
