package dev.jasg.nn.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one record of metrics per call (an epoch's or a step's), as CSV or as JSON lines
 * (one JSON object per line, via Jackson). CSV columns are the first record's keys, in its
 * order; later records may leave columns out (empty cells) but may not add new ones. Each
 * record is flushed, so a crashed run keeps its log.
 */
public final class MetricLogger implements AutoCloseable {
    /** The output format. */
    public enum Format {
        /** Comma-separated values with a header line. */
        CSV,
        /** One JSON object per line. */
        JSON_LINES
    }

    private static final ObjectMapper JSON = JsonMapper.builder().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).build();

    private final Writer out;
    private final Format format;
    private List<String> columns;

    /** A logger writing {@code format} to {@code out} (closed by {@link #close}). */
    public MetricLogger(Writer out, Format format) {
        this.out = out;
        this.format = format;
    }

    /** A logger writing {@code format} to a new file {@code file} (replacing an old one). */
    public static MetricLogger open(Path file, Format format) throws IOException {
        return new MetricLogger(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8)), format);
    }

    /** Writes one record: metric name to value (numbers, strings, booleans). */
    public void log(Map<String, ?> record) {
        try {
            if (format == Format.JSON_LINES) {
                out.write(JSON.writeValueAsString(record));
                out.write('\n');
            } else {
                if (columns == null) {
                    columns = new ArrayList<>(record.keySet());
                    out.write(String.join(",", columns.stream().map(MetricLogger::csvCell).toList()));
                    out.write('\n');
                }
                for (String k : record.keySet()) {
                    if (!columns.contains(k)) throw new IllegalArgumentException("metric '" + k + "' is not a column of this CSV log " + columns);
                }
                List<String> cells = new ArrayList<>(columns.size());
                for (String c : columns) {
                    Object v = record.get(c);
                    cells.add(v == null ? "" : csvCell(String.valueOf(v)));
                }
                out.write(String.join(",", cells));
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics: " + e.getMessage(), e);
        }
    }

    private static String csvCell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
