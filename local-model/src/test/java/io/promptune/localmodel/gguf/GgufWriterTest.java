package io.promptune.localmodel.gguf;

import io.promptune.localmodel.quant.QuantFormats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GgufWriterTest {
    @TempDir
    Path dir;

    private final Random rnd = new Random(3);
    private final List<String> expectedDump = new ArrayList<>();

    /** A writer with every value type, arrays of each, and tensors of several types and ranks. */
    private GgufWriter sample() {
        GgufWriter w = new GgufWriter();
        put(w, "t.u8", GgufValueType.UINT8, 200, "200");
        put(w, "t.i8", GgufValueType.INT8, -100, "-100");
        put(w, "t.u16", GgufValueType.UINT16, 60000, "60000");
        put(w, "t.i16", GgufValueType.INT16, -30000, "-30000");
        put(w, "t.u32", GgufValueType.UINT32, 4_000_000_000L, "4000000000");
        put(w, "t.i32", GgufValueType.INT32, -2_000_000_000, "-2000000000");
        put(w, "t.f32", GgufValueType.FLOAT32, 0.1f, "float");
        put(w, "t.bool", GgufValueType.BOOL, true, "true");
        put(w, "t.str", GgufValueType.STRING, "héllo wörld ✓", "héllo wörld ✓");
        put(w, "t.u64", GgufValueType.UINT64, 1L << 40, String.valueOf(1L << 40));
        put(w, "t.i64", GgufValueType.INT64, -(1L << 40), String.valueOf(-(1L << 40)));
        put(w, "t.f64", GgufValueType.FLOAT64, Math.PI, "float");
        array(w, "a.u8", GgufValueType.UINT8, new int[]{1, 2, 255}, "3:1,2,255");
        array(w, "a.i8", GgufValueType.INT8, new int[]{-1, 2}, "2:-1,2");
        array(w, "a.u16", GgufValueType.UINT16, new int[]{65535}, "1:65535");
        array(w, "a.i16", GgufValueType.INT16, new int[]{-5, 5}, "2:-5,5");
        array(w, "a.u32", GgufValueType.UINT32, new long[]{4_000_000_000L, 1}, "2:4000000000,1");
        array(w, "a.i32", GgufValueType.INT32, new int[]{-7, 8, 9, 10}, "4:-7,8,9");
        array(w, "a.f32", GgufValueType.FLOAT32, new float[]{1.5f, -2f}, "2:float,float");
        array(w, "a.bool", GgufValueType.BOOL, new boolean[]{true, false}, "2:true,false");
        array(w, "a.str", GgufValueType.STRING, new String[]{"a", "", "<0x0A>", "▁the"}, "4:a,,<0x0A>");
        array(w, "a.u64", GgufValueType.UINT64, new long[]{1L << 50}, "1:" + (1L << 50));
        array(w, "a.i64", GgufValueType.INT64, new long[]{-3}, "1:-3");
        array(w, "a.f64", GgufValueType.FLOAT64, new double[]{2.25}, "1:float");
        array(w, "a.empty", GgufValueType.INT32, new int[0], "0:");
        tensor(w, "w.f32", new long[]{64, 3}, GgmlType.F32);
        tensor(w, "w.f16", new long[]{7}, GgmlType.F16); // odd size: exercises padding
        tensor(w, "w.q4_0", new long[]{64, 2, 2}, GgmlType.Q4_0);
        tensor(w, "w.q6_k", new long[]{256, 3}, GgmlType.Q6_K);
        tensor(w, "w.bf16", new long[]{3, 1, 1, 2}, GgmlType.BF16);
        return w;
    }

    private void put(GgufWriter w, String key, GgufValueType t, Object v, String shown) {
        w.put(key, t, v);
        expectedDump.add("kv " + key + " " + t + " " + shown);
    }

    private void array(GgufWriter w, String key, GgufValueType t, Object v, String shown) {
        w.putArray(key, t, v);
        expectedDump.add("kv " + key + " ARRAY/" + t + " " + shown);
    }

    private void tensor(GgufWriter w, String name, long[] shape, GgmlType type) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        byte[] bytes = QuantFormats.of(type).quantize(x);
        w.addTensor(name, shape, type, MemorySegment.ofArray(bytes));
        StringBuilder dims = new StringBuilder();
        for (long d : shape) dims.append(dims.isEmpty() ? "" : ",").append(d);
        expectedDump.add("tensor " + name + " " + type + " " + dims + " " + sha256(bytes));
        sampleData.add(bytes);
    }

    private final List<byte[]> sampleData = new ArrayList<>();

    @Test
    void ggufFileReadsBackEverythingWritten() throws IOException {
        Path p = dir.resolve("sample.gguf");
        sample().write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(200, f.get("t.u8"));
            assertEquals(-100, f.get("t.i8"));
            assertEquals(60000, f.get("t.u16"));
            assertEquals(-30000, f.get("t.i16"));
            assertEquals(4_000_000_000L, f.get("t.u32"));
            assertEquals(-2_000_000_000, f.get("t.i32"));
            assertEquals(0.1f, f.get("t.f32"));
            assertEquals(true, f.get("t.bool"));
            assertEquals("héllo wörld ✓", f.get("t.str"));
            assertEquals(1L << 40, f.get("t.u64"));
            assertEquals(-(1L << 40), f.get("t.i64"));
            assertEquals(Math.PI, f.get("t.f64"));
            assertArrayEquals(new int[]{1, 2, 255}, (int[]) f.get("a.u8"));
            assertArrayEquals(new int[]{-1, 2}, (int[]) f.get("a.i8"));
            assertArrayEquals(new int[]{-7, 8, 9, 10}, (int[]) f.get("a.i32"));
            assertArrayEquals(new long[]{4_000_000_000L, 1}, (long[]) f.get("a.u32")); // >= 2^31 stays unsigned
            assertArrayEquals(new int[]{65535}, (int[]) f.get("a.u16"));
            assertArrayEquals(new float[]{1.5f, -2f}, (float[]) f.get("a.f32"));
            assertArrayEquals(new boolean[]{true, false}, (boolean[]) f.get("a.bool"));
            assertArrayEquals(new String[]{"a", "", "<0x0A>", "▁the"}, (String[]) f.get("a.str"));
            assertArrayEquals(new long[]{1L << 50}, (long[]) f.get("a.u64"));
            assertArrayEquals(new double[]{2.25}, (double[]) f.get("a.f64"));
            assertArrayEquals(new int[0], (int[]) f.get("a.empty"));
            assertEquals(GgufValueType.UINT32, f.valueType("t.u32"));
            assertEquals(GgufValueType.UINT8, f.valueType("t.u8"));
            assertEquals(GgufValueType.ARRAY, f.valueType("a.str"));
            assertEquals(GgufValueType.STRING, f.arrayElementType("a.str"));
            assertEquals(GgufValueType.UINT16, f.arrayElementType("a.u16"));
            assertEquals(List.of("w.f32", "w.f16", "w.q4_0", "w.q6_k", "w.bf16"), f.tensorNames());
            int i = 0;
            for (TensorInfo t : f.tensors().values()) {
                assertEquals(0, t.offset() % 32, t.name() + " aligned");
                assertArrayEquals(sampleData.get(i++), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE), t.name());
            }
            assertArrayEquals(new long[]{64, 2, 2}, f.tensor("w.q4_0").shape());
            assertEquals(GgmlType.Q6_K, f.tensor("w.q6_k").type());
        }
    }

    @Test
    void copiedMetadataKeepsItsStoredTypes() throws IOException {
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf");
        sample().write(a);
        try (GgufFile f = GgufFile.open(a)) {
            GgufWriter w = new GgufWriter();
            for (String k : f.metadata().keySet()) w.copy(f, k);
            w.write(b);
        }
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b)) {
            for (String k : fa.metadata().keySet()) {
                assertEquals(fa.valueType(k), fb.valueType(k), k);
                assertEquals(fa.arrayElementType(k), fb.arrayElementType(k), k);
            }
            assertEquals(fa.metadata().size(), fb.metadata().size());
            for (String k : fa.metadata().keySet()) {
                assertTrue(java.util.Objects.deepEquals(fa.get(k), fb.get(k)), k + " value changed in the copy");
            }
        }
    }

    @Test
    void longStringArraysAreReadFromTheFileOnEachGet() throws IOException {
        Path p = dir.resolve("vocab.gguf");
        String[] tokens = new String[1000];
        for (int i = 0; i < tokens.length; i++) tokens[i] = i % 7 == 0 ? "" : "▁tok" + i + "é".repeat(i % 5);
        GgufWriter w = new GgufWriter().putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens)
                .put("after", GgufValueType.STRING, "tail ✓")
                .putArray("short", GgufValueType.STRING, new String[]{"x", "y"});
        w.addTensor("x", new long[]{3}, GgmlType.F32, MemorySegment.ofArray(new byte[12]));
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            String[] first = (String[]) f.get("tokenizer.ggml.tokens");
            assertArrayEquals(tokens, first);
            // not kept parsed: every read decodes a new array (the memory the laziness is for)
            assertNotSame(first, f.get("tokenizer.ggml.tokens"));
            assertArrayEquals(tokens, (String[]) f.metadata().get("tokenizer.ggml.tokens"));
            assertArrayEquals(tokens, f.require("tokenizer.ggml.tokens", String[].class));
            assertEquals("tail ✓", f.getString("after")); // parsing went on at the right offset past the skipped strings
            assertArrayEquals(new String[]{"x", "y"}, (String[]) f.get("short"));
            int seen = 0;
            for (var e : f.metadata().entrySet()) {
                if (e.getKey().equals("tokenizer.ggml.tokens")) {
                    assertArrayEquals(tokens, (String[]) e.getValue());
                    seen++;
                }
            }
            assertEquals(1, seen);
            assertEquals(GgufValueType.STRING, f.arrayElementType("tokenizer.ggml.tokens"));
            assertEquals(12, f.tensorData(f.tensor("x")).byteSize());
        }
    }

    @Test
    void customAlignmentIsHonoured() throws IOException {
        Path p = dir.resolve("aligned.gguf");
        GgufWriter w = new GgufWriter().putUint32("general.alignment", 64);
        w.addTensor("x", new long[]{3}, GgmlType.F32, MemorySegment.ofArray(new byte[12]));
        w.addTensor("y", new long[]{5}, GgmlType.F32, MemorySegment.ofArray(new byte[20]));
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(0, f.dataStart() % 64);
            assertEquals(64, f.tensor("y").offset());
        }
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        GgufWriter w = new GgufWriter();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> w.put("k", GgufValueType.UINT8, 300))
                .getMessage().contains("k"));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GgufValueType.INT32, "x"));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", GgufValueType.INT32, new String[]{"x"}));
        var e = assertThrows(IllegalArgumentException.class,
                () -> w.addTensor("bad", new long[]{100}, GgmlType.Q4_0, MemorySegment.ofArray(new byte[0])));
        assertTrue(e.getMessage().contains("bad") && e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void aTensorWritingTheWrongSizeFailsAndLeavesNoFile() {
        Path p = dir.resolve("short.gguf");
        GgufWriter w = new GgufWriter();
        w.addTensor("x", new long[]{4}, GgmlType.F32, MemorySegment.ofArray(new byte[12]));
        var e = assertThrows(IllegalStateException.class, () -> w.write(p));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertFalse(Files.exists(p));
    }

    /** PyPI's gguf reader must read our files too (skipped when python3 with gguf is not installed). */
    @Test
    void pythonGgufReaderReadsWhatWeWrote() throws Exception {
        assumeTrue(pythonHasGguf(), "python3 with the gguf package is not available");
        Path p = dir.resolve("py.gguf");
        sample().write(p);
        Path script = dir.resolve("dump_with_gguf.py");
        try (var in = getClass().getResourceAsStream("/gguf/dump_with_gguf.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process proc = new ProcessBuilder("python3", script.toString(), p.toString()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, proc.exitValue(), out);
        assertEquals(String.join("\n", expectedDump), out.strip());
    }

    private static boolean pythonHasGguf() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import gguf").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
