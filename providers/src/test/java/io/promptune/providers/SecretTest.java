package io.promptune.providers;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SecretTest {
    static final String KEY = "sk-test-7f3a9c1e5b2d4f6a8c0e";

    @Test
    void resolvesFromTheEnvironmentAndNeverPrintsTheValue() {
        Secret s = Secret.resolve("env:MY_KEY", Map.of("MY_KEY", KEY));
        assertEquals(KEY, s.reveal());
        assertFalse(s.toString().contains(KEY));
        assertEquals("Secret[env:MY_KEY]", s.toString());
        assertFalse(String.valueOf(s).contains("sk-"));
    }

    @Test
    void refusesLiteralKeysAndMissingVariablesWithoutEchoingThem() {
        IllegalArgumentException literal = assertThrows(IllegalArgumentException.class,
                () -> Secret.resolve(KEY, Map.of()));
        assertFalse(literal.getMessage().contains(KEY), literal.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Secret.resolve("env:NOT_SET_ANYWHERE", Map.of()));
        assertTrue(missing.getMessage().contains("NOT_SET_ANYWHERE"), missing.getMessage());
    }

    @Test
    void redactScrubsEveryOccurrence() {
        Secret s = Secret.of(KEY);
        String text = "Incorrect API key provided: " + KEY + ". (" + KEY + ")";
        String r = s.redact(text);
        assertFalse(r.contains(KEY));
        assertEquals("Incorrect API key provided: [REDACTED]. ([REDACTED])", r);
        assertFalse(s.toString().contains(KEY));
    }
}
