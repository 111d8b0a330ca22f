package io.promptune.providers.server;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Sits in front of the real handler and fails chosen attempts: the schedule maps a request body to
 * the faults its 1st, 2nd, ... attempts meet; once they are used up the request goes through.
 */
final class FaultInjectingHandler extends Handler.Wrapper {
    enum Fault { RATE_LIMITED_RETRY_AFTER_1S, RATE_LIMITED_RETRY_AFTER_MS_150, SERVER_500, SERVER_503, BAD_GATEWAY_502, DROP_CONNECTION, SLOW }

    final AtomicInteger attempts = new AtomicInteger();
    final Map<Fault, AtomicInteger> injected = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> attemptsByBody = new ConcurrentHashMap<>();
    private final Function<String, List<Fault>> schedule;
    private final long slowMillis;

    FaultInjectingHandler(Handler inner, Function<String, List<Fault>> schedule, long slowMillis) {
        super(inner);
        this.schedule = schedule;
        this.slowMillis = slowMillis;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        attempts.incrementAndGet();
        byte[] body = Content.Source.asInputStream(request).readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        int attempt = attemptsByBody.computeIfAbsent(text, k -> new AtomicInteger()).getAndIncrement();
        List<Fault> faults = schedule.apply(text);
        if (attempt < faults.size()) {
            Fault f = faults.get(attempt);
            injected.computeIfAbsent(f, k -> new AtomicInteger()).incrementAndGet();
            switch (f) {
                case RATE_LIMITED_RETRY_AFTER_1S -> { error(response, callback, 429, "Retry-After", "1"); return true; }
                case RATE_LIMITED_RETRY_AFTER_MS_150 -> { error(response, callback, 429, "retry-after-ms", "150"); return true; }
                case SERVER_500 -> { error(response, callback, 500, null, null); return true; }
                case SERVER_503 -> { error(response, callback, 503, null, null); return true; }
                case BAD_GATEWAY_502 -> { error(response, callback, 502, null, null); return true; }
                case DROP_CONNECTION -> {
                    request.getConnectionMetaData().getConnection().getEndPoint().close();
                    callback.failed(new IOException("connection dropped on purpose"));
                    return true;
                }
                case SLOW -> Thread.sleep(slowMillis); // longer than the client's timeout; then answer anyway
            }
        }
        return super.handle(replay(request, body), response, callback);
    }

    private static void error(Response response, Callback callback, int status, String header, String value) {
        response.setStatus(status);
        if (header != null) response.getHeaders().put(header, value);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        String body = "{\"error\": {\"message\": \"injected " + status + "\", \"type\": \"server_error\", \"param\": null, \"code\": null}}";
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The request again, with its already-read body offered once more. */
    private static Request replay(Request request, byte[] body) {
        return new Request.Wrapper(request) {
            private boolean read;

            @Override
            public Content.Chunk read() {
                if (read) return Content.Chunk.EOF;
                read = true;
                return Content.Chunk.from(ByteBuffer.wrap(body), true);
            }

            @Override
            public void demand(Runnable demandCallback) {
                demandCallback.run();
            }
        };
    }
}
