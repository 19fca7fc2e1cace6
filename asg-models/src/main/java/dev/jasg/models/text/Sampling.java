package dev.jasg.models.text;

import java.util.Arrays;
import java.util.Random;

/**
 * How the next token is chosen from the logits, as Hugging Face's {@code generate}: greedy
 * (arg-max) when {@code temperature} is 0, else a draw from {@code softmax(logits / temperature)}
 * restricted first to the {@code topK} largest logits ({@code 0}: no limit), then to the smallest
 * set of the most likely tokens whose probabilities add up to at least {@code topP} ({@code 1}: no
 * limit; the most likely token is always kept), in that order, as HF's logits warpers.
 *
 * @param temperature 0 for greedy, else positive
 * @param topK how many of the largest logits stay, 0 for all
 * @param topP the nucleus mass in {@code (0, 1]}
 * @param seed the random stream's seed (a run is reproducible)
 */
public record Sampling(double temperature, int topK, double topP, long seed) {
    /** Checks the ranges above. */
    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("Sampling: temperature must be 0 (greedy) or positive, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("Sampling: top_k must be 0 (off) or positive, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("Sampling: top_p must be in (0, 1], got " + topP);
    }

    /** The arg-max at every step (ties go to the lowest id, as {@code torch.argmax}). */
    public static Sampling greedy() {
        return new Sampling(0, 0, 1, 0);
    }

    /** True when this is greedy decoding. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /**
     * The next token for {@code logits} (one row of {@code V} values), drawing from {@code random}
     * (unused when greedy). Top-k keeps exactly {@code topK} tokens, ties going to the lowest ids
     * (HF keeps every token tied with the k-th largest logit).
     *
     * @throws IllegalArgumentException when {@code logits} is empty or holds a NaN (named by its index)
     */
    public int choose(float[] logits, Random random) {
        int v = logits.length;
        if (v == 0) throw new IllegalArgumentException("Sampling: no logits to choose from (an empty row)");
        int best = 0;
        for (int i = 0; i < v; i++) {
            if (Float.isNaN(logits[i])) throw new IllegalArgumentException("Sampling: logit " + i + " is NaN (of " + v + ")");
            if (logits[i] > logits[best]) best = i;
        }
        if (isGreedy()) return best;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        // Descending logits, ties by id: the order top-k and top-p cut.
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK == 0 ? v : Math.min(topK, v);
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) sum += p[i] = Math.exp((logits[order[i]] - max) / temperature);
        if (topP < 1) {
            double cum = 0;
            int n = 0;
            while (n < keep && cum < topP * sum) cum += p[n++];
            keep = Math.max(1, n);
            sum = 0;
            for (int i = 0; i < keep; i++) sum += p[i];
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < keep; i++) if ((u -= p[i]) < 0) return order[i];
        return order[keep - 1];
    }
}
