package io.promptune.cli;

import org.junit.jupiter.api.Test;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jetty (the report viewer) logs through SLF4J; without a provider SLF4J prints three "no providers" lines on start. */
class LoggingBindingTest {
    @Test
    void slf4jFindsExactlyOneProviderOnTheCliClasspath() {
        List<String> providers = ServiceLoader.load(SLF4JServiceProvider.class).stream().map(p -> p.type().getName()).toList();
        assertEquals(List.of("org.slf4j.nop.NOPServiceProvider"), providers);
    }
}
