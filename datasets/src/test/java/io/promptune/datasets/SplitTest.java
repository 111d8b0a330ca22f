package io.promptune.datasets;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class SplitTest {
    static Dataset numbers(int n) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) ex.add(new Example("ex" + i, Map.of("x", i), List.of("y" + i), Map.of()));
        return new Dataset("nums", ex);
    }

    private static Set<String> ids(Dataset d) {
        return d.examples().stream().map(Example::id).collect(Collectors.toSet());
    }

    @Test
    void fractionAndCount() {
        Split s = Split.byFraction(numbers(100), 0.2, 42);
        assertEquals(20, s.test().size());
        assertEquals(80, s.tune().size());
        Set<String> both = new HashSet<>(ids(s.tune()));
        both.retainAll(ids(s.test()));
        assertTrue(both.isEmpty());
        assertEquals(7, Split.byCount(numbers(30), 7, 1).test().size());
        assertEquals(1, Split.byFraction(numbers(3), 0.01, 1).test().size(), "a non-zero fraction holds out at least one");
        assertThrows(IllegalArgumentException.class, () -> Split.byCount(numbers(5), 5, 1));
        assertThrows(IllegalArgumentException.class, () -> Split.byFraction(numbers(5), 1.0, 1));
    }

    @Test
    void sameSeedSameSplitEvenWhenReordered() {
        Dataset d = numbers(200);
        List<Example> shuffled = new ArrayList<>(d.examples());
        Collections.shuffle(shuffled, new Random(7));
        Split a = Split.byFraction(d, 0.25, 99);
        Split b = Split.byFraction(new Dataset("nums", shuffled), 0.25, 99);
        assertEquals(ids(a.test()), ids(b.test()));
        Split c = Split.byFraction(d, 0.25, 100);
        assertNotEquals(ids(a.test()), ids(c.test()), "another seed gives another split");
    }

    @Test
    void testSplitIsRoughlyUniform() {
        // the first and second half of the ids should both contribute to the test split
        Split s = Split.byFraction(numbers(1000), 0.3, 5);
        long low = s.test().examples().stream().filter(e -> Integer.parseInt(e.id().substring(2)) < 500).count();
        assertTrue(low > 110 && low < 190, "low half got " + low + " of 300");
    }

    @Test
    void fewShotPoolNeverOffersTestExamples() {
        Split s = Split.byFraction(numbers(50), 0.3, 3);
        FewShotPool pool = s.fewShotPool();
        assertEquals(s.tune().size(), pool.size());
        Set<String> test = ids(s.test());
        for (Example q : s.test().examples()) {
            List<Example> shots = pool.draw(5, q, 11);
            assertEquals(5, shots.size());
            for (Example shot : shots) assertFalse(test.contains(shot.id()), "test example leaked as a shot");
            assertTrue(pool.isHeldOut(q.id()));
        }
        for (Example q : s.tune().examples()) {
            assertFalse(pool.draw(10, q, 11).contains(q), "an example is never its own demonstration");
        }
        Example q = s.tune().examples().get(0);
        assertEquals(pool.draw(4, q, 1), pool.draw(4, q, 1));
        assertNotEquals(pool.draw(4, q, 1), pool.draw(4, q, 2));
        assertEquals(pool.fixed(3, 1), pool.fixed(3, 1));
        assertThrows(IllegalArgumentException.class, () -> pool.draw(pool.size() + 1, q, 1));
    }
}
