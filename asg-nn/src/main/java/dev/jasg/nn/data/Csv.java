package dev.jasg.nn.data;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.io.FormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads numeric CSV files into features and labels. Every column must be numeric (plain
 * decimal or scientific notation, {@code NaN}, optionally in double quotes); a header line
 * names the columns; one column may be the label.
 */
public final class Csv {
    private Csv() {}

    /**
     * How to read a file.
     *
     * @param header whether the first line names the columns
     * @param delimiter the field separator
     * @param labelColumn the label column's name (with a header) or its 0-based index as a string; null for none
     * @param labelType {@link DType#I32} for class indices (must be integers), {@link DType#F32} for targets
     */
    public record Options(boolean header, char delimiter, String labelColumn, DType labelType) {
        /** Comma-separated with a header and no label. */
        public static Options defaults() {
            return new Options(true, ',', null, DType.I32);
        }

        /** These options with label column {@code column} of type {@code type}. */
        public Options withLabel(String column, DType type) {
            return new Options(header, delimiter, column, type);
        }

        /** These options without a header line. */
        public Options withoutHeader() {
            return new Options(false, delimiter, labelColumn, labelType);
        }

        /** These options with another delimiter. */
        public Options withDelimiter(char d) {
            return new Options(header, d, labelColumn, labelType);
        }
    }

    /** A read table: the feature column names, features F32 [N, F] and labels [N] (null when no label column). */
    public record Table(List<String> featureNames, HostTensor features, HostTensor labels) {
        /** The table as a dataset (needs a label column). */
        public InMemoryDataset toDataset() {
            if (labels == null) throw new IllegalStateException("the table has no label column");
            return new InMemoryDataset(features, labels);
        }
    }

    /** Reads {@code file} with {@code options}. */
    public static Table read(Path file, Options options) throws IOException {
        List<String> names = null;
        List<double[]> rows = new ArrayList<>();
        int width = -1;
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] cells = split(line, options.delimiter());
                if (options.header() && names == null) {
                    names = new ArrayList<>();
                    for (String c : cells) names.add(unquote(c.strip()));
                    width = cells.length;
                    continue;
                }
                if (width < 0) width = cells.length;
                if (cells.length != width) {
                    throw new FormatException(file, "line " + lineNo + " has " + cells.length + " fields but " + (names != null ? "the header has " : "the first row has ") + width);
                }
                double[] row = new double[width];
                for (int j = 0; j < width; j++) {
                    String cell = unquote(cells[j].strip());
                    try {
                        row[j] = Double.parseDouble(cell);
                    } catch (NumberFormatException e) {
                        String col = names != null ? "'" + names.get(j) + "'" : String.valueOf(j);
                        throw new FormatException(file, "line " + lineNo + " column " + col + ": '" + cell + "' is not a number");
                    }
                }
                rows.add(row);
            }
        }
        if (width < 0) throw new FormatException(file, "no data rows");
        if (names == null) {
            names = new ArrayList<>();
            for (int j = 0; j < width; j++) names.add(String.valueOf(j));
        }
        int label = -1;
        if (options.labelColumn() != null) {
            label = names.indexOf(options.labelColumn());
            if (label < 0) {
                try {
                    label = Integer.parseInt(options.labelColumn());
                } catch (NumberFormatException e) {
                    throw new FormatException(file, "no column named '" + options.labelColumn() + "' among " + names);
                }
                if (label < 0 || label >= width) throw new FormatException(file, "label column index " + label + " outside 0.." + (width - 1));
            }
        }
        int n = rows.size(), f = label < 0 ? width : width - 1;
        float[] x = new float[n * f];
        float[] y = label < 0 ? null : new float[n];
        for (int i = 0; i < n; i++) {
            double[] row = rows.get(i);
            for (int j = 0, k = 0; j < width; j++) {
                if (j == label) {
                    double v = row[j];
                    if (options.labelType() != DType.F32 && (v != Math.rint(v) || Math.abs(v) > HostTensor.MAX_EXACT_INT)) {
                        throw new FormatException(file, "data row " + (i + 1) + ": label " + v + " is not an integer class index");
                    }
                    y[i] = (float) v;
                } else {
                    x[i * f + k++] = (float) row[j];
                }
            }
        }
        List<String> featureNames = new ArrayList<>(names);
        if (label >= 0) featureNames.remove(label);
        HostTensor labels = y == null ? null : HostTensor.of(options.labelType(), Shape.of(n), y);
        return new Table(List.copyOf(featureNames), HostTensor.of(x, n, f), labels);
    }

    private static String[] split(String line, char delimiter) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == delimiter && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out.toArray(new String[0]);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s;
    }
}
