package io.promptune.optimizer.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.StudyStorage;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The default storage: an append-only JSON-lines journal of operations, one per line, fsynced
 * before each call returns. State is rebuilt by replaying the journal. Several processes may share
 * one file: every operation holds an exclusive file lock, first reads what others appended, then
 * decides and appends. A torn last line (a crash mid-write) is skipped with a warning.
 */
public final class JournalStorage implements StudyStorage {
    private static final Logger LOG = Logger.getLogger(JournalStorage.class.getName());
    private static final ObjectMapper MAPPER = TrialJson.MAPPER;
    /** FileLock is per JVM, so threads and storages of one JVM on the same file share this lock too. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path path;
    private final FileChannel channel;
    private final ReentrantLock jvmLock;
    private final TrialTable table = new TrialTable();
    private long readOffset;
    private int lineNumber;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public JournalStorage(Path path) {
        this.path = path.toAbsolutePath().normalize();
        try {
            if (this.path.getParent() != null) Files.createDirectories(this.path.getParent());
            this.channel = FileChannel.open(this.path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot open the study journal (" + e.getMessage() + ")", e);
        }
        this.jvmLock = JVM_LOCKS.computeIfAbsent(this.path, p -> new ReentrantLock());
        locked(() -> null);
    }

    public Path path() {
        return path;
    }

    /** Runs an operation holding both locks, after catching up with what other writers appended. */
    private <T> T locked(Supplier<T> op) {
        jvmLock.lock();
        try (FileLock ignored = channel.lock()) {
            catchUp();
            return op.get();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": journal I/O failed (" + e.getMessage() + ")", e);
        } finally {
            jvmLock.unlock();
        }
    }

    private void catchUp() throws IOException {
        long size = channel.size();
        if (size <= readOffset) return;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - readOffset, 1 << 20));
        while (readOffset < size) {
            buf.clear();
            int n = channel.read(buf, readOffset);
            if (n <= 0) break;
            readOffset += n;
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                if (a[i] == '\n') {
                    applyLine(pending.toString(StandardCharsets.UTF_8));
                    pending.reset();
                } else {
                    pending.write(a[i]);
                }
            }
        }
        if (pending.size() > 0)
            LOG.warning(path + ": line " + (lineNumber + 1) + " is incomplete (a writer stopped mid-record); it is ignored");
    }

    private void applyLine(String line) {
        lineNumber++;
        if (line.isBlank()) return;
        JsonNode op;
        try {
            op = MAPPER.readTree(line);
        } catch (IOException e) {
            LOG.warning(path + ": line " + lineNumber + " is not valid JSON (torn record from a crash?); it is ignored");
            return;
        }
        try {
            apply(op);
        } catch (RuntimeException e) {
            LOG.warning(path + ": line " + lineNumber + " cannot be applied (" + e.getMessage() + "); it is ignored");
        }
    }

    private void apply(JsonNode op) {
        String study = op.get("study").asText();
        switch (op.get("op").asText()) {
            case "create_study" -> {
                List<Direction> dirs = new ArrayList<>();
                for (JsonNode d : op.get("directions")) dirs.add(Direction.valueOf(d.asText()));
                table.createStudy(study, dirs);
            }
            case "create_trial" -> table.addTrial(study, TrialJson.fromJson(op.get("trial")));
            case "claim" -> table.claim(study, op.get("number").asInt(), op.get("worker").asText(), Instant.parse(op.get("time").asText()));
            case "update" -> table.update(study, TrialJson.fromJson(op.get("trial")));
            case "fail_stale" -> table.failStale(study, op.get("number").asInt(), op.get("reason").asText(), Instant.parse(op.get("time").asText()));
            case "heartbeat" -> {
                List<Integer> ns = new ArrayList<>();
                for (JsonNode x : op.get("numbers")) ns.add(x.asInt());
                table.heartbeat(study, ns, Instant.parse(op.get("time").asText()));
            }
            default -> throw new IllegalArgumentException("unknown operation '" + op.get("op").asText() + "'");
        }
    }

    /** Appends one record and fsyncs, then applies it to the in-memory state. */
    private void append(ObjectNode op) {
        try {
            long size = channel.size();
            boolean needsNewline = false;
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                channel.read(last, size - 1);
                needsNewline = last.get(0) != '\n';
            }
            byte[] body = (op.toString() + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(body.length + (needsNewline ? 1 : 0));
            if (needsNewline) out.put((byte) '\n'); // seal a torn record so it stays a line of its own
            out.put(body).flip();
            long pos = size;
            while (out.hasRemaining()) pos += channel.write(out, pos);
            channel.force(false);
            if (needsNewline) {
                pending.reset();
                lineNumber++;
            }
            readOffset = pos;
            lineNumber++;
            apply(op);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot append to the journal (" + e.getMessage() + ")", e);
        }
    }

    private ObjectNode op(String name, String study) {
        return MAPPER.createObjectNode().put("op", name).put("study", study);
    }

    @Override
    public void createOrLoadStudy(String study, List<Direction> directions) {
        locked(() -> {
            table.checkCanCreate(study, directions);
            if (!table.hasStudy(study)) {
                ObjectNode o = op("create_study", study);
                var arr = o.putArray("directions");
                directions.forEach(d -> arr.add(d.name()));
                append(o);
            }
            return null;
        });
    }

    @Override
    public Optional<List<Direction>> directions(String study) {
        return locked(() -> table.directions(study));
    }

    @Override
    public Trial createTrial(String study, Trial template) {
        return locked(() -> {
            Trial t = template.toBuilder().number(table.nextNumber(study)).build();
            ObjectNode o = op("create_trial", study);
            o.set("trial", TrialJson.toJson(t));
            append(o);
            return t;
        });
    }

    @Override
    public Optional<Trial> claimWaiting(String study, String worker, Instant now) {
        return locked(() -> table.oldestWaiting(study).map(t -> {
            append(op("claim", study).put("number", t.number()).put("worker", worker).put("time", now.toString()));
            return table.get(study, t.number());
        }));
    }

    @Override
    public void updateTrial(String study, Trial trial) {
        locked(() -> {
            table.checkUpdate(study, trial);
            ObjectNode o = op("update", study);
            o.set("trial", TrialJson.toJson(trial));
            append(o);
            return null;
        });
    }

    @Override
    public boolean failIfStale(String study, int number, Instant staleBefore, String reason, Instant now) {
        return locked(() -> {
            if (!table.isStale(study, number, staleBefore)) return false;
            append(op("fail_stale", study).put("number", number).put("reason", reason).put("time", now.toString()));
            return true;
        });
    }

    @Override
    public void heartbeat(String study, List<Integer> numbers, Instant now) {
        locked(() -> {
            ObjectNode o = op("heartbeat", study).put("time", now.toString());
            var arr = o.putArray("numbers");
            numbers.forEach(arr::add);
            append(o);
            return null;
        });
    }

    @Override
    public List<Trial> trials(String study) {
        return locked(() -> table.trials(study));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
