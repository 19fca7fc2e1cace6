package dev.jasg.core;

/**
 * A promise about the values fed to an integer input, checked on the host each time a batch is
 * fed ({@link Program#bind}): every element lies in {@code [lo, hi)} or equals {@code ignored}.
 * Losses over class indices declare one ({@code cross_entropy} over 10 classes: {@code [0, 10)},
 * {@code ignore_index} -100), so a label 12 or -1 is a {@link FeedException} naming the input, the
 * element, the value and the class count, as PyTorch raises, instead of a silent row of zeros.
 * Immutable and thread-safe.
 *
 * @param input   the input's name
 * @param lo      the smallest value allowed
 * @param hi      one past the largest value allowed
 * @param ignored a value also allowed (an {@code ignore_index}), or null
 * @param what    who needs the range, for the message, e.g. {@code "cross_entropy over 10 classes"}
 */
public record FeedRange(String input, long lo, long hi, Long ignored, String what) {
    /** Checks the fields. */
    public FeedRange {
        if (input == null || what == null) throw new IllegalArgumentException("a feed range needs an input name and a description");
        if (hi <= lo) throw new IllegalArgumentException("feed range of '" + input + "' is empty: [" + lo + ", " + hi + ")");
    }

    /** Throws {@link FeedException} at the first element of {@code v} outside the range. */
    public void check(HostTensor v) {
        for (int i = 0; i < v.size(); i++) {
            double x = v.get(i);
            boolean ok = (x >= lo && x < hi) || (ignored != null && x == ignored);
            if (!ok) {
                throw new FeedException("feed '" + input + "' holds " + format(x) + " at element " + position(v.shape(), i) + ", outside [" + lo + ", " + hi + ")" + (ignored == null ? "" : " and not the ignored " + ignored) + " (" + what + ")");
            }
        }
    }

    /** {@code [2, 5]}: the multi-index of flat element {@code i}. */
    private static String position(Shape s, int i) {
        int[] idx = new int[s.rank()];
        for (int a = s.rank() - 1; a >= 0; a--) {
            idx[a] = i % s.dim(a);
            i /= s.dim(a);
        }
        return java.util.Arrays.toString(idx);
    }

    private static String format(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e18 ? Long.toString((long) x) : Double.toString(x);
    }
}
