package io.promptune.providers.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.providers.Completion;
import io.promptune.providers.FinishReason;
import io.promptune.providers.TokenUsage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * A response cache in one SQLite file, so a re-run or a resumed study pays nothing for requests it
 * already made. Only successful completions are stored. One connection, used under a lock: the
 * calls are tiny next to a model call.
 */
public final class SqliteResponseCache implements ResponseCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Connection connection;

    private SqliteResponseCache(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) the cache file. */
    public static SqliteResponseCache open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model_id TEXT NOT NULL,"
                        + " created_ms INTEGER NOT NULL, completion TEXT NOT NULL)");
            }
            return new SqliteResponseCache(file, c);
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot open response cache " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of response cache " + file, e);
        }
    }

    @Override
    public synchronized Optional<Completion> get(String key) {
        try (PreparedStatement ps = connection.prepareStatement("SELECT completion FROM responses WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(fromJson(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("response cache " + file + " unreadable: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void put(String key, String modelId, Completion c) {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT OR REPLACE INTO responses (key, model_id, created_ms, completion) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, modelId);
            ps.setLong(3, System.currentTimeMillis());
            ps.setString(4, toJson(c));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write response cache " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized long size() {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM responses")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a read-mostly cache cannot lose data that matters
        }
    }

    static String toJson(Completion c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("text", c.text());
        n.put("finish_reason", c.finishReason().name());
        n.put("input_tokens", c.usage().inputTokens());
        n.put("output_tokens", c.usage().outputTokens());
        n.put("latency_ms", c.latency().toMillis());
        n.put("cost_usd", c.costUsd());
        return n.toString();
    }

    static Completion fromJson(String s) throws IOException {
        JsonNode n = JSON.readTree(s);
        return new Completion(n.path("text").asText(), FinishReason.valueOf(n.path("finish_reason").asText("OTHER")),
                new TokenUsage(n.path("input_tokens").asLong(), n.path("output_tokens").asLong()),
                Duration.ofMillis(n.path("latency_ms").asLong()), n.path("cost_usd").asDouble(), false, null);
    }
}
