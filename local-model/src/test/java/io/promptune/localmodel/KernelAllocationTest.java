package io.promptune.localmodel;

import io.promptune.localmodel.tensor.VectorWidth;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
 * No kernel allocates per token, boxed vectors included: per quantisation type, a child JVM ({@link KernelAllocationProbe})
 * runs a small random model's prompt, decode and batched decode under {@code -XX:-UseTypeSpeculation} until C2 has
 * compiled them, and the heap it allocates per token must stay near zero. Without speculative receiver types, a
 * Vector API call whose receiver's exact class C2 cannot see while parsing goes through the JDK's own call-site
 * profiles, so a kernel that would box in some fresh JVMs of the launcher's flags boxes in every JVM of this one
 * (docs/dev-notes/speed.md, sessions 11-12 jit): deterministic and untimed. The other flags are the launcher's
 * ({@code promptune}). Each type runs twice: with every kernel at 256 bits (one vector shape in the JVM, as on an
 * AVX2 machine) and, where this machine picks 512-bit kernels, at its own width (both shapes in one JVM: the JDK's
 * profiles then see two classes per call site, and every kernel on main boxes under the flag there, see
 * {@link #KNOWN_ALLOCATING_MIXED}). Q4_K_M covers Q6_K too (its output and some layers); F16 kernels are 256-bit
 * only. Run one type: {@code mvn -o -pl local-model test -Dtest=KernelAllocationTest
 * -Dkernel.allocation.types=Q4_1}; each child's cycles go to the test's output file.
 */
class KernelAllocationTest {
    /**
     * Heap bytes per token above which a phase counts as allocating. A clean engine allocates 1-10 KB per token on
     * this model (session 12, 2 threads): the logits (4 KB for the 1024-token vocabulary, per decoded token) and the
     * session's bookkeeping; one boxed kernel adds 50 KB to many MB per token even on matrices this small.
     */
    static final long LIMIT = 32 << 10;

    /**
     * Types that allocate per token at any width: the test fails if one of them comes out clean, so that the lists
     * stay true; remove a type when it is fixed.
     */
    static final Set<String> KNOWN_ALLOCATING = Set.of();

    /**
     * Types whose kernels box under the flag when 256- and 512-bit vectors share the JVM (AVX-512 machines; session
     * 12: Q4_0 330 KB, Q4_1 1-3.5 MB, Q8_0 0.6-2 MB, Q4_K_M 8.8 MB per token). Clean with every kernel at 256 bits
     * (Q4_K_M since Q6_KMatrix.dotRows stopped allocating its scales per call).
     */
    static final Set<String> KNOWN_ALLOCATING_MIXED = Set.of("Q4_0", "Q4_K_M");

    /** The launcher's JVM flags (the {@code promptune} script) and the stress flag. */
    static final List<String> FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xmn32m", "-XX:TrimNativeHeapInterval=2000", "-XX:PerMethodTrapLimit=100000",
            "-XX:-UseTypeSpeculation");

    @ParameterizedTest(name = "{0} at {1} bits")
    @CsvSource({"Q4_0,256", "Q4_1,256", "Q8_0,256", "Q4_K_M,256",
            "Q4_0,native", "Q4_1,native", "Q8_0,native", "Q4_K_M,native", "F16,native"})
    void kernelsAllocateNothingPerTokenWithoutTypeSpeculation(String type, String width, @TempDir Path dir) throws Exception {
        String only = System.getProperty("kernel.allocation.types", "");
        assumeTrue(only.isBlank() || Arrays.asList(only.split(",")).contains(type), "not in -Dkernel.allocation.types");
        boolean narrow = width.equals("256");
        assumeTrue(narrow || VectorWidth.WIDE, "this machine's kernels are 256-bit: the 256 run covers it");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        if (narrow) cmd.add("-Dpromptune.vectorBits=256");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelAllocationProbe.class.getName(), type,
                dir.toString(), Long.toString(LIMIT)));
        Path log = dir.resolve("probe.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(5, TimeUnit.MINUTES);
        if (!ended) p.destroyForcibly().waitFor();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(ended, "the probe did not end in 5 minutes:\n" + out);
        System.out.println(type + " at " + width + " bits:\n" + out);
        assertEquals(0, p.exitValue(), out);
        String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(() -> new AssertionError(out));
        String phases = String.join(", ", out.lines().filter(l -> l.startsWith("PHASE ")).map(l -> l.substring(6)).toList());
        boolean clean = result.startsWith("RESULT clean");
        boolean mixed = out.lines().anyMatch(l -> l.equals("BITS 512"));
        if (KNOWN_ALLOCATING.contains(type) || mixed && KNOWN_ALLOCATING_MIXED.contains(type)) {
            assertTrue(!clean, type + " at " + width + " bits is clean now (" + phases + " bytes per token): remove it from "
                    + (KNOWN_ALLOCATING.contains(type) ? "KNOWN_ALLOCATING" : "KNOWN_ALLOCATING_MIXED"));
        } else {
            assertTrue(clean, type + " at " + width + " bits allocates per token without type speculation (" + phases
                    + " bytes per token, limit " + LIMIT + "): a kernel compiled with boxed vectors or allocates per call."
                    + " Run " + KernelAllocationProbe.class.getSimpleName() + " with JFR allocation sampling to find it.\n" + out);
        }
    }
}
