package io.promptune.providers;

import io.promptune.providers.cache.CachingModel;
import io.promptune.providers.cache.InMemoryResponseCache;
import io.promptune.providers.resilience.CoalescingBatchModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StreamingThroughDecoratorsTest {
    static final CompletionRequest REQ = CompletionRequest.raw("a b c", DecodingParams.builder().temperature(0.0).build());

    @Test
    void coalescingLayerStreamsPieceByPiece() {
        List<String> pieces = new ArrayList<>();
        Completion c = new CoalescingBatchModel(new FakeModel(), 4).completeStreaming(REQ, pieces::add);
        assertTrue(pieces.size() > 1, pieces.toString());
        assertEquals(c.text(), String.join("", pieces));
    }

    @Test
    void cacheStreamsAMissAndReplaysAHitWhole() {
        FakeModel fake = new FakeModel();
        CachingModel m = new CachingModel(fake, new InMemoryResponseCache());
        List<String> first = new ArrayList<>(), second = new ArrayList<>();
        Completion a = m.completeStreaming(REQ, first::add);
        Completion b = m.completeStreaming(REQ, second::add);
        assertTrue(first.size() > 1);
        assertEquals(List.of(a.text()), second);
        assertTrue(b.cached());
        assertEquals(1, fake.calls.get());
    }

    @Test
    void droppedParametersAreDroppedWhenStreamingToo() {
        FakeModel fake = new FakeModel("fake:limited", java.util.Set.of("temperature"));
        LanguageModel d = ParameterDroppingModel.dropUnsupported(fake, java.util.Set.of("top_k"), w -> { });
        d.completeStreaming(CompletionRequest.raw("x", DecodingParams.builder().topK(4).build()), s -> { });
        assertNull(fake.seen.getLast().params().topK());
    }
}
