package dev.jasg.nn.metrics;

import dev.jasg.core.HostTensor;

/**
 * Classification metrics on predicted and true class indices: accuracy, top-k accuracy,
 * and precision / recall / F1 with an {@link Average} (computed through a
 * {@link ConfusionMatrix}).
 */
public final class Classification {
    private Classification() {}

    /** Fraction of positions where {@code predicted[i] == actual[i]}. */
    public static double accuracy(int[] predicted, int[] actual) {
        if (predicted.length != actual.length) throw new IllegalArgumentException(predicted.length + " predictions for " + actual.length + " targets");
        if (actual.length == 0) return 0;
        int c = 0;
        for (int i = 0; i < actual.length; i++) if (predicted[i] == actual[i]) c++;
        return (double) c / actual.length;
    }

    /** Accuracy of the arg-max of {@code logits} [N, C] against I32 {@code labels} [N]. */
    public static double accuracy(HostTensor logits, HostTensor labels) {
        return accuracy(argmax(logits), labels(labels));
    }

    /**
     * Fraction of rows of {@code scores} [N, C] whose true class is among the {@code k}
     * highest scores. A tie with the true class's score counts in its favour: the true class
     * is in the top k when fewer than k classes score strictly higher.
     */
    public static double topKAccuracy(HostTensor scores, int[] actual, int k) {
        int[] d = scores.shape().dims();
        if (d.length != 2 || d[0] != actual.length) throw new IllegalArgumentException("scores " + scores.shape() + " do not match " + actual.length + " targets");
        if (k < 1) throw new IllegalArgumentException("k must be at least 1");
        int n = d[0], c = d[1], hits = 0;
        for (int i = 0; i < n; i++) {
            double mine = scores.get(i * c + actual[i]);
            int higher = 0;
            for (int j = 0; j < c; j++) if (scores.get(i * c + j) > mine) higher++;
            if (higher < k) hits++;
        }
        return n == 0 ? 0 : (double) hits / n;
    }

    /** Precision averaged as {@code average}. */
    public static double precision(int[] predicted, int[] actual, int numClasses, Average average) {
        return ConfusionMatrix.of(predicted, actual, numClasses).precision(average);
    }

    /** Recall averaged as {@code average}. */
    public static double recall(int[] predicted, int[] actual, int numClasses, Average average) {
        return ConfusionMatrix.of(predicted, actual, numClasses).recall(average);
    }

    /** F1 averaged as {@code average}. */
    public static double f1(int[] predicted, int[] actual, int numClasses, Average average) {
        return ConfusionMatrix.of(predicted, actual, numClasses).f1(average);
    }

    /** Row-wise arg-max of {@code scores} [N, C] (first index on ties). */
    public static int[] argmax(HostTensor scores) {
        int[] d = scores.shape().dims();
        if (d.length != 2) throw new IllegalArgumentException("arg-max needs scores [N, C], got " + scores.shape());
        int[] out = new int[d[0]];
        for (int i = 0; i < d[0]; i++) {
            int best = 0;
            for (int j = 1; j < d[1]; j++) if (scores.get(i * d[1] + j) > scores.get(i * d[1] + best)) best = j;
            out[i] = best;
        }
        return out;
    }

    /** The elements of an integer tensor as ints. */
    public static int[] labels(HostTensor labels) {
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) labels.get(i);
        return out;
    }
}
