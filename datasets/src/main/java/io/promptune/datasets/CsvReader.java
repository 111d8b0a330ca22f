package io.promptune.datasets;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 4180 CSV with a header row: fields may be quoted, a quote inside a quoted field is doubled,
 * quoted fields may hold commas and line breaks (CRLF or LF). Each row remembers the line it starts
 * on, so problems point at the right place even after multi-line fields.
 */
final class CsvReader {
    private final Reader in;
    private final String file;
    private int line = 1;
    private int peeked = -2;

    private CsvReader(Reader in, String file) {
        this.in = in;
        this.file = file;
    }

    static void read(Reader in, String file, RowSink sink) throws IOException {
        new CsvReader(in, file).readAll(sink);
    }

    private void readAll(RowSink sink) throws IOException {
        int headerLine = line;
        List<String> header = readRecord();
        if (header == null) throw new DatasetException(file, "empty CSV file (expected a header row)");
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) header.set(0, header.get(0).substring(1));
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).strip();
            if (name.isEmpty()) throw new DatasetException(List.of(new DatasetProblem(file, headerLine, null, "header column " + (i + 1) + " has no name")));
            if (header.subList(0, i).contains(name)) throw new DatasetException(List.of(new DatasetProblem(file, headerLine, name, "column name appears twice in the header")));
            header.set(i, name);
        }
        while (true) {
            int start = line;
            List<String> rec;
            try {
                rec = readRecord();
            } catch (MalformedCsv e) {
                sink.problem(new DatasetProblem(file, start, null, e.getMessage()));
                if (!e.recoverable) return; // an unterminated quote swallows the rest of the file
                skipRestOfLine();
                continue;
            }
            if (rec == null) return;
            if (rec.size() == 1 && rec.get(0).isEmpty()) continue; // blank line
            if (rec.size() != header.size()) {
                sink.problem(new DatasetProblem(file, start, null,
                        "row has " + rec.size() + " columns, the header has " + header.size()));
                continue;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) fields.put(header.get(i), rec.get(i));
            sink.row(new RawRow(start, fields));
        }
    }

    /** Reads one record, or null at end of input. */
    private List<String> readRecord() throws IOException {
        int c = next();
        if (c == -1) return null;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        int quoteLine = line;
        while (true) {
            if (quoted) {
                if (c == -1) throw new MalformedCsv("quoted field opened on line " + quoteLine + " is never closed", false);
                if (c == '"') {
                    if (peek() == '"') {
                        next();
                        field.append('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append((char) c);
                }
            } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = wasQuoted = true;
                quoteLine = line;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '\n' || c == -1) {
                fields.add(field.toString());
                return fields;
            } else if (c == '\r') {
                if (peek() == '\n') next(); // CRLF ends the record once
                fields.add(field.toString());
                return fields;
            } else if (wasQuoted) {
                throw new MalformedCsv("text after the closing quote of field " + (fields.size() + 1)
                        + " (a quote inside a quoted field must be doubled: \"\")", true);
            } else {
                field.append((char) c);
            }
            c = next();
        }
    }

    private int next() throws IOException {
        int c;
        if (peeked != -2) {
            c = peeked;
            peeked = -2;
        } else {
            c = in.read();
        }
        if (c == '\n') line++;
        return c;
    }

    private int peek() throws IOException {
        if (peeked == -2) peeked = in.read();
        return peeked;
    }

    private void skipRestOfLine() throws IOException {
        int c;
        do c = next(); while (c != '\n' && c != -1);
    }

    private static final class MalformedCsv extends IOException {
        final boolean recoverable;

        MalformedCsv(String m, boolean recoverable) {
            super(m);
            this.recoverable = recoverable;
        }
    }
}
