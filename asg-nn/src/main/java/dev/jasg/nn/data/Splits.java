package dev.jasg.nn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random splits of a dataset into disjoint subsets, as {@code torch.utils.data.random_split}
 * and scikit-learn's {@code train_test_split}. The same seed gives the same split.
 */
public final class Splits {
    private Splits() {}

    /** A train part and a test part. */
    public record Split<T>(SubsetDataset<T> train, SubsetDataset<T> test) {}

    /** A random permutation of {@code 0 .. n-1} drawn from {@code seed} (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Splits {@code ds} into parts of exactly {@code lengths} (which must sum to its size), shuffled by {@code seed}. */
    public static <T> List<SubsetDataset<T>> randomSplit(Dataset<T> ds, long seed, int... lengths) {
        long sum = 0;
        for (int l : lengths) {
            if (l < 0) throw new IllegalArgumentException("negative split length " + l);
            sum += l;
        }
        if (sum != ds.size()) throw new IllegalArgumentException("split lengths sum to " + sum + " but the dataset has " + ds.size() + " examples");
        int[] perm = permutation(ds.size(), seed);
        List<SubsetDataset<T>> out = new ArrayList<>(lengths.length);
        int at = 0;
        for (int l : lengths) {
            out.add(new SubsetDataset<>(ds, java.util.Arrays.copyOfRange(perm, at, at + l)));
            at += l;
        }
        return out;
    }

    /**
     * Splits {@code ds} by {@code fractions} (summing to 1), as torch: each part gets
     * floor(n * fraction) and the remainder is handed out one by one from the first part on.
     */
    public static <T> List<SubsetDataset<T>> randomSplit(Dataset<T> ds, long seed, double... fractions) {
        double total = 0;
        for (double f : fractions) {
            if (f < 0 || f > 1) throw new IllegalArgumentException("split fraction " + f + " outside [0, 1]");
            total += f;
        }
        if (Math.abs(total - 1) > 1e-9) throw new IllegalArgumentException("split fractions sum to " + total + ", not 1");
        int n = ds.size();
        int[] lengths = new int[fractions.length];
        int given = 0;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = (int) Math.floor(n * fractions[i]);
            given += lengths[i];
        }
        for (int i = 0; given < n; i = (i + 1) % lengths.length, given++) lengths[i]++;
        return randomSplit(ds, seed, lengths);
    }

    /** A shuffled train/test split with ceil(n * testFraction) test examples, as scikit-learn sizes it. */
    public static <T> Split<T> trainTestSplit(Dataset<T> ds, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must lie in (0, 1), got " + testFraction);
        int n = ds.size();
        int nTest = (int) Math.ceil(n * testFraction);
        List<SubsetDataset<T>> parts = randomSplit(ds, seed, n - nTest, nTest);
        return new Split<>(parts.get(0), parts.get(1));
    }
}
