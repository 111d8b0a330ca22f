package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.TensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bit-exact agreement with llama-quantize itself: the shared stories260K files were quantized by
 * llama.cpp from the same F32 file, so quantizing each F32 tensor with our codec must give their bytes.
 */
class LlamaCppParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_1"})
    void quantizedTensorsMatchLlamaQuantizeByteForByte(String typeName) {
        Path shared = Fixtures.shared();
        assumeTrue(shared != null, "../shared not present");
        Path dir = shared.resolve("models/stories260K");
        Path quantized = dir.resolve("stories260K-" + typeName + ".gguf");
        assumeTrue(Files.exists(quantized) && Files.exists(dir.resolve("stories260K-f32.gguf")), "stories260K files absent");
        GgmlType type = GgmlType.valueOf(typeName);
        int compared = 0;
        try (GgufFile f32 = GgufFile.open(dir.resolve("stories260K-f32.gguf")); GgufFile q = GgufFile.open(quantized)) {
            for (TensorInfo t : q.tensors().values()) {
                if (t.type() != type) continue;
                TensorInfo src = f32.tensor(t.name());
                assertEquals(GgmlType.F32, src.type(), t.name());
                float[] x = f32.tensorData(src).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
                byte[] ours = QuantFormats.of(type).quantize(x);
                byte[] theirs = q.tensorData(t).toArray(ValueLayout.JAVA_BYTE);
                long mismatch = MemorySegment.ofArray(ours).mismatch(MemorySegment.ofArray(theirs));
                assertEquals(-1, mismatch, t.name() + " differs from llama-quantize's at byte " + mismatch);
                compared++;
            }
        }
        assertTrue(compared > 0, "no " + typeName + " tensors compared");
    }
}
