package dev.jasg.nn.metrics;

import dev.jasg.core.HostTensor;

/**
 * Counts of (true class, predicted class) pairs: {@code count(t, p)}. Precision, recall and
 * F1 follow scikit-learn, with 0 where a denominator is 0:
 * precision_c = tp / (tp + fp), recall_c = tp / (tp + fn), F1_c = 2 tp / (2 tp + fp + fn).
 * A binary matrix is the 2-class case with class 1 as the positive class.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    /** The matrix of {@code predicted} against {@code actual} over {@code numClasses} classes. */
    public static ConfusionMatrix of(int[] predicted, int[] actual, int numClasses) {
        if (predicted.length != actual.length) throw new IllegalArgumentException(predicted.length + " predictions for " + actual.length + " targets");
        ConfusionMatrix m = new ConfusionMatrix(numClasses);
        for (int i = 0; i < actual.length; i++) m.add(actual[i], predicted[i]);
        return m;
    }

    /** The binary matrix (class 1 positive) of boolean predictions against boolean targets. */
    public static ConfusionMatrix binary(boolean[] predicted, boolean[] actual) {
        if (predicted.length != actual.length) throw new IllegalArgumentException(predicted.length + " predictions for " + actual.length + " targets");
        ConfusionMatrix m = new ConfusionMatrix(2);
        for (int i = 0; i < actual.length; i++) m.add(actual[i] ? 1 : 0, predicted[i] ? 1 : 0);
        return m;
    }

    /** An empty matrix to fill batch by batch with {@link #add}. */
    public static ConfusionMatrix empty(int numClasses) {
        return new ConfusionMatrix(numClasses);
    }

    /** Counts one example. */
    public void add(int actual, int predicted) {
        int k = counts.length;
        if (actual < 0 || actual >= k || predicted < 0 || predicted >= k) {
            throw new IllegalArgumentException("class (" + actual + ", " + predicted + ") outside [0, " + k + ")");
        }
        counts[actual][predicted]++;
    }

    /** Counts a batch of logits [N, C] (arg-max) against I32 labels [N]. */
    public void add(HostTensor logits, HostTensor labels) {
        int[] p = Classification.argmax(logits), t = Classification.labels(labels);
        for (int i = 0; i < t.length; i++) add(t[i], p[i]);
    }

    /** Number of classes. */
    public int classes() {
        return counts.length;
    }

    /** Examples of true class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** True positives of class {@code c}. */
    public long tp(int c) {
        return counts[c][c];
    }

    /** False positives of class {@code c}: predicted c, truly another class. */
    public long fp(int c) {
        long s = 0;
        for (int t = 0; t < counts.length; t++) if (t != c) s += counts[t][c];
        return s;
    }

    /** False negatives of class {@code c}: truly c, predicted another class. */
    public long fn(int c) {
        long s = 0;
        for (int p = 0; p < counts.length; p++) if (p != c) s += counts[c][p];
        return s;
    }

    /** True negatives of class {@code c}. */
    public long tn(int c) {
        return total() - tp(c) - fp(c) - fn(c);
    }

    /** Examples of true class {@code c}. */
    public long support(int c) {
        return tp(c) + fn(c);
    }

    /** Number of examples counted. */
    public long total() {
        long s = 0;
        for (long[] row : counts) for (long v : row) s += v;
        return s;
    }

    /** Fraction predicted correctly. */
    public double accuracy() {
        long t = total(), c = 0;
        for (int i = 0; i < counts.length; i++) c += counts[i][i];
        return t == 0 ? 0 : (double) c / t;
    }

    /** Precision of class {@code c}. */
    public double precision(int c) {
        return ratio(tp(c), tp(c) + fp(c));
    }

    /** Recall of class {@code c}. */
    public double recall(int c) {
        return ratio(tp(c), tp(c) + fn(c));
    }

    /** F1 of class {@code c}. */
    public double f1(int c) {
        return ratio(2 * tp(c), 2 * tp(c) + fp(c) + fn(c));
    }

    /** Averaged precision. */
    public double precision(Average average) {
        return average(average, 0);
    }

    /** Averaged recall. */
    public double recall(Average average) {
        return average(average, 1);
    }

    /** Averaged F1. */
    public double f1(Average average) {
        return average(average, 2);
    }

    private double score(int c, int which) {
        return switch (which) {
            case 0 -> precision(c);
            case 1 -> recall(c);
            default -> f1(c);
        };
    }

    private double average(Average average, int which) {
        int k = counts.length;
        return switch (average) {
            case MACRO -> {
                double s = 0;
                for (int c = 0; c < k; c++) s += score(c, which);
                yield s / k;
            }
            case WEIGHTED -> {
                double s = 0;
                long n = 0;
                for (int c = 0; c < k; c++) {
                    s += score(c, which) * support(c);
                    n += support(c);
                }
                yield n == 0 ? 0 : s / n;
            }
            case MICRO -> {
                long tp = 0, fp = 0, fn = 0;
                for (int c = 0; c < k; c++) {
                    tp += tp(c);
                    fp += fp(c);
                    fn += fn(c);
                }
                yield switch (which) {
                    case 0 -> ratio(tp, tp + fp);
                    case 1 -> ratio(tp, tp + fn);
                    default -> ratio(2 * tp, 2 * tp + fp + fn);
                };
            }
        };
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ConfusionMatrix (rows: true class, columns: predicted)\n");
        for (long[] row : counts) sb.append(java.util.Arrays.toString(row)).append('\n');
        return sb.toString();
    }
}
