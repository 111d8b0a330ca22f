package io.promptune.localmodel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextStreamTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void stopSequenceAcrossTokenBoundariesIsCutAndNeverStreamed() {
        TextStream t = new TextStream(List.of("\nUser:"));
        StringBuilder streamed = new StringBuilder();
        streamed.append(t.add(b("Hello")));
        streamed.append(t.add(b(" there\nU")));
        assertFalse(t.stopped());
        streamed.append(t.add(b("se")));
        streamed.append(t.add(b("r: next")));
        assertTrue(t.stopped());
        streamed.append(t.finish());
        assertEquals("Hello there", t.text());
        assertEquals("Hello there", streamed.toString());
    }

    @Test
    void heldBackTextIsReleasedWhenItIsNotAStop() {
        TextStream t = new TextStream(List.of("STOP"));
        assertEquals("a", t.add(b("aST")));
        assertEquals("STx", t.add(b("x")));
        assertEquals("", t.finish());
        assertEquals("aSTx", t.text());
    }

    @Test
    void splitUtf8CharactersWaitForTheirLastByte() {
        byte[] euro = b("€"); // 3 bytes
        TextStream t = new TextStream(List.of());
        assertEquals("", t.add(new byte[]{euro[0]}));
        assertEquals("", t.add(new byte[]{euro[1]}));
        assertEquals("€!", t.add(new byte[]{euro[2], '!'}));
    }

    @Test
    void earliestStopWins() {
        TextStream t = new TextStream(List.of("cd", "b"));
        t.add(b("abcd"));
        assertEquals("a", t.text());
    }
}
