package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.ModelCallException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Waits out a {@link ServerPause} before every call. */
public final class PauseGateModel extends ForwardingModel {
    private final ServerPause pause;
    private final TimeSource time;
    private final AtomicLong waits = new AtomicLong();

    public PauseGateModel(LanguageModel delegate, ServerPause pause, TimeSource time) {
        super(delegate);
        this.pause = pause;
        this.time = time;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        awaitPause();
        return delegate.complete(request);
    }

    /** A batch (a backend that batches by itself) waits out the pause once, then goes down whole. */
    @Override
    public java.util.List<Completion> completeBatch(java.util.List<CompletionRequest> requests) {
        awaitPause();
        return delegate.completeBatch(requests);
    }

    private void awaitPause() {
        Duration left;
        boolean waited = false;
        while (!(left = pause.remaining()).isZero()) {
            waited = true;
            try {
                time.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ModelCallException.permanent("interrupted while the server asked us to wait");
            }
        }
        if (waited) waits.incrementAndGet();
    }

    /** Remote backends answer whole anyway; streaming here goes through the same limits as complete(). */
    @Override
    public Completion completeStreaming(CompletionRequest request, java.util.function.Consumer<String> onText) {
        Completion c = complete(request);
        if (!c.isError() && !c.text().isEmpty()) onText.accept(c.text());
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        return withCounters(Map.of("server_pause_waits", waits.get()));
    }
}
