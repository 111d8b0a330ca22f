package io.promptune.optimizer.tuning;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The files of one study in its folder: the trial journal, run.json (how it was set up),
 * result.json (how it ended) and report.html. Writes are atomic (temp file, then move), so a
 * reader such as the live viewer never sees half a file.
 */
public record StudyDirectory(Path dir) {
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            .findAndRegisterModules();

    public Path journal() { return dir.resolve("trials.jsonl"); }
    public Path runInfo() { return dir.resolve("run.json"); }
    public Path result() { return dir.resolve("result.json"); }
    public Path report() { return dir.resolve("report.html"); }

    /** The study's name inside its storage (from run.json), or the folder's name. */
    public String studyName() {
        try {
            return readRunInfo().map(RunInfo::studyName).orElse(name());
        } catch (UncheckedIOException unreadable) {
            return name();
        }
    }

    public boolean isStudy() {
        return Files.isRegularFile(journal());
    }

    public String name() {
        return dir.toAbsolutePath().normalize().getFileName().toString();
    }

    public void writeRunInfo(RunInfo info) { write(runInfo(), info); }
    public void writeResult(TuningResult result) { write(result(), result); }

    public Optional<RunInfo> readRunInfo() { return read(runInfo(), RunInfo.class); }
    public Optional<TuningResult> readResult() { return read(result(), TuningResult.class); }

    private void write(Path file, Object value) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private <T> Optional<T> read(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
