package io.promptune.providers.remote;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import io.promptune.providers.ModelCallException;
import io.promptune.providers.Secret;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Turns whatever LangChain4j threw into a {@link ModelCallException} that says whether trying again
 * may help. The HTTP status is found in the cause chain (LangChain4j wraps it); the message is
 * shortened and scrubbed of the API key, since error bodies sometimes echo it.
 */
final class FailureClassifier {
    private static final int MAX_BODY = 300;

    private FailureClassifier() { }

    static ModelCallException classify(String modelId, Throwable t, Secret key) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof HttpException h) {
                int s = h.statusCode();
                Duration retryAfter = h instanceof HttpStatusException hs ? hs.retryAfter().orElse(null) : null;
                String msg = modelId + ": HTTP " + s + " " + shorten(h.getMessage());
                return new ModelCallException(scrub(msg, key), isRetryableStatus(s), s, retryAfter);
            }
            if (c instanceof HttpTimeoutException || c instanceof java.net.SocketTimeoutException
                    || c instanceof dev.langchain4j.exception.TimeoutException) {
                return ModelCallException.transientFailure(modelId + ": request timed out", 0, null);
            }
            if (c instanceof IOException io) {
                return ModelCallException.transientFailure(
                        scrub(modelId + ": connection failed (" + io.getClass().getSimpleName() + ": " + shorten(io.getMessage()) + ")", key), 0, null);
            }
            if (c instanceof UnsupportedFeatureException u) {
                return ModelCallException.permanent(scrub(modelId + ": " + u.getMessage(), key));
            }
        }
        boolean retryable = t instanceof RetriableException;
        String msg = modelId + ": " + t.getClass().getSimpleName() + ": " + shorten(t.getMessage());
        return new ModelCallException(scrub(msg, key), retryable, 0, null);
    }

    static boolean isRetryableStatus(int s) {
        return s == 429 || s == 408 || s == 409 || s >= 500;
    }

    private static String shorten(String s) {
        if (s == null) return "";
        s = s.strip();
        return s.length() <= MAX_BODY ? s : s.substring(0, MAX_BODY) + "...";
    }

    private static String scrub(String s, Secret key) {
        return key == null ? s : key.redact(s);
    }
}
