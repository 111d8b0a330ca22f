package io.promptune.providers.server;

import io.promptune.providers.LanguageModel;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible HTTP server over any {@link LanguageModel}, so that other tools (promptfoo,
 * DSPy, LangChain4j's OpenAI client) can use our engine. Binds to 127.0.0.1 unless told otherwise.
 * Requests are handled on virtual threads; a model that is not thread-safe must guard itself.
 */
public final class OpenAiCompatibleServer implements AutoCloseable {
    public static final String DEFAULT_HOST = "127.0.0.1";
    private final Server server;
    private final ServerConnector connector;

    private OpenAiCompatibleServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts serving {@code model} under the name {@code modelName} on host:port (port 0 picks a
     * free one; see {@link #port()}).
     */
    public static OpenAiCompatibleServer start(LanguageModel model, String modelName, String host, int port) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("promptune-serve");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new OpenAiHandler(model, modelName));
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing; report the start failure
            }
            throw new IllegalStateException("cannot serve on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new OpenAiCompatibleServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** e.g. http://127.0.0.1:8080/v1, the base URL an OpenAI client takes. */
    public URI baseUrl() {
        String host = connector.getHost() == null ? DEFAULT_HOST : connector.getHost();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + port() + "/v1");
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("error stopping the server: " + e.getMessage(), e);
        }
    }
}
