package io.promptune.reports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ReportServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(ReportServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsStudiesServesReportsAndJsonOnLoopbackOnly(@TempDir Path dir) throws Exception {
        SampleStudy.create(dir.resolve("alpha"), 6);
        try (ReportServer s = new ReportServer(dir, "127.0.0.1", 0).start()) {
            assertTrue(s.url().startsWith("http://127.0.0.1:"));
            assertTrue(get(s, "/").body().contains("Promptune studies"));
            String list = get(s, "/api/studies").body();
            assertTrue(list.contains("\"name\":\"alpha\""), list);
            HttpResponse<String> page = get(s, "/study/alpha");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("data-live=\"/api/study/alpha\""));
            HttpResponse<String> json = get(s, "/api/study/alpha");
            assertEquals("application/json", json.headers().firstValue("content-type").orElse(""));
            assertTrue(json.body().contains("\"trials\""));
            assertEquals(404, get(s, "/study/nope").statusCode());
            int traversal = get(s, "/api/study/..%2F..%2Fetc").statusCode();
            assertTrue(traversal == 400 || traversal == 404, "traversal gave " + traversal);
            assertEquals(404, get(s, "/elsewhere").statusCode());

            // A run.json this build cannot read costs its sections, not the page.
            java.nio.file.Files.writeString(dir.resolve("alpha/run.json"), "{\"templates\": {\"plain\": \"{{text}}\"}}");
            HttpResponse<String> old = get(s, "/study/alpha");
            assertEquals(200, old.statusCode());
            assertTrue(get(s, "/api/study/alpha").body().contains("\"warnings\""));
        }
    }
}
