package io.promptune.providers.cache;

import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FakeModel;
import io.promptune.providers.FinishReason;
import io.promptune.providers.TokenUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CachingModelTest {
    static final DecodingParams HOT = DecodingParams.builder().temperature(0.8).build();
    static final DecodingParams GREEDY = DecodingParams.builder().temperature(0.0).maxTokens(20).build();

    @Test
    void keyDependsOnModelMessagesParamsAndSeed() {
        CompletionRequest a = CompletionRequest.chat(List.of(ChatMessage.user("hi")), GREEDY);
        assertEquals(CacheKey.of("m", a), CacheKey.of("m", CompletionRequest.chat(List.of(ChatMessage.user("hi")), GREEDY)));
        assertNotEquals(CacheKey.of("m", a), CacheKey.of("other", a));
        assertNotEquals(CacheKey.of("m", a), CacheKey.of("m", CompletionRequest.chat(List.of(ChatMessage.user("hi!")), GREEDY)));
        assertNotEquals(CacheKey.of("m", a), CacheKey.of("m", CompletionRequest.chat(List.of(ChatMessage.system("hi")), GREEDY)));
        assertNotEquals(CacheKey.of("m", a), CacheKey.of("m", CompletionRequest.raw("hi", GREEDY)));
        assertNotEquals(CacheKey.of("m", a), CacheKey.of("m",
                CompletionRequest.chat(List.of(ChatMessage.user("hi")), GREEDY.toBuilder().maxTokens(21).build())));
        assertNotEquals(CacheKey.of("m", a), CacheKey.of("m",
                CompletionRequest.chat(List.of(ChatMessage.user("hi")), GREEDY.toBuilder().stop(List.of("\n")).build())));
    }

    @Test
    void sampleIndexIsPartOfTheKeyOnlyWhenTheAnswerIsRandom() {
        CompletionRequest hot = CompletionRequest.raw("q", HOT);
        assertNotEquals(CacheKey.of("m", hot), CacheKey.of("m", hot.withSampleIndex(1)));
        CompletionRequest defaultTemp = CompletionRequest.raw("q", DecodingParams.defaults());
        assertNotEquals(CacheKey.of("m", defaultTemp), CacheKey.of("m", defaultTemp.withSampleIndex(1)));
        CompletionRequest greedy = CompletionRequest.raw("q", GREEDY);
        assertEquals(CacheKey.of("m", greedy), CacheKey.of("m", greedy.withSampleIndex(1)));
        CompletionRequest seeded = CompletionRequest.raw("q", HOT.toBuilder().seed(42L).build());
        assertEquals(CacheKey.of("m", seeded), CacheKey.of("m", seeded.withSampleIndex(3)));
        assertNotEquals(CacheKey.of("m", seeded), CacheKey.of("m", CompletionRequest.raw("q", HOT.toBuilder().seed(43L).build())));
    }

    @Test
    void rerunIsAnsweredFromTheSqliteFileAtNoCostAndRepeatsStayRepeats(@TempDir Path dir) {
        Path file = dir.resolve("cache.sqlite");
        List<CompletionRequest> batch = List.of(
                CompletionRequest.raw("a", HOT), CompletionRequest.raw("a", HOT).withSampleIndex(1),
                CompletionRequest.raw("b", GREEDY));
        FakeModel first = new FakeModel() {
            @Override
            public Completion complete(CompletionRequest r) {
                Completion c = super.complete(r);
                return new Completion(c.text(), c.finishReason(), c.usage(), Duration.ofMillis(250), 0.002, false, null);
            }
        };
        List<Completion> run1;
        try (CachingModel m = new CachingModel(first, SqliteResponseCache.open(file))) {
            run1 = m.completeBatch(batch);
            assertEquals(1, first.batchCalls.get(), "misses go down as one batch");
            assertEquals(3, first.calls.get());
            assertNotEquals(run1.get(0).text(), run1.get(1).text(), "two samples of a random request differ");
            assertTrue(run1.stream().noneMatch(Completion::cached));
        }
        FakeModel second = new FakeModel();
        try (CachingModel m = new CachingModel(second, SqliteResponseCache.open(file))) {
            List<Completion> run2 = m.completeBatch(batch);
            assertEquals(0, second.calls.get(), "nothing is sent on a re-run");
            for (int i = 0; i < 3; i++) {
                assertEquals(run1.get(i).text(), run2.get(i).text());
                assertEquals(run1.get(i).usage(), run2.get(i).usage());
                assertTrue(run2.get(i).cached());
                assertEquals(0.0, run2.get(i).costUsd());
            }
            assertEquals(3L, m.counters().get("cache_hits"));
            // a third sample was never made: it goes to the model
            m.complete(CompletionRequest.raw("a", HOT).withSampleIndex(2));
            assertEquals(1, second.calls.get());
        }
    }

    @Test
    void failuresAreNotCached() {
        InMemoryResponseCache cache = new InMemoryResponseCache();
        FakeModel failing = new FakeModel() {
            @Override
            public Completion complete(CompletionRequest r) {
                calls.incrementAndGet();
                return Completion.failed("boom", Duration.ZERO);
            }
        };
        CachingModel m = new CachingModel(failing, cache);
        assertTrue(m.complete(CompletionRequest.raw("x", GREEDY)).isError());
        assertTrue(m.complete(CompletionRequest.raw("x", GREEDY)).isError());
        assertEquals(2, failing.calls.get());
        assertEquals(0, cache.size());
    }

    @Test
    void storedCompletionRoundTrips() throws Exception {
        Completion c = new Completion("tëxt \"quoted\"\n", FinishReason.LENGTH, new TokenUsage(12, 34), Duration.ofMillis(56), 0.25, false, null);
        Completion back = SqliteResponseCache.fromJson(SqliteResponseCache.toJson(c));
        assertEquals(c, back);
    }
}
