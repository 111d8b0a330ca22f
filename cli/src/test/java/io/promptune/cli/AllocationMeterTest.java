package io.promptune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's boxed-compile verdict: heap bytes per token in each phase's last measured repetition. */
class AllocationMeterTest {
    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();

    static volatile Object sink; // keeps the test's allocations from being optimized away

    private static void allocate(long bytes) {
        for (long done = 0; done < bytes; done += 1 << 20) sink = new byte[1 << 20];
    }

    @Test
    void thresholdSeparatesMeasuredNormalRunsFromBoxedOnes() {
        assertFalse(AllocationMeter.boxedSuspect(18_000));        // measured normal runs: 0.02-1.9 MB per token
        assertFalse(AllocationMeter.boxedSuspect(1_900_000));
        assertTrue(AllocationMeter.boxedSuspect(6_300_000));      // Q4_0 batches with badly compiled register tiles
        assertTrue(AllocationMeter.boxedSuspect(7L << 30));       // TinyLlama Q4_K_M with a boxed GEMV
        assertFalse(AllocationMeter.boxedSuspect(AllocationMeter.SUSPECT_BYTES_PER_TOKEN));
        assertTrue(AllocationMeter.boxedSuspect(AllocationMeter.SUSPECT_BYTES_PER_TOKEN + 1));
    }

    @Test
    void aPhaseIsJudgedOnItsLastRepetition() {
        AllocationMeter m = new AllocationMeter();
        m.begin();
        allocate(400L << 20); // first repetition: code still compiling
        m.end(2);
        m.begin();
        m.end(2);             // last repetition: allocates (almost) nothing
        m.endPhase();
        assertTrue(m.bytesPerToken() >= 0 && m.bytesPerToken() < 1 << 20, "bytes per token " + m.bytesPerToken());
        assertEquals(4, m.tokens());

        m.begin();
        allocate(2 * AllocationMeter.SUSPECT_BYTES_PER_TOKEN + (64 << 20));
        m.end(2);             // a later phase's last repetition allocates > the threshold per token
        m.endPhase();
        assertTrue(AllocationMeter.boxedSuspect(m.bytesPerToken()), "bytes per token " + m.bytesPerToken());
    }

    @Test
    void aSuspectRunIsFlaggedInTheJsonAndLoudlyOnStderr() {
        AllocationMeter m = new AllocationMeter();
        m.begin();
        allocate(AllocationMeter.SUSPECT_BYTES_PER_TOKEN + (64 << 20));
        m.end(1);
        m.endPhase();
        ObjectNode out = new ObjectMapper().createObjectNode();
        BenchCommand.boxedCompileCheck(m, out);
        assertTrue(out.get("boxed_suspect").asBoolean(), out.toString());
        assertEquals(1, out.get("measured_tokens").asLong());
        assertTrue(streams.err.toString(StandardCharsets.UTF_8).contains("BOXED VECTOR COMPILE SUSPECTED"));

        AllocationMeter quiet = new AllocationMeter();
        quiet.begin();
        quiet.end(8);
        quiet.endPhase();
        ObjectNode ok = new ObjectMapper().createObjectNode();
        streams.err.reset();
        BenchCommand.boxedCompileCheck(quiet, ok);
        assertFalse(ok.get("boxed_suspect").asBoolean(), ok.toString());
        assertEquals("", streams.err.toString(StandardCharsets.UTF_8));
    }
}
