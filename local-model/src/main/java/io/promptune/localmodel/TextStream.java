package io.promptune.localmodel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a stream of token bytes into text deltas: bytes of an incomplete UTF-8 character wait for
 * the next token, and text that could be the start of a stop sequence is held back until it is
 * clear. When a stop sequence appears (also across token boundaries) the text is cut before it.
 */
final class TextStream {
    private final List<String> stops;
    private final int maxStop;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean stopped;

    TextStream(List<String> stops) {
        this.stops = stops;
        this.maxStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    boolean stopped() { return stopped; }

    /** The final text (after a stop: everything before the stop sequence). */
    String text() { return text.toString(); }

    /** Adds a token's bytes; returns the text that became final. */
    String add(byte[] bytes) {
        if (stopped) return "";
        pending.writeBytes(bytes);
        byte[] all = pending.toByteArray();
        int complete = completeUtf8Prefix(all);
        if (complete > 0) {
            text.append(new String(all, 0, complete, StandardCharsets.UTF_8));
            pending.reset();
            pending.write(all, complete, all.length - complete);
        }
        if (!stops.isEmpty()) {
            int from = Math.max(0, emitted - maxStop);
            int cut = -1;
            for (String s : stops) {
                int at = text.indexOf(s, from);
                if (at >= 0 && (cut < 0 || at < cut)) cut = at;
            }
            if (cut >= 0) {
                text.setLength(cut);
                stopped = true;
                return flushTo(Math.max(emitted, cut));
            }
        }
        return flushTo(text.length() - heldBack());
    }

    /** Everything not yet emitted (called when generation ends without a stop). */
    String finish() {
        if (!stopped && pending.size() > 0) {
            text.append(new String(pending.toByteArray(), StandardCharsets.UTF_8));
            pending.reset();
        }
        return flushTo(text.length());
    }

    private String flushTo(int end) {
        if (end <= emitted) return "";
        String delta = text.substring(emitted, end);
        emitted = end;
        return delta;
    }

    /** Length of the longest text suffix that is a proper prefix of some stop sequence. */
    private int heldBack() {
        int best = 0;
        int len = text.length();
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, len); k > best; k--) {
                if (text.substring(len - k).equals(s.substring(0, k))) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    /** Bytes that form complete UTF-8 characters (invalid bytes count as complete, decoded as U+FFFD). */
    static int completeUtf8Prefix(byte[] b) {
        int n = b.length;
        // look back at most 3 bytes for the start of an unfinished multi-byte character
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) continue; // continuation byte
            int need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
