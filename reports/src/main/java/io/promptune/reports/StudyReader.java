package io.promptune.reports;

import io.promptune.optimizer.Trial;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.StudyDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds studies on disk and reads their trials (the one place that knows the storage format). */
public final class StudyReader {
    private StudyReader() { }

    public static List<Trial> trials(StudyDirectory study) {
        try (JournalStorage storage = new JournalStorage(study.journal())) {
            return storage.trials(study.studyName());
        }
    }

    /** A study folder given as the folder itself or any file in it. */
    public static StudyDirectory open(Path path) {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        StudyDirectory s = new StudyDirectory(dir);
        if (!s.isStudy()) {
            throw new IllegalArgumentException(path + " is not a study: expected a folder holding trials.jsonl "
                    + "(as written by `promptune tune` or `promptune demo`)");
        }
        return s;
    }

    /** Studies directly in {@code root} or one level below (root itself may be a study). */
    public static List<StudyDirectory> list(Path root) {
        List<StudyDirectory> out = new ArrayList<>();
        if (new StudyDirectory(root).isStudy()) out.add(new StudyDirectory(root));
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).sorted().map(StudyDirectory::new).filter(StudyDirectory::isStudy).forEach(out::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }
}
