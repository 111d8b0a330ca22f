package io.promptune.localmodel;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No kernel compiles with boxed vectors: per quantisation type, a child JVM ({@link KernelAllocationProbe}) runs a
 * small random model's prompt, decode and batched decode under {@code -XX:-UseTypeSpeculation} until C2 has compiled
 * them, and the heap it allocates per token must stay near zero. Without speculative receiver types every Vector API
 * call on a vector whose exact class C2 cannot see while parsing (a loop-carried vector, a branch merge, the result
 * of an untyped conversion) takes the class-check path that becomes a virtual call, so a kernel that would box in
 * some fresh JVMs of the launcher's flags boxes in every JVM of this one (docs/dev-notes/speed.md, session 11 jit):
 * a deterministic, untimed test of the code rule that prevents it. The other flags are the launcher's
 * ({@code promptune}). Run one type: {@code mvn -o -pl local-model test -Dtest=KernelAllocationTest
 * -Dkernel.allocation.types=Q4_1}; each child prints its cycles to the test's output file.
 */
class KernelAllocationTest {
    /**
     * Heap bytes per token above which a phase counts as allocating. A clean engine allocates 1-10 KB per token on
     * this model (session 12, 2 threads): the logits (4 KB for the 1024-token vocabulary, per decoded token) and the
     * session's bookkeeping; one boxed kernel adds 50 KB to many MB per token even on matrices this small.
     */
    static final long LIMIT = 32 << 10;

    /**
     * Types whose kernels still allocate under the stress flag: the test fails if one of them comes out clean, so
     * that this list stays true. Remove a type when its kernels are fixed.
     */
    static final Set<String> KNOWN_ALLOCATING = Set.of("Q4_0", "Q4_1", "Q8_0", "Q4_K_M", "Q6_K");

    /** The launcher's JVM flags (the {@code promptune} script) and the stress flag. */
    static final List<String> FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xmn32m", "-XX:TrimNativeHeapInterval=2000", "-XX:PerMethodTrapLimit=100000",
            "-XX:-UseTypeSpeculation");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q4_0", "Q4_1", "Q8_0", "Q4_K_M", "Q6_K", "F16"})
    void kernelsAllocateNothingPerTokenWithoutTypeSpeculation(String type, @TempDir Path dir) throws Exception {
        String only = System.getProperty("kernel.allocation.types", "");
        assumeTrue(only.isBlank() || Arrays.asList(only.split(",")).contains(type), "not in -Dkernel.allocation.types");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelAllocationProbe.class.getName(), type,
                dir.toString(), Long.toString(LIMIT)));
        Path log = dir.resolve("probe.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(5, TimeUnit.MINUTES);
        if (!ended) p.destroyForcibly().waitFor();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(ended, "the probe did not end in 5 minutes:\n" + out);
        System.out.println(type + ":\n" + out);
        assertEquals(0, p.exitValue(), out);
        String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(() -> new AssertionError(out));
        String phases = String.join(", ", out.lines().filter(l -> l.startsWith("PHASE ")).map(l -> l.substring(6)).toList());
        boolean clean = result.startsWith("RESULT clean");
        if (KNOWN_ALLOCATING.contains(type)) {
            assertTrue(!clean, type + " is clean now (" + phases + " bytes per token): remove it from KNOWN_ALLOCATING");
        } else {
            assertTrue(clean, type + " allocates per token without type speculation (" + phases + " bytes per token, limit "
                    + LIMIT + "): a kernel compiled with boxed vectors (or allocates per call). Run "
                    + KernelAllocationProbe.class.getSimpleName() + " with JFR allocation sampling to find it.\n" + out);
        }
    }
}
