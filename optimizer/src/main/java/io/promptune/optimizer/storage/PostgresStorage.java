package io.promptune.optimizer.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.StudyStorage;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialJson;
import io.promptune.optimizer.TrialState;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A study shared by several worker processes or machines through PostgreSQL. Trial numbers are
 * handed out under a row lock on the study (so they are dense and unique), WAITING trials are
 * claimed with SELECT ... FOR UPDATE SKIP LOCKED (each goes to exactly one worker), and a finished
 * trial is never overwritten. The trial itself is stored as JSON next to the columns the
 * coordination needs.
 */
public final class PostgresStorage implements StudyStorage {
    private final Connection connection;
    private final String description;

    /** @param jdbcUrl e.g. jdbc:postgresql://127.0.0.1:5432/promptune?user=me (credentials are never logged) */
    public PostgresStorage(String jdbcUrl) {
        this.description = redact(jdbcUrl);
        try {
            this.connection = DriverManager.getConnection(jdbcUrl);
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS promptune_studies (name TEXT PRIMARY KEY, directions TEXT NOT NULL)");
                st.execute("CREATE TABLE IF NOT EXISTS promptune_trials (study TEXT NOT NULL REFERENCES promptune_studies(name),"
                        + " number INT NOT NULL, state TEXT NOT NULL, payload TEXT NOT NULL, worker TEXT, heartbeat TIMESTAMPTZ,"
                        + " PRIMARY KEY (study, number))");
            } catch (SQLException e) {
                // Two workers creating the tables at once: one wins, the other sees a duplicate; both go on.
                if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open PostgreSQL study storage at " + description + ": " + e.getMessage(), e);
        }
    }

    /** Hides user and password in a JDBC URL for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password|user)=[^&]*", "$1=***").replaceAll("//[^/@]*@", "//***@");
    }

    private interface Tx<T> {
        T run(Connection c) throws SQLException;
    }

    private synchronized <T> T tx(Tx<T> body) {
        for (int attempt = 0; ; attempt++) {
            try {
                connection.setAutoCommit(false);
                try {
                    T r = body.run(connection);
                    connection.commit();
                    return r;
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                boolean retry = "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()) || "23505".equals(e.getSQLState());
                if (retry && attempt < 10) continue;
                throw new IllegalStateException("PostgreSQL study storage (" + description + "): " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void createOrLoadStudy(String study, List<Direction> directions) {
        String dirs = String.join(",", directions.stream().map(Enum::name).toList());
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO promptune_studies(name, directions) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, study);
                ps.setString(2, dirs);
                ps.executeUpdate();
            }
            List<Direction> existing = readDirections(c, study).orElseThrow();
            if (!existing.equals(directions))
                throw new IllegalStateException("study '" + study + "' already exists with directions " + existing + ", not " + directions);
            return null;
        });
    }

    private static Optional<List<Direction>> readDirections(Connection c, String study) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT directions FROM promptune_studies WHERE name = ?")) {
            ps.setString(1, study);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                List<Direction> out = new ArrayList<>();
                for (String s : rs.getString(1).split(",")) out.add(Direction.valueOf(s));
                return Optional.of(out);
            }
        }
    }

    @Override
    public Optional<List<Direction>> directions(String study) {
        return tx(c -> readDirections(c, study));
    }

    @Override
    public Trial createTrial(String study, Trial template) {
        return tx(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT name FROM promptune_studies WHERE name = ? FOR UPDATE")) {
                lock.setString(1, study);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) throw new IllegalStateException("no study named '" + study + "'");
                }
            }
            int number;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(number) + 1, 0) FROM promptune_trials WHERE study = ?")) {
                ps.setString(1, study);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    number = rs.getInt(1);
                }
            }
            Trial t = template.toBuilder().number(number).build();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO promptune_trials(study, number, state, payload, worker, heartbeat) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, study);
                ps.setInt(2, number);
                ps.setString(3, t.state().name());
                ps.setString(4, TrialJson.toJson(t).toString());
                ps.setString(5, t.worker());
                ps.setTimestamp(6, t.heartbeat() == null ? null : Timestamp.from(t.heartbeat()));
                ps.executeUpdate();
            }
            return t;
        });
    }

    @Override
    public Optional<Trial> claimWaiting(String study, String worker, Instant now) {
        return tx(c -> {
            Trial t;
            try (PreparedStatement ps = c.prepareStatement("SELECT payload, heartbeat FROM promptune_trials WHERE study = ? AND state = 'WAITING'"
                    + " ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, study);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    t = read(rs);
                }
            }
            Trial claimed = t.toBuilder().state(TrialState.RUNNING).worker(worker).startedAt(now).heartbeat(now).build();
            write(c, study, claimed);
            return Optional.of(claimed);
        });
    }

    private static Trial read(ResultSet rs) throws SQLException {
        try {
            Trial t = TrialJson.fromJson(TrialJson.MAPPER.readTree(rs.getString("payload")));
            Timestamp hb = rs.getTimestamp("heartbeat");
            return hb == null ? t : t.toBuilder().heartbeat(hb.toInstant()).build();
        } catch (IOException e) {
            throw new SQLException("a stored trial is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void write(Connection c, String study, Trial t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE promptune_trials SET state = ?, payload = ?, worker = ?, heartbeat = ? WHERE study = ? AND number = ?")) {
            ObjectNode json = TrialJson.toJson(t);
            ps.setString(1, t.state().name());
            ps.setString(2, json.toString());
            ps.setString(3, t.worker());
            ps.setTimestamp(4, t.heartbeat() == null ? null : Timestamp.from(t.heartbeat()));
            ps.setString(5, study);
            ps.setInt(6, t.number());
            ps.executeUpdate();
        }
    }

    private static Trial lockTrial(Connection c, String study, int number) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT payload, heartbeat FROM promptune_trials WHERE study = ? AND number = ? FOR UPDATE")) {
            ps.setString(1, study);
            ps.setInt(2, number);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalArgumentException("study '" + study + "' has no trial " + number);
                return read(rs);
            }
        }
    }

    @Override
    public void updateTrial(String study, Trial trial) {
        tx(c -> {
            Trial old = lockTrial(c, study, trial.number());
            if (old.state().isFinished())
                throw new IllegalStateException("trial " + trial.number() + " of study '" + study + "' is already " + old.state() + " and cannot change");
            write(c, study, trial);
            return null;
        });
    }

    @Override
    public boolean failIfStale(String study, int number, Instant staleBefore, String reason, Instant now) {
        return tx(c -> {
            Trial t = lockTrial(c, study, number);
            if (t.state() != TrialState.RUNNING) return false;
            Instant hb = t.heartbeat() != null ? t.heartbeat() : t.startedAt();
            if (hb != null && hb.isAfter(staleBefore)) return false;
            write(c, study, t.toBuilder().state(TrialState.FAILED).error(reason).finishedAt(now).build());
            return true;
        });
    }

    @Override
    public void heartbeat(String study, List<Integer> numbers, Instant now) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE promptune_trials SET heartbeat = ? WHERE study = ? AND number = ? AND state = 'RUNNING'")) {
                for (int n : numbers) {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setString(2, study);
                    ps.setInt(3, n);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<Trial> trials(String study) {
        return tx(c -> {
            List<Trial> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT payload, heartbeat FROM promptune_trials WHERE study = ? ORDER BY number")) {
                ps.setString(1, study);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
            }
            return out;
        });
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing left to do
        }
    }
}
