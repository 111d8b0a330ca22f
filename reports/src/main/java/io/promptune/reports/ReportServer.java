package io.promptune.reports;

import io.promptune.optimizer.tuning.StudyDirectory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report viewer: lists the studies under a folder and shows each one's report, which polls a
 * JSON endpoint so a running study updates live. Bound to 127.0.0.1 unless told otherwise.
 * Routes: / (the list), /study/NAME (a report), /api/studies and /api/study/NAME (JSON).
 */
public final class ReportServer implements AutoCloseable {
    private final Path root;
    private final Server server;
    private final ServerConnector connector;

    public ReportServer(Path root, String host, int port) {
        this.root = root;
        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Routes());
    }

    public ReportServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public String url() {
        String host = connector.getHost();
        return "http://" + (host == null || host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** A study by its folder name, only if it is one of the listed studies (no path tricks). */
    private Optional<StudyDirectory> study(String name) {
        return StudyReader.list(root).stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private List<Map<String, Object>> summaries() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StudyDirectory s : StudyReader.list(root)) {
            Map<String, Object> d = ReportData.of(s);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("finished", d.get("finished"));
            m.put("totals", d.get("totals"));
            m.put("objective", d.get("objective"));
            m.put("best", d.get("best") instanceof Map<?, ?> b ? b.get("value") : null);
            out.add(m);
        }
        return out;
    }

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
                return true;
            }
            try {
                if (path.equals("/")) {
                    send(response, callback, "text/html; charset=utf-8", IndexPage.render(root));
                } else if (path.equals("/api/studies")) {
                    send(response, callback, "application/json", StudyDirectory.JSON.writeValueAsString(summaries()));
                } else if (path.startsWith("/api/study/")) {
                    Optional<StudyDirectory> s = study(path.substring("/api/study/".length()));
                    if (s.isEmpty()) return notFound(request, response, callback);
                    send(response, callback, "application/json", StudyDirectory.JSON.writeValueAsString(ReportData.of(s.get())));
                } else if (path.startsWith("/study/")) {
                    String name = path.substring("/study/".length());
                    Optional<StudyDirectory> s = study(name);
                    if (s.isEmpty()) return notFound(request, response, callback);
                    send(response, callback, "text/html; charset=utf-8",
                            HtmlReport.render(ReportData.of(s.get()), "/api/study/" + name));
                } else {
                    return notFound(request, response, callback);
                }
            } catch (Exception e) {
                Response.writeError(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500,
                        "cannot read the study: " + e.getMessage());
            }
            return true;
        }

        private boolean notFound(Request request, Response response, Callback callback) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return true;
        }

        private void send(Response response, Callback callback, String type, String body) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            Content.Sink.write(response, true, body, callback);
        }
    }
}
