package io.promptune.localmodel.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A GGUF file (versions 2 and 3), memory-mapped with the FFM API: the header and metadata are
 * parsed eagerly, tensor data stays in the mapping (never copied onto the heap), so files over
 * 2 GiB work. Every structural problem becomes a {@link GgufException} naming the file.
 *
 * <p>Metadata values map to Java as: uint8/int8/uint16/int16/uint32/int32 to Integer (uint32 values
 * above Integer.MAX_VALUE to Long), uint64/int64 to Long, float32 to Float, float64 to Double,
 * bool to Boolean, string to String, and arrays to typed Java arrays for primitives
 * (int[] for 8/16-bit and int32 elements, long[] for uint32 and 64-bit elements, float[], double[], boolean[])
 * and to String[] for strings (nested arrays to Object[]).
 *
 * <p>Long string arrays (a vocabulary's tokens and merges) stay in the file until asked for: each {@link #get}
 * decodes a fresh String[] and drops the pages it read. Kept parsed, SmolLM2's 49K tokens and 49K merges held
 * ~8 MB of Strings for the model's life although only the tokenizer reads them, once.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final int DEFAULT_ALIGNMENT = 32;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** String arrays with at least this many elements are decoded on each {@link #get}, not at open. */
    private static final int LAZY_STRINGS = 256;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    /** Parsed values, with {@link LazyStrings} in place of long string arrays. */
    private final Map<String, Object> metadata;
    private final Map<String, Object> metadataView = new MetadataView();
    private final Map<String, TensorInfo> tensors;
    private final long dataStart;
    private final Map<String, GgufValueType[]> valueTypes;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, Map<String, Object> metadata,
                     Map<String, TensorInfo> tensors, long dataStart, Map<String, GgufValueType[]> valueTypes) {
        this.valueTypes = valueTypes;
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
    }

    /** Opens and maps {@code path}; the caller closes it to unmap. */
    public static GgufFile open(Path path) {
        if (!Files.isRegularFile(path)) throw new GgufException(path, "no such file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufFile f = new Parser(path, seg).parse(arena);
            return f;
        } catch (GgufException e) {
            arena.close();
            throw e;
        } catch (IOException e) {
            arena.close();
            throw new GgufException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw new GgufException(path, "corrupt or truncated GGUF (" + e + ")", e);
        }
    }

    public Path path() { return path; }

    public int version() { return version; }

    /** All metadata key/value pairs in file order (unmodifiable; long string arrays decoded as each value is read). */
    public Map<String, Object> metadata() { return metadataView; }

    /** Tensor infos by name in file order (unmodifiable). */
    public Map<String, TensorInfo> tensors() { return tensors; }

    /** The whole file mapping (read-only). */
    public MemorySegment mapping() { return mapping; }

    /**
     * Drops the pages of the mapping this process holds resident (a hint: the bytes stay readable and whatever
     * is read again faults back in from the OS page cache). For a loader that has copied what it needs: per
     * tensor drops leave pages behind, since every page fault maps its neighbours too (fault-around, 64 KiB).
     */
    public void dropResidentPages() {
        if (mapping.isMapped()) mapping.unload();
    }

    /** Absolute file offset where the tensor data section starts. */
    public long dataStart() { return dataStart; }

    public boolean has(String key) { return metadata.containsKey(key); }

    /** The stored type of {@code key}'s value (null when absent); Java values alone lose e.g. uint32 vs int32. */
    public GgufValueType valueType(String key) {
        GgufValueType[] t = valueTypes.get(key);
        return t == null ? null : t[0];
    }

    /** For an array value, the stored type of its elements; otherwise null. */
    public GgufValueType arrayElementType(String key) {
        GgufValueType[] t = valueTypes.get(key);
        return t == null ? null : t[1];
    }

    public Object get(String key) { return resolve(metadata.get(key)); }

    /** A required string value; a missing key or wrong type is a GgufException naming the key. */
    public String getString(String key) {
        return require(key, String.class);
    }

    public String getString(String key, String fallback) {
        Object v = get(key);
        return v instanceof String s ? s : fallback;
    }

    /** A required integer value (any GGUF integer type). */
    public long getLong(String key) {
        Object v = get(key);
        if (v instanceof Number n && !(v instanceof Float) && !(v instanceof Double)) return n.longValue();
        throw missing(key, "an integer", v);
    }

    public long getLong(String key, long fallback) {
        return has(key) ? getLong(key) : fallback;
    }

    public int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    /** A required float value (float32 or float64; integers are accepted too). */
    public double getDouble(String key) {
        Object v = get(key);
        if (v instanceof Number n) return n.doubleValue();
        throw missing(key, "a number", v);
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        Object v = get(key);
        return v instanceof Boolean b ? b : fallback;
    }

    public <T> T require(String key, Class<T> type) {
        Object v = get(key);
        if (type.isInstance(v)) return type.cast(v);
        throw missing(key, type.getSimpleName(), v);
    }

    private GgufException missing(String key, String expected, Object actual) {
        return new GgufException(path, actual == null
                ? "missing metadata key '" + key + "'"
                : "metadata key '" + key + "' should be " + expected + " but is " + actual.getClass().getSimpleName());
    }

    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new GgufException(path, "missing tensor '" + name + "'");
        return t;
    }

    /** The bytes of one tensor, a slice of the mapping (no copy). */
    public MemorySegment tensorData(TensorInfo t) {
        return mapping.asSlice(dataStart + t.offset(), t.byteSize());
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A string array of {@code count} elements left in the file from {@code offset} to {@code end} (validated at open). */
    private record LazyStrings(long offset, long end, int count) { }

    /** {@code v}, or the String[] a {@link LazyStrings} stands for, decoded now; the pages read are dropped again. */
    private Object resolve(Object v) {
        if (!(v instanceof LazyStrings lazy)) return v;
        Parser p = new Parser(path, mapping);
        p.pos = lazy.offset();
        String[] out = new String[lazy.count()];
        for (int i = 0; i < out.length; i++) out[i] = p.string();
        if (mapping.isMapped()) mapping.asSlice(lazy.offset(), lazy.end() - lazy.offset()).unload();
        return out;
    }

    /** {@link #metadata()}: the parsed map, with each long string array decoded when its value is read. */
    private final class MetadataView extends AbstractMap<String, Object> {
        @Override
        public Object get(Object key) { return resolve(metadata.get(key)); }

        @Override
        public boolean containsKey(Object key) { return metadata.containsKey(key); }

        @Override
        public Set<String> keySet() { return metadata.keySet(); }

        @Override
        public int size() { return metadata.size(); }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() { return metadata.size(); }

                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    Iterator<Entry<String, Object>> raw = metadata.entrySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() { return raw.hasNext(); }

                        @Override
                        public Entry<String, Object> next() {
                            Entry<String, Object> e = raw.next();
                            return new SimpleImmutableEntry<>(e.getKey(), resolve(e.getValue()));
                        }
                    };
                }
            };
        }
    }

    /** Reads the header; bounds are checked against the file size so corrupt counts fail cleanly. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment seg;
        private final long size;
        private long pos;
        private final Map<String, GgufValueType[]> valueTypes = new java.util.HashMap<>();

        Parser(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
            this.size = seg.byteSize();
        }

        GgufFile parse(Arena arena) {
            need(4);
            if (seg.get(INT, 0) != MAGIC) throw new GgufException(path, "not a GGUF file (bad magic)");
            pos = 4;
            int version = u32AsInt("version");
            if (version != 2 && version != 3) {
                throw new GgufException(path, "unsupported GGUF version " + version + " (supported: 2, 3)");
            }
            long tensorCount = count("tensor count");
            long kvCount = count("metadata count");
            Map<String, Object> md = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string();
                int type = u32AsInt("value type of '" + key + "'");
                valueTypes.put(key, new GgufValueType[]{GgufValueType.byId(type), null});
                md.put(key, value(type, key, 0));
            }
            int alignment = DEFAULT_ALIGNMENT;
            Object a = md.get("general.alignment");
            if (a != null) {
                if (!(a instanceof Integer ai) || ai <= 0 || Integer.bitCount(ai) != 1) {
                    throw new GgufException(path, "general.alignment must be a power of two, got " + a);
                }
                alignment = ai;
            }
            Map<String, TensorInfo> ts = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string();
                int nDims = u32AsInt("dimension count of tensor '" + name + "'");
                if (nDims < 1 || nDims > 4) throw new GgufException(path, "tensor '" + name + "' has " + nDims + " dimensions");
                long[] shape = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    shape[d] = u64();
                    if (shape[d] <= 0) throw new GgufException(path, "tensor '" + name + "' has dimension " + shape[d]);
                }
                int typeId = u32AsInt("type of tensor '" + name + "'");
                GgmlType type = GgmlType.byId(typeId);
                if (type == null) throw new GgufException(path, "tensor '" + name + "' has unsupported type id " + typeId);
                long offset = u64();
                TensorInfo t = new TensorInfo(name, shape, type, offset);
                long elements;
                try {
                    elements = t.elementCount();
                } catch (ArithmeticException e) {
                    throw new GgufException(path, "tensor '" + name + "' is impossibly large");
                }
                if (elements % type.blockSize() != 0) {
                    throw new GgufException(path, "tensor '" + name + "' has " + elements + " elements, not a multiple of "
                            + type + "'s block size " + type.blockSize());
                }
                if (offset % alignment != 0) throw new GgufException(path, "tensor '" + name + "' offset " + offset + " is not aligned");
                if (ts.put(name, t) != null) throw new GgufException(path, "duplicate tensor '" + name + "'");
            }
            long dataStart = (pos + alignment - 1) / alignment * alignment;
            for (TensorInfo t : ts.values()) {
                if (t.offset() < 0 || dataStart + t.offset() + t.byteSize() > size || dataStart + t.offset() + t.byteSize() < 0) {
                    throw new GgufException(path, "truncated: tensor '" + t.name() + "' ends past the end of the file ("
                            + size + " bytes)");
                }
            }
            int version2 = version;
            return new GgufFile(path, arena, seg, version2, Collections.unmodifiableMap(md),
                    Collections.unmodifiableMap(ts), dataStart, valueTypes);
        }

        private Object value(int type, String key, int depth) {
            return switch (type) {
                case 0 -> (int) seg.get(ValueLayout.JAVA_BYTE, advance(1)) & 0xFF;
                case 1 -> (int) seg.get(ValueLayout.JAVA_BYTE, advance(1));
                case 2 -> seg.get(SHORT, advance(2)) & 0xFFFF;
                case 3 -> (int) seg.get(SHORT, advance(2));
                case 4 -> {
                    long v = seg.get(INT, advance(4)) & 0xFFFFFFFFL;
                    yield v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
                }
                case 5 -> seg.get(INT, advance(4));
                case 6 -> seg.get(FLOAT, advance(4));
                case 7 -> {
                    byte b = seg.get(ValueLayout.JAVA_BYTE, advance(1));
                    if (b != 0 && b != 1) throw new GgufException(path, "metadata '" + key + "': bool value " + b);
                    yield b == 1;
                }
                case 8 -> string();
                case 9 -> array(key, depth);
                case 10, 11 -> seg.get(LONG, advance(8));
                case 12 -> seg.get(DOUBLE, advance(8));
                default -> throw new GgufException(path, "metadata '" + key + "' has unknown value type " + type);
            };
        }

        private Object array(String key, int depth) {
            if (depth > 4) throw new GgufException(path, "metadata '" + key + "': arrays nested too deeply");
            int type = u32AsInt("array type of '" + key + "'");
            if (depth == 0) valueTypes.get(key)[1] = GgufValueType.byId(type);
            long n = count("array length of '" + key + "'");
            int len = (int) n;
            switch (type) {
                case 4 -> { // uint32: long[] so that values >= 2^31 keep their sign
                    need(4L * len);
                    long[] out = new long[len];
                    for (int i = 0; i < len; i++) out[i] = seg.get(INT, advance(4)) & 0xFFFFFFFFL;
                    return out;
                }
                case 0, 1, 2, 3, 5 -> {
                    int w = type <= 1 ? 1 : type <= 3 ? 2 : 4;
                    need((long) len * w);
                    int[] out = new int[len];
                    for (int i = 0; i < len; i++) out[i] = ((Number) value(type, key, depth)).intValue();
                    return out;
                }
                case 6 -> {
                    need(4L * len);
                    float[] out = new float[len];
                    for (int i = 0; i < len; i++) out[i] = seg.get(FLOAT, advance(4));
                    return out;
                }
                case 7 -> {
                    need(len);
                    boolean[] out = new boolean[len];
                    for (int i = 0; i < len; i++) out[i] = (Boolean) value(7, key, depth);
                    return out;
                }
                case 8 -> {
                    need(8L * len);
                    if (depth == 0 && len >= LAZY_STRINGS) {
                        long start = pos;
                        for (int i = 0; i < len; i++) skipString();
                        return new LazyStrings(start, pos, len);
                    }
                    String[] out = new String[len];
                    for (int i = 0; i < len; i++) out[i] = string();
                    return out;
                }
                case 10, 11 -> {
                    need(8L * len);
                    long[] out = new long[len];
                    for (int i = 0; i < len; i++) out[i] = seg.get(LONG, advance(8));
                    return out;
                }
                case 12 -> {
                    need(8L * len);
                    double[] out = new double[len];
                    for (int i = 0; i < len; i++) out[i] = seg.get(DOUBLE, advance(8));
                    return out;
                }
                case 9 -> {
                    Object[] out = new Object[len];
                    for (int i = 0; i < len; i++) out[i] = array(key, depth + 1);
                    return out;
                }
                default -> throw new GgufException(path, "metadata '" + key + "' has unknown array element type " + type);
            }
        }

        private String string() {
            long n = stringLength();
            byte[] bytes = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                // Some vocabularies hold raw byte pieces; keep them losslessly as Latin-1-free replacement.
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }

        private long stringLength() {
            long n = u64();
            if (n < 0 || n > size - pos) throw new GgufException(path, "truncated or corrupt string of length " + n + " at offset " + pos);
            return n;
        }

        private void skipString() {
            long n = stringLength(); // (pos += stringLength() would add to pos as it was before the length)
            pos += n;
        }

        private long count(String what) {
            long n = u64();
            if (n < 0 || n > Integer.MAX_VALUE || n > size - pos) {
                throw new GgufException(path, "corrupt " + what + ": " + Long.toUnsignedString(n));
            }
            return n;
        }

        private int u32AsInt(String what) {
            long v = seg.get(INT, advance(4)) & 0xFFFFFFFFL;
            if (v > Integer.MAX_VALUE) throw new GgufException(path, "corrupt " + what + ": " + v);
            return (int) v;
        }

        private long u64() {
            return seg.get(LONG, advance(8));
        }

        private long advance(long n) {
            need(n);
            long p = pos;
            pos += n;
            return p;
        }

        private void need(long n) {
            if (n < 0 || pos + n > size) throw new GgufException(path, "truncated: header ends at offset " + size
                    + " but needs " + n + " more bytes at offset " + pos);
        }
    }

    /** All tensor names, handy in error messages. */
    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }
}
