package io.promptune.optimizer.external;

import io.promptune.optimizer.Evaluation;
import io.promptune.optimizer.Objective;
import io.promptune.optimizer.TrialContext;
import io.promptune.optimizer.TrialJson;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An objective computed by another program: started once, it reads one JSON object of parameters
 * per line on stdin and answers each with one line on stdout holding the value (or, for several
 * objectives, the values separated by spaces or commas). A process that dies, stays silent past
 * the timeout or prints something that is not a number fails that trial with the reason (and the
 * last lines of its stderr); a dead process is started again for the next trial.
 */
public final class ExternalObjective implements Objective, AutoCloseable {
    private static final Object EOF = new Object();
    private final List<String> command;
    private final Duration timeout;
    private final int objectives;
    private Process process;
    private OutputStream stdin;
    private BlockingQueue<Object> lines;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private int starts;
    private Thread stderrReader;

    /** Runs {@code commandLine} through {@code sh -c}. */
    public static ExternalObjective shell(String commandLine, Duration timeout, int objectives) {
        return new ExternalObjective(List.of("sh", "-c", commandLine), timeout, objectives);
    }

    public ExternalObjective(List<String> command, Duration timeout, int objectives) {
        if (command.isEmpty()) throw new IllegalArgumentException("the objective command is empty");
        this.command = List.copyOf(command);
        this.timeout = timeout;
        this.objectives = objectives;
    }

    /** How many times the process was started (1 unless it died). */
    public synchronized int starts() {
        return starts;
    }

    private void ensureRunning() throws IOException {
        if (process != null && process.isAlive()) return;
        stop();
        ProcessBuilder pb = new ProcessBuilder(command);
        process = pb.start();
        starts++;
        stdin = process.getOutputStream();
        BlockingQueue<Object> q = new LinkedBlockingQueue<>();
        lines = q;
        Process p = process;
        Thread.ofVirtual().name("objective-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) q.add(line);
            } catch (IOException ignored) {
                // the process went away; EOF below tells the waiting trial
            }
            q.add(EOF);
        });
        stderrReader = Thread.ofVirtual().name("objective-stderr").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (stderrTail) {
                        stderrTail.addLast(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                        while (stderrTail.size() > 5) stderrTail.removeFirst();
                    }
                }
            } catch (IOException ignored) {
                // stderr is only for messages
            }
        });
    }

    @Override
    public synchronized Evaluation evaluate(TrialContext trial) throws Exception {
        ensureRunning();
        String request = TrialJson.MAPPER.writeValueAsString(trial.params()) + "\n";
        try {
            stdin.write(request.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw failure("could not write parameters to the objective process (" + e.getMessage() + ")", true);
        }
        Object got = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (got == null) throw failure("the objective process gave no answer within " + timeout.toSeconds() + " s", true);
        if (got == EOF) {
            process.waitFor(2, TimeUnit.SECONDS);
            stderrReader.join(1000); // let its last words arrive
            String code = process.isAlive() ? "?" : String.valueOf(process.exitValue());
            throw failure("the objective process exited (code " + code + ") before answering", true);
        }
        return Evaluation.of(parse((String) got));
    }

    private double[] parse(String line) throws ObjectiveProcessException {
        String t = line.trim();
        String[] parts = t.isEmpty() ? new String[0] : t.split("[\\s,]+");
        if (parts.length != objectives)
            throw failure("the objective process printed '" + abbreviate(t) + "' but " + objectives + " number(s) were expected", false);
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String lower = parts[i].toLowerCase(java.util.Locale.ROOT).replaceFirst("^[+-]", "");
            if (lower.equals("nan") || lower.startsWith("inf"))
                throw failure("the objective process printed a non-finite value '" + abbreviate(t) + "'", false);
            try {
                v[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw failure("the objective process printed '" + abbreviate(t) + "', which is not a number", false);
            }
            if (!Double.isFinite(v[i])) throw failure("the objective process printed a non-finite value '" + abbreviate(t) + "'", false);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private ObjectiveProcessException failure(String message, boolean restart) {
        String tail;
        synchronized (stderrTail) {
            tail = stderrTail.isEmpty() ? "" : "; its stderr ends with: " + String.join(" | ", new ArrayList<>(stderrTail));
            stderrTail.clear();
        }
        if (restart) stop();
        return new ObjectiveProcessException(message + tail);
    }

    private void stop() {
        if (process == null) return;
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed by the process
        }
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            try {
                stdin.close(); // a well-behaved objective exits at end of input
                if (!process.waitFor(2, TimeUnit.SECONDS)) stop();
            } catch (IOException | InterruptedException e) {
                stop();
            }
        }
        process = null;
    }

    /** A trial failure caused by the external process; its message is the recorded reason. */
    public static final class ObjectiveProcessException extends io.promptune.optimizer.TrialFailedException {
        public ObjectiveProcessException(String message) {
            super(message);
        }
    }
}
