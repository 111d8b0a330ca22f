package io.promptune.providers.server;

import io.promptune.providers.LanguageModel;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.concurrent.Executors;
import java.util.function.Function;

/** Test servers on 127.0.0.1, free port: the real OpenAI handler, optionally behind a wrapper. */
final class LoopbackServers {
    private LoopbackServers() { }

    static Server start(LanguageModel model, Function<Handler, Handler> wrap) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        server.setHandler(wrap.apply(new OpenAiHandler(model, "fake-echo")));
        server.start();
        return server;
    }

    static String baseUrl(Server server) {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/v1";
    }
}
