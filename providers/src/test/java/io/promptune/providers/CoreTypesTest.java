package io.promptune.providers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class CoreTypesTest {
    @Test
    void withoutUnsetsOnlyTheNamedParameters() {
        DecodingParams p = DecodingParams.builder().temperature(0.7).topK(40).stop(List.of("\n")).seed(3L).build();
        DecodingParams q = p.without(Set.of(DecodingParams.TOP_K, DecodingParams.STOP));
        assertEquals(Set.of("temperature", "seed"), q.setParameterNames());
        assertEquals(0.7, q.temperature());
        assertEquals(3L, q.seed());
    }

    @Test
    void checkSupportedRefusesUnsupportedDecodingParametersAndIgnoresOthers() {
        FakeModel m = new FakeModel("fake:limited", Set.of("temperature", "max_tokens"));
        m.checkSupported(Set.of("temperature", "template", "few_shot_k")); // not decoding params: fine
        UnsupportedParameterException e = assertThrows(UnsupportedParameterException.class,
                () -> m.checkSupported(Set.of("temperature", "top_k", "min_p")));
        assertEquals(Set.of("top_k", "min_p"), e.unsupported());
        assertTrue(e.getMessage().contains("fake:limited"), e.getMessage());
        assertTrue(e.getMessage().contains("min_p, top_k"), e.getMessage());
        assertTrue(e.getMessage().contains("max_tokens, temperature"), e.getMessage());
    }

    @Test
    void droppingModelWarnsOnceAndNeverSendsTheDroppedParameter() {
        FakeModel m = new FakeModel("fake:limited", Set.of("temperature"));
        List<String> warnings = new ArrayList<>();
        LanguageModel d = ParameterDroppingModel.dropUnsupported(m, Set.of("temperature", "top_k"), warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("top_k") && warnings.getFirst().contains("NOT sent"), warnings.getFirst());
        d.checkSupported(Set.of("temperature", "top_k")); // now accepted
        d.complete(CompletionRequest.raw("hi", DecodingParams.builder().temperature(0.5).topK(5).build()));
        d.completeBatch(List.of(CompletionRequest.raw("hi", DecodingParams.builder().topK(7).build())));
        assertEquals(2, m.seen.size());
        for (CompletionRequest r : m.seen) assertNull(r.params().topK());
        assertEquals(0.5, m.seen.getFirst().params().temperature());
        assertSame(m, ParameterDroppingModel.dropUnsupported(m, Set.of("temperature"), warnings::add));
        assertEquals(1, warnings.size());
    }
}
