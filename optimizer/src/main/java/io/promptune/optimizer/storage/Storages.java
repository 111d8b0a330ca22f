package io.promptune.optimizer.storage;

import io.promptune.optimizer.StudyStorage;

import java.nio.file.Path;

/**
 * Opens a storage from a URL: {@code memory}, {@code journal:PATH} or a path ending in .jsonl
 * (the default, an append-only journal file), {@code postgresql://...} or {@code jdbc:postgresql://...}.
 */
public final class Storages {
    private Storages() {
    }

    public static StudyStorage open(String url) {
        if (url == null || url.isBlank() || url.equals("memory")) return new InMemoryStorage();
        if (url.startsWith("jdbc:postgresql:")) return new PostgresStorage(url);
        if (url.startsWith("postgresql://") || url.startsWith("postgres://"))
            return new PostgresStorage("jdbc:postgresql://" + url.substring(url.indexOf("://") + 3));
        if (url.startsWith("journal:")) return new JournalStorage(Path.of(url.substring("journal:".length())));
        if (url.endsWith(".jsonl") || url.endsWith(".journal")) return new JournalStorage(Path.of(url));
        throw new IllegalArgumentException("unknown storage '" + PostgresStorage.redact(url)
                + "': use memory, journal:PATH (or a PATH ending in .jsonl) or jdbc:postgresql://HOST:PORT/DB");
    }
}
