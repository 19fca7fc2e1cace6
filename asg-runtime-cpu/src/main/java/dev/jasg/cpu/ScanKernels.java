package dev.jasg.cpu;

/**
 * Running sums and products and the stable arg-sort along the middle axis of {@code [outer, n, inner]}.
 * Sums and products accumulate in double ({@code acc} is scratch of {@code inner} doubles), so the
 * result is the reference's rounded to f32.
 */
final class ScanKernels {
    private ScanKernels() {}

    /** {@code out_i = sum_{j <= i} x_j} (or {@code j >= i} when {@code reverse}), or the product when {@code product}. */
    static void scan(float[] x, float[] out, int outer, int n, int inner, boolean reverse, boolean product, double[] acc) {
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            java.util.Arrays.fill(acc, 0, inner, product ? 1 : 0);
            for (int k = 0; k < n; k++) {
                int row = base + (reverse ? n - 1 - k : k) * inner;
                if (product) {
                    for (int i = 0; i < inner; i++) out[row + i] = (float) (acc[i] *= x[row + i]);
                } else {
                    for (int i = 0; i < inner; i++) out[row + i] = (float) (acc[i] += x[row + i]);
                }
            }
        }
    }

    /**
     * Indices sorting each lane, ascending or {@code descending}, stable (a merge sort), NaN the largest value and
     * {@code -0 == 0} as in PyTorch. {@code keys}, {@code idx} and {@code tmp} are scratch of at least {@code n}.
     */
    static void argsort(float[] x, float[] out, int outer, int n, int inner, boolean descending, float[] keys, int[] idx, int[] tmp) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                for (int k = 0; k < n; k++) {
                    keys[k] = x[base + k * inner];
                    idx[k] = k;
                }
                mergeSort(keys, idx, tmp, n, descending);
                for (int k = 0; k < n; k++) out[base + k * inner] = idx[k];
            }
        }
    }

    /** Bottom-up merge sort of {@code idx[0, n)} by {@code keys[idx]}; a left element wins ties, so it is stable. */
    private static void mergeSort(float[] keys, int[] idx, int[] tmp, int n, boolean descending) {
        int[] a = idx, b = tmp;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int p = lo, q = mid, k = lo;
                while (p < mid && q < hi) {
                    int c = compare(keys[a[q]], keys[a[p]]);
                    // take the right element only when it must come strictly first
                    boolean right = descending ? c > 0 : c < 0;
                    b[k++] = right ? a[q++] : a[p++];
                }
                while (p < mid) b[k++] = a[p++];
                while (q < hi) b[k++] = a[q++];
            }
            int[] t = a;
            a = b;
            b = t;
        }
        if (a != idx) System.arraycopy(a, 0, idx, 0, n);
    }

    /** Ascending order with NaN above everything and the two zeros equal. */
    static int compare(float a, float b) {
        boolean na = Float.isNaN(a), nb = Float.isNaN(b);
        if (na || nb) return na == nb ? 0 : na ? 1 : -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }
}
