package io.promptune.localmodel.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian field access for block layouts (GGUF data is always little-endian). */
final class Le {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Le() {}

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static byte i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    static void put8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    /** An IEEE half stored at {@code off}, widened to float. */
    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(SHORT, off));
    }

    /** Stores {@code v} as an IEEE half, rounding to nearest even (as GGML_FP32_TO_FP16 does). */
    static void putF16(MemorySegment s, long off, float v) {
        s.set(SHORT, off, Float.floatToFloat16(v));
    }

    /** {@code v} rounded to the nearest half and back, as ggml does when it re-reads a stored scale. */
    static float roundTripF16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static short i16(MemorySegment s, long off) {
        return s.get(SHORT, off);
    }

    static void put16(MemorySegment s, long off, int v) {
        s.set(SHORT, off, (short) v);
    }

    static int i32(MemorySegment s, long off) {
        return s.get(INT, off);
    }

    static void put32(MemorySegment s, long off, int v) {
        s.set(INT, off, v);
    }

    static float f32(MemorySegment s, long off) {
        return s.get(FLOAT, off);
    }

    static void putF32(MemorySegment s, long off, float v) {
        s.set(FLOAT, off, v);
    }
}
