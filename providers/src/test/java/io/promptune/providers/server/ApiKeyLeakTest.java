package io.promptune.providers.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.pricing.PriceTable;
import io.promptune.providers.remote.ProviderSpec;
import io.promptune.providers.remote.RemoteModels;
import io.promptune.providers.resilience.ResilientModel;
import io.promptune.providers.resilience.RetryPolicy;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile server answers 401 with a body that echoes the Authorization header back. The key
 * must show up nowhere: not in completions, counters, toString, the stored spec, logs or stderr.
 */
class ApiKeyLeakTest {
    static final String KEY = "sk-leaktest-9b8a7c6d5e4f3a2b1c0d";

    /** Echoes the request's Authorization header in a 401's body, as some gateways do. */
    static final class EchoingAuthHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            response.setStatus(401);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            String body = "{\"error\": {\"message\": \"Incorrect API key provided: " + auth + "\", \"type\": \"invalid_request_error\"}}";
            response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }

    @Test
    void theKeyAppearsNowhere() throws Exception {
        Server server = LoopbackServers.start(new FakeModel(), h -> new EchoingAuthHandler());
        List<String> logged = new CopyOnWriteArrayList<>();
        Logger root = Logger.getLogger("");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage() + " " + r.getParameters() + " " + r.getThrown());
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        Level oldLevel = root.getLevel();
        root.addHandler(capture);
        root.setLevel(Level.FINE);
        PrintStream oldErr = System.err, oldOut = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        StringBuilder everything = new StringBuilder();
        try {
            Map<String, String> env = Map.of("LEAK_KEY", KEY);
            ProviderSpec spec = new ProviderSpec("openai-compatible", "m", LoopbackServers.baseUrl(server), "env:LEAK_KEY", null, null);
            var remote = RemoteModels.of(env, PriceTable.builtIn()).create(spec);
            try (LanguageModel m = ResilientModel.around(remote)
                    .retry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), 1, Duration.ofMillis(1))).build()) {
                Completion c401 = m.complete(CompletionRequest.raw("x", DecodingParams.defaults()));
                assertTrue(c401.isError());
                assertTrue(c401.error().contains("401"), c401.error());
                assertTrue(c401.error().contains("[REDACTED]"), "the echoed key was scrubbed: " + c401.error());
                everything.append(c401.error()).append(c401).append(m.counters()).append(m).append(remote);
            }
            everything.append(spec).append(new ObjectMapper().writeValueAsString(spec));
            // An unknown environment variable is named, never guessed at.
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> RemoteModels.of(Map.of(), PriceTable.builtIn()).create(spec));
            everything.append(missing.getMessage());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
            root.removeHandler(capture);
            root.setLevel(oldLevel);
            server.stop();
        }
        everything.append(console.toString(StandardCharsets.UTF_8)).append(logged);
        assertFalse(everything.toString().contains(KEY), "the key leaked:\n" + everything);
        assertFalse(everything.toString().contains("9b8a7c6d5e4f"), "part of the key leaked");
        assertTrue(everything.toString().contains("env:LEAK_KEY"), "the reference is what is shown");
    }
}
