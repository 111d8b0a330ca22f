package io.promptune.providers.remote;

import dev.langchain4j.exception.HttpException;

import java.time.Duration;
import java.util.Optional;

/**
 * A non-2xx answer, with the server's Retry-After kept (LangChain4j's own HttpException drops the
 * headers). LangChain4j wraps it in its own exception types; the adapter finds it in the cause chain.
 */
public final class HttpStatusException extends HttpException {
    private final Duration retryAfter;

    public HttpStatusException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
