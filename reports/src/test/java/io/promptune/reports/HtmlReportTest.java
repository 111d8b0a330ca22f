package io.promptune.reports;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptune.optimizer.tuning.StudyDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HtmlReportTest {
    @Test
    void reportIsSelfContainedAndKeepsHostileTextInert(@TempDir Path dir) throws Exception {
        StudyDirectory study = SampleStudy.create(dir.resolve("s1"), 14);
        Path file = HtmlReport.write(study, study.report());
        String html = Files.readString(file);

        assertEquals(2, html.split("<script", -1).length - 1, "only the report's own two script elements");
        assertEquals(2, html.split("</script", -1).length - 1);
        assertFalse(html.contains("<!--"));
        for (String fetch : List.of("src=\"http", "href=\"http", "url(http", "@import", "src=\"//")) {
            assertFalse(html.contains(fetch), "nothing is fetched from the network: " + fetch);
        }
        assertFalse(html.contains(SampleStudy.HOSTILE));

        String json = html.substring(html.indexOf("id=\"report-data\">") + 17, html.indexOf("</script>"));
        JsonNode data = StudyDirectory.JSON.readTree(json);
        assertEquals("s1", data.get("study").asText());
        assertEquals(14, data.get("trials").size());
        assertTrue(data.get("finished").asBoolean());
        assertTrue(data.get("comparison").get("significant").isBoolean());
        assertEquals(24, data.get("examples").size());
        assertEquals(SampleStudy.HOSTILE + " was bad", data.get("examples").get(1).get("inputs").get("text").asText(),
                "the hostile row survives the escaping unchanged as data");
        assertTrue(data.get("best").get("yaml").asText().contains("params:"));
    }

    @Test
    void scriptEscapingLeavesNoWayOutOfTheScriptElement() {
        String s = HtmlReport.scriptSafeJson(Map.of("a", "</script><!-- \u2028\u2029 & <b>"));
        assertFalse(s.contains("<") || s.contains(">") || s.contains("&") || s.contains("\u2028") || s.contains("\u2029"));
        assertEquals("{\"a\":\"\\u003c/script\\u003e\\u003c!-- \\u2028\\u2029 \\u0026 \\u003cb\\u003e\"}", s);
    }

    @Test
    void placeholdersInDataAreNotExpanded() {
        String page = HtmlReport.render(Map.of("study", "@DATA@ /*@JS@*/", "x", List.of()), null);
        assertEquals(1, page.split("'use strict'", -1).length - 1, "the script appears once");
        assertTrue(page.contains("<title>Promptune report: @DATA@ /*@JS@*/</title>"));
    }

    @Test
    void escapeHtmlCoversTheFiveCharacters() {
        assertEquals("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;", HtmlReport.escapeHtml("<a href=\"x\" title='y'>&"));
    }
}
