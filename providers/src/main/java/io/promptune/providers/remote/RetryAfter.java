package io.promptune.providers.remote;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads how long a server asks us to wait: "retry-after-ms" (OpenAI, milliseconds), else
 * "Retry-After" as seconds or as an HTTP date (RFC 9110).
 */
final class RetryAfter {
    private RetryAfter() { }

    static Optional<Duration> parse(Map<String, List<String>> headers, ZonedDateTime now) {
        String ms = header(headers, "retry-after-ms");
        if (ms != null) {
            try {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.strip())));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        String ra = header(headers, "retry-after");
        if (ra == null) return Optional.empty();
        ra = ra.strip();
        try {
            return Optional.of(Duration.ofMillis((long) (Double.parseDouble(ra) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(ra, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(now, at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().getFirst();
        }
        return null;
    }
}
