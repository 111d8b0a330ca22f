package io.promptune.optimizer.promptsearch;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Every proposal of a study with its provenance, kept as a JSON-lines sidecar (proposals.jsonl) in
 * the study folder, appended as each is made, so reports can show it and a resumed run can put the
 * proposed instructions back into the space. Without a file it only keeps them in memory.
 */
public final class ProposalLog {
    public static final String FILE_NAME = "proposals.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final List<Proposal> proposals = new ArrayList<>();

    private ProposalLog(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            try {
                int line = 0;
                for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    line++;
                    if (l.isBlank()) continue;
                    try {
                        proposals.add(JSON.readValue(l, Proposal.class));
                    } catch (IOException e) {
                        // A torn last line (a crash mid-write) loses that proposal only.
                        if (line < countLines(file)) throw new UncheckedIOException(file + ":" + line + ": not a proposal record: " + e.getMessage(), e);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
    }

    public static ProposalLog inMemory() { return new ProposalLog(null); }

    /** The log in a study folder (created on first append). */
    public static ProposalLog in(Path studyDir) { return new ProposalLog(studyDir.resolve(FILE_NAME)); }

    /** The sidecar file, or null in memory. */
    public Path file() { return file; }

    public synchronized List<Proposal> all() { return List.copyOf(proposals); }

    public synchronized int size() { return proposals.size(); }

    /** Rounds already run (for resuming the proposal schedule). */
    public synchronized int rounds() {
        return proposals.stream().mapToInt(Proposal::round).max().orElse(-1) + 1;
    }

    public synchronized void append(Proposal p) {
        proposals.add(p);
        if (file == null) return;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(p) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static long countLines(Path f) throws IOException {
        return Files.readAllLines(f, StandardCharsets.UTF_8).size();
    }
}
