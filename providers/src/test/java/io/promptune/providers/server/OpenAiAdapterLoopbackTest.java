package io.promptune.providers.server;

import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.UnsupportedParameterException;
import io.promptune.providers.pricing.ModelPrice;
import io.promptune.providers.pricing.PriceTable;
import io.promptune.providers.remote.ProviderSpec;
import io.promptune.providers.remote.RemoteModels;
import io.promptune.providers.resilience.ResilientModel;
import io.promptune.providers.resilience.RetryPolicy;
import io.promptune.providers.resilience.TimeSource;
import io.promptune.providers.server.FaultInjectingHandler.Fault;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** LangChain4j's OpenAI client, through our adapter, against our own server on loopback. */
class OpenAiAdapterLoopbackTest {
    static final Map<String, String> ENV = Map.of("LOOPBACK_KEY", "sk-loopback-0123456789abcdef");

    static ProviderSpec spec(String provider, String baseUrl, ModelPrice price, Duration timeout) {
        return new ProviderSpec(provider, "fake-echo", baseUrl, "env:LOOPBACK_KEY", price, timeout);
    }

    @Test
    void completesThroughTheOpenAiClientWithEveryParameterUsageAndCost() throws Exception {
        FakeModel fake = new FakeModel();
        Server server = LoopbackServers.start(fake, h -> h);
        try (LanguageModel m = RemoteModels.of(ENV, PriceTable.builtIn())
                .create(spec("openai-compatible", LoopbackServers.baseUrl(server), new ModelPrice(1.0, 2.0), null))) {
            DecodingParams p = DecodingParams.builder().temperature(0.2).topP(0.8).topK(12).minP(0.1)
                    .repetitionPenalty(1.2).maxTokens(40).stop(List.of("END")).seed(99L).build();
            m.checkSupported(p.setParameterNames());
            Completion c = m.complete(CompletionRequest.chat(
                    List.of(ChatMessage.system("sys"), ChatMessage.user("hello loopback")), p));
            assertFalse(c.isError(), c.error());
            assertEquals("echo: hello loopback [seed=99 sample=0]", c.text());
            assertEquals(FinishReason.STOP, c.finishReason());
            CompletionRequest seen = fake.seen.getLast();
            assertEquals(p, seen.params(), "every parameter reached the server (top_k, min_p, repetition_penalty as extra fields)");
            assertEquals(List.of(ChatMessage.system("sys"), ChatMessage.user("hello loopback")), seen.messages());
            assertTrue(c.usage().inputTokens() > 0 && c.usage().outputTokens() > 0);
            assertEquals(c.usage().inputTokens() * 1.0 / 1e6 + c.usage().outputTokens() * 2.0 / 1e6, c.costUsd(), 1e-15);
            assertEquals("openai-compatible:fake-echo@" + LoopbackServers.baseUrl(server), m.id());

            Completion len = m.complete(CompletionRequest.raw("a b c d e f", DecodingParams.builder().maxTokens(2).build()));
            assertEquals(FinishReason.LENGTH, len.finishReason());
            assertEquals("echo: a", len.text());
        } finally {
            server.stop();
        }
    }

    @Test
    void plainOpenAiRefusesTopKBeforeSendingAnything() throws Exception {
        FakeModel fake = new FakeModel();
        Server server = LoopbackServers.start(fake, h -> h);
        try (LanguageModel m = RemoteModels.of(ENV, PriceTable.builtIn())
                .create(spec("openai", LoopbackServers.baseUrl(server), null, null))) {
            UnsupportedParameterException e = assertThrows(UnsupportedParameterException.class,
                    () -> m.checkSupported(java.util.Set.of("temperature", "top_k")));
            assertTrue(e.getMessage().contains("top_k"), e.getMessage());
            // Even a request sent anyway never leaves: it fails at once, clearly, and costs nothing.
            LanguageModel resilient = ResilientModel.around(m).build();
            Completion c = resilient.complete(CompletionRequest.raw("x", DecodingParams.builder().topK(3).build()));
            assertTrue(c.isError());
            assertTrue(c.error().contains("top_k"), c.error());
            assertEquals(0, fake.calls.get());
            assertEquals(0L, resilient.counters().get("retries"));
        } finally {
            server.stop();
        }
    }

    /** Records the waits the retry layer asks for and waits only briefly, so Retry-After: 1 costs no second. */
    static final class RecordingTime implements TimeSource {
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            sleeps.add(d);
            Thread.sleep(Math.min(d.toMillis(), 20));
        }
    }

    static final Pattern REQ = Pattern.compile("request-(\\d+)");

    static List<Fault> faultsFor(String body) {
        Matcher m = REQ.matcher(body);
        if (!m.find()) return List.of();
        return switch (Integer.parseInt(m.group(1)) % 6) {
            case 1 -> List.of(Fault.RATE_LIMITED_RETRY_AFTER_1S);
            case 2 -> List.of(Fault.SERVER_500, Fault.SERVER_503);
            case 3 -> List.of(Fault.DROP_CONNECTION);
            case 4 -> List.of(Fault.SLOW);
            case 5 -> List.of(Fault.RATE_LIMITED_RETRY_AFTER_MS_150, Fault.BAD_GATEWAY_502);
            default -> List.of();
        };
    }

    @Test
    void underInjectedFaultsNoRequestIsLostAndEveryRetryIsCounted() throws Exception {
        FakeModel fake = new FakeModel();
        FaultInjectingHandler[] faults = new FaultInjectingHandler[1];
        Server server = LoopbackServers.start(fake, h -> faults[0] = new FaultInjectingHandler(h,
                OpenAiAdapterLoopbackTest::faultsFor, 3000));
        RecordingTime time = new RecordingTime();
        int n = 24;
        try (LanguageModel m = ResilientModel.around(RemoteModels.of(ENV, PriceTable.builtIn())
                        .create(spec("openai-compatible", LoopbackServers.baseUrl(server), ModelPrice.FREE, Duration.ofSeconds(2))))
                .retry(new RetryPolicy(5, Duration.ofMillis(10), Duration.ofMillis(50), 2.0, Duration.ofSeconds(30)))
                .maxConcurrency(6)
                .timeSource(time)
                .build()) {
            List<CompletionRequest> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(CompletionRequest.chat(List.of(ChatMessage.user("request-" + i)),
                        DecodingParams.builder().temperature(0.0).build()));
            }
            List<Completion> out = m.completeBatch(batch);

            assertEquals(n, out.size());
            for (int i = 0; i < n; i++) {
                assertFalse(out.get(i).isError(), "request " + i + ": " + out.get(i).error());
                assertEquals(FakeModel.answerFor(batch.get(i)), out.get(i).text(), "request " + i + " got its own answer");
            }
            // faults per 6 requests: 0 + 1 + 2 + 1 + 1 + 2 = 7
            int expectedRetries = n / 6 * 7;
            Map<String, Long> c = m.counters();
            assertEquals(n + c.get("retries"), faults[0].attempts.get(), "every attempt the server saw is a request or a counted retry: " + c);
            assertEquals(expectedRetries, c.get("retries"), c.toString());
            assertEquals(n / 6 * 2, c.get("retries_429"));
            assertEquals(n / 6 * 3, c.get("retries_5xx"));
            assertEquals(n / 6 * 2, c.get("retries_timeout_or_connection"), "dropped connection and timeout");
            assertEquals(0L, c.get("failed_requests"));
            assertTrue(c.get("peak_concurrency") <= 6);
            assertEquals(n / 6, time.sleeps.stream().filter(d -> d.equals(Duration.ofSeconds(1))).count(), "Retry-After: 1 honoured");
            assertEquals(n / 6, time.sleeps.stream().filter(d -> d.equals(Duration.ofMillis(150))).count(), "retry-after-ms honoured");
            for (Fault f : Fault.values()) {
                assertEquals(n / 6, faults[0].injected.get(f).get(), f.name());
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void failureAfterAllAttemptsIsAFailedCompletionNotAnException() throws Exception {
        FakeModel fake = new FakeModel();
        Server server = LoopbackServers.start(fake, h -> new FaultInjectingHandler(h,
                b -> List.of(Fault.SERVER_500, Fault.SERVER_500, Fault.SERVER_500, Fault.SERVER_500), 0));
        try (LanguageModel m = ResilientModel.around(RemoteModels.of(ENV, PriceTable.builtIn())
                        .create(spec("openai-compatible", LoopbackServers.baseUrl(server), null, null)))
                .retry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), 2.0, Duration.ofSeconds(1)))
                .build()) {
            Completion c = m.complete(CompletionRequest.raw("x", DecodingParams.defaults()));
            assertTrue(c.isError());
            assertTrue(c.error().contains("HTTP 500") && c.error().contains("gave up after 3 attempts"), c.error());
            assertEquals(2L, m.counters().get("retries"));
            assertEquals(1L, m.counters().get("failed_requests"));
            assertEquals(0L, m.counters().get("unpriced_requests"), "the failed call never reached pricing");
        } finally {
            server.stop();
        }
    }
}
