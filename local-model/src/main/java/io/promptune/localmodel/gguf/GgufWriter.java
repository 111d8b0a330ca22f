package io.promptune.localmodel.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: metadata (every value type, arrays included), tensor infos and tensor data,
 * each tensor padded to the alignment. Metadata keeps insertion order; values are typed explicitly
 * because GGUF readers (llama.cpp's among them) check a key's stored type. Tensor data is streamed by
 * a {@link TensorContent} callback, so models larger than the heap can be written. The file is written
 * beside the target and moved into place when complete.
 */
public final class GgufWriter {
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAGIC = 0x46554747;

    /** Produces one tensor's bytes, in order, into the sink; it must write exactly the tensor's byte size. */
    @FunctionalInterface
    public interface TensorContent {
        void writeTo(Sink sink) throws IOException;
    }

    /** Where tensor bytes go. */
    public interface Sink {
        void write(MemorySegment bytes) throws IOException;

        default void write(byte[] bytes, int off, int len) throws IOException {
            write(MemorySegment.ofArray(bytes).asSlice(off, len));
        }
    }

    private record Value(GgufValueType type, GgufValueType elementType, Object value) {}

    private record Tensor(String name, long[] shape, GgmlType type, TensorContent content) {
        long byteSize() { return new TensorInfo(name, shape, type, 0).byteSize(); }
    }

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    // ---- metadata ----------------------------------------------------------------------------------

    /**
     * Sets {@code key} to a scalar of the given type (numbers are range-checked for that type; for
     * UINT32 an Integer is taken as unsigned bits, which is how GgufFile returns uint32 array elements).
     */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        if (type == GgufValueType.ARRAY) throw new IllegalArgumentException(key + ": use putArray for arrays");
        metadata.put(checkKey(key), new Value(type, null, checkScalar(key, type, value)));
        return this;
    }

    /**
     * Sets {@code key} to an array of {@code elementType}. {@code values} is a Java array: int[], long[],
     * float[], double[], boolean[], String[], byte[], short[], or Object[] of boxed values.
     */
    public GgufWriter putArray(String key, GgufValueType elementType, Object values) {
        if (elementType == GgufValueType.ARRAY) throw new IllegalArgumentException(key + ": nested arrays are not supported");
        if (values == null || !values.getClass().isArray()) throw new IllegalArgumentException(key + ": not an array");
        int n = java.lang.reflect.Array.getLength(values);
        for (int i = 0; i < n; i++) checkScalar(key + "[" + i + "]", elementType, java.lang.reflect.Array.get(values, i));
        metadata.put(checkKey(key), new Value(GgufValueType.ARRAY, elementType, values));
        return this;
    }

    public GgufWriter putString(String key, String value) { return put(key, GgufValueType.STRING, value); }

    public GgufWriter putUint32(String key, long value) { return put(key, GgufValueType.UINT32, value); }

    public GgufWriter putInt32(String key, int value) { return put(key, GgufValueType.INT32, value); }

    public GgufWriter putUint64(String key, long value) { return put(key, GgufValueType.UINT64, value); }

    public GgufWriter putFloat32(String key, float value) { return put(key, GgufValueType.FLOAT32, value); }

    public GgufWriter putBool(String key, boolean value) { return put(key, GgufValueType.BOOL, value); }

    /** Copies one key from {@code from} with its stored type. */
    public GgufWriter copy(GgufFile from, String key) {
        GgufValueType t = from.valueType(key);
        if (t == null) throw new IllegalArgumentException(from.path() + ": no metadata key '" + key + "'");
        return t == GgufValueType.ARRAY ? putArray(key, from.arrayElementType(key), from.get(key)) : put(key, t, from.get(key));
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    public int alignment() {
        Value v = metadata.get("general.alignment");
        return v == null ? DEFAULT_ALIGNMENT : ((Number) v.value()).intValue();
    }

    // ---- tensors -----------------------------------------------------------------------------------

    /** Declares a tensor; {@code shape[0]} is the contiguous dimension (ggml order). */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, TensorContent content) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        if (shape.length < 1 || shape.length > 4) throw new IllegalArgumentException(name + ": " + shape.length + " dimensions");
        for (long d : shape) if (d <= 0) throw new IllegalArgumentException(name + ": dimension " + d);
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + shape[0] + " is not a multiple of " + type
                    + "'s block size " + type.blockSize());
        }
        tensors.put(name, new Tensor(name, shape.clone(), type, content));
        return this;
    }

    /** Declares a tensor whose bytes are already in memory. */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, MemorySegment data) {
        return addTensor(name, shape, type, sink -> sink.write(data));
    }

    // ---- output ------------------------------------------------------------------------------------

    /** Writes the file; on failure nothing is left at {@code out}. */
    public void write(Path out) throws IOException {
        int align = alignment();
        if (align <= 0 || Integer.bitCount(align) != 1) throw new IllegalArgumentException("alignment " + align + " is not a power of two");
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, out.getFileName().toString(), ".part");
        boolean ok = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Out o = new Out(ch);
            o.i32(MAGIC);
            o.i32(3);
            o.i64(tensors.size());
            o.i64(metadata.size());
            for (var e : metadata.entrySet()) {
                o.string(e.getKey());
                Value v = e.getValue();
                o.i32(v.type().id());
                if (v.type() == GgufValueType.ARRAY) {
                    o.i32(v.elementType().id());
                    int n = java.lang.reflect.Array.getLength(v.value());
                    o.i64(n);
                    for (int i = 0; i < n; i++) o.scalar(v.elementType(), java.lang.reflect.Array.get(v.value(), i));
                } else {
                    o.scalar(v.type(), v.value());
                }
            }
            long offset = 0;
            for (Tensor t : tensors.values()) {
                o.string(t.name());
                o.i32(t.shape().length);
                for (long d : t.shape()) o.i64(d);
                o.i32(t.type().id());
                o.i64(offset);
                offset = pad(offset + t.byteSize(), align);
            }
            o.zeros(pad(o.position(), align) - o.position());
            for (Tensor t : tensors.values()) {
                long start = o.position();
                t.content().writeTo(o);
                long written = o.position() - start;
                if (written != t.byteSize()) {
                    throw new IllegalStateException("tensor '" + t.name() + "' wrote " + written + " bytes, expected "
                            + t.byteSize() + " (" + t.type() + " " + java.util.Arrays.toString(t.shape()) + ")");
                }
                o.zeros(pad(written, align) - written);
            }
            o.flush();
            ok = true;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static long pad(long n, int align) {
        return (n + align - 1) / align * align;
    }

    private static String checkKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty metadata key");
        return key;
    }

    private static Object checkScalar(String key, GgufValueType type, Object v) {
        switch (type) {
            case STRING -> {
                if (!(v instanceof String)) throw bad(key, type, v);
            }
            case BOOL -> {
                if (!(v instanceof Boolean)) throw bad(key, type, v);
            }
            case FLOAT32, FLOAT64 -> {
                if (!(v instanceof Number)) throw bad(key, type, v);
            }
            default -> {
                if (!(v instanceof Number n) || v instanceof Float || v instanceof Double) throw bad(key, type, v);
                long x = n.longValue();
                // an int given for a uint32 is taken as its unsigned bit pattern (GgufFile itself reads uint32 arrays as long[])
                if (type == GgufValueType.UINT32 && v instanceof Integer) x = Integer.toUnsignedLong((Integer) v);
                boolean fits = switch (type) {
                    case UINT8 -> x >= 0 && x <= 0xFF;
                    case INT8 -> x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE;
                    case UINT16 -> x >= 0 && x <= 0xFFFF;
                    case INT16 -> x >= Short.MIN_VALUE && x <= Short.MAX_VALUE;
                    case UINT32 -> x >= 0 && x <= 0xFFFFFFFFL;
                    case INT32 -> x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE;
                    default -> true; // 64-bit: uint64 values above Long.MAX_VALUE arrive as negative longs
                };
                if (!fits) throw new IllegalArgumentException("metadata '" + key + "': " + v + " does not fit " + type);
            }
        }
        return v;
    }

    private static IllegalArgumentException bad(String key, GgufValueType type, Object v) {
        return new IllegalArgumentException("metadata '" + key + "': " + (v == null ? "null" : v.getClass().getSimpleName())
                + " is not a " + type);
    }

    /** A buffered little-endian channel writer that counts bytes. */
    private static final class Out implements Sink {
        private final FileChannel ch;
        private final byte[] array = new byte[1 << 20];
        private final ByteBuffer buf = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        private final MemorySegment bufSegment = MemorySegment.ofArray(array);
        private long flushed;

        Out(FileChannel ch) { this.ch = ch; }

        long position() { return flushed + buf.position(); }

        void room(int n) throws IOException {
            if (buf.remaining() < n) flush();
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) flushed += ch.write(buf);
            buf.clear();
        }

        void i32(int v) throws IOException { room(4); buf.putInt(v); }

        void i64(long v) throws IOException { room(8); buf.putLong(v); }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void zeros(long n) throws IOException {
            for (long i = 0; i < n; i++) { room(1); buf.put((byte) 0); }
        }

        void scalar(GgufValueType t, Object v) throws IOException {
            switch (t) {
                case UINT8, INT8 -> { room(1); buf.put((byte) ((Number) v).intValue()); }
                case UINT16, INT16 -> { room(2); buf.putShort((short) ((Number) v).intValue()); }
                case UINT32, INT32 -> i32((int) ((Number) v).longValue());
                case UINT64, INT64 -> i64(((Number) v).longValue());
                case FLOAT32 -> { room(4); buf.putFloat(((Number) v).floatValue()); }
                case FLOAT64 -> { room(8); buf.putDouble(((Number) v).doubleValue()); }
                case BOOL -> { room(1); buf.put((byte) ((Boolean) v ? 1 : 0)); }
                case STRING -> string((String) v);
                case ARRAY -> throw new IllegalStateException("nested array");
            }
        }

        @Override
        public void write(MemorySegment bytes) throws IOException {
            long n = bytes.byteSize(), done = 0;
            while (done < n) {
                if (!buf.hasRemaining()) flush();
                int chunk = (int) Math.min(buf.remaining(), n - done);
                bufSegment.asSlice(buf.position(), chunk).copyFrom(bytes.asSlice(done, chunk));
                buf.position(buf.position() + chunk);
                done += chunk;
            }
        }
    }
}
