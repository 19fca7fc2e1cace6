package dev.jasg.models.text;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sampling} against its definition (Hugging Face's warpers: temperature, then top-k, then
 * top-p on the renormalised top-k distribution, the most likely token always kept), and
 * {@link Gpt2Generator}'s use of it.
 */
class SamplingTest {
    /** Sorted descending: id 3 (3.0), 0 (2.0), 6 (1.5), 1 (1.0), 2 (0.5), 5 (0.0), 7 (-0.5), 4 (-1.0). */
    static final float[] LOGITS = {2.0f, 1.0f, 0.5f, 3.0f, -1.0f, 0.0f, 1.5f, -0.5f};

    /**
     * temperature, top_k, top_p -> the ids that may be drawn. The sets are HF's: computed with
     * TemperatureLogitsWarper / TopKLogitsWarper / TopPLogitsWarper's rules in torch
     * (s = l / T; s[s < topk(s, k)[-1]] = -inf; sort ascending, remove cumsum(softmax) <= 1 - p, keep the last).
     */
    static final Object[][] ALLOWED = {
        {1.0, 0, 1.0, Set.of(0, 1, 2, 3, 4, 5, 6, 7)},
        {1.0, 3, 1.0, Set.of(3, 0, 6)},
        {1.0, 20, 1.0, Set.of(0, 1, 2, 3, 4, 5, 6, 7)}, // k above the vocabulary: no limit
        {5.0, 1, 1.0, Set.of(3)},                       // top-1 is greedy at any temperature
        {1.0, 0, 0.6, Set.of(3, 0)},                    // cum 0.52, 0.72: the token crossing p is kept
        {1.0, 0, 0.8, Set.of(3, 0, 6)},                 // cum 0.52, 0.72, 0.83
        {1.0, 0, 0.5, Set.of(3)},                       // the first token alone already has 0.52
        {1.0, 3, 0.8, Set.of(3, 0)},                    // top-p after top-k: renormalised cum 0.63, 0.86
        {2.0, 0, 0.8, Set.of(3, 0, 6, 1, 2)},           // a higher temperature flattens: cum .31 .49 .64 .75 .84
        {0.5, 0, 0.9, Set.of(3, 0)},                    // a lower one sharpens: cum .82 .94
        {3.0, 5, 0.7, Set.of(3, 0, 6)},                 // all three: renormalised top-5 at T=3, cum .31 .52 .71
    };

    @Test
    void onlyAllowedIdsAppearWithTheRenormalisedFrequencies() {
        int draws = 40_000;
        for (Object[] row : ALLOWED) {
            double t = (double) row[0], p = (double) row[2];
            int k = (int) row[1];
            @SuppressWarnings("unchecked") Set<Integer> allowed = (Set<Integer>) row[3];
            String what = "T=" + t + " top_k=" + k + " top_p=" + p;
            Sampling s = new Sampling(t, k, p, 11);
            Random random = new Random(s.seed());
            int[] count = new int[LOGITS.length];
            for (int i = 0; i < draws; i++) count[s.choose(LOGITS, random)]++;
            Set<Integer> seen = new TreeSet<>();
            for (int id = 0; id < count.length; id++) if (count[id] > 0) seen.add(id);
            assertEquals(new TreeSet<>(allowed), seen, what + ": the ids drawn");
            // softmax(l / T) restricted to the allowed ids, renormalised
            double z = 0;
            for (int id : allowed) z += Math.exp(LOGITS[id] / t);
            for (int id : allowed) {
                double want = Math.exp(LOGITS[id] / t) / z, got = count[id] / (double) draws;
                // binomial standard deviation <= 0.0025 at 40000 draws: 0.012 is more than 4.5 of them
                assertEquals(want, got, 0.012, what + ": frequency of id " + id);
            }
        }
    }

    @Test
    void aFixedSeedGivesTheSameDraws() {
        Sampling s = new Sampling(1.0, 0, 1.0, 5);
        int[] a = new int[200], b = new int[200];
        Random ra = new Random(s.seed()), rb = new Random(s.seed());
        for (int i = 0; i < a.length; i++) {
            a[i] = s.choose(LOGITS, ra);
            b[i] = s.choose(LOGITS, rb);
        }
        assertArrayEquals(a, b);
    }

    @Test
    void topKKeepsExactlyKOnTiesTheLowestIds() {
        // HF keeps every logit tied with the k-th largest; here exactly k stay, ties going to the lowest ids.
        float[] tied = {1f, 1f, 1f, 0f};
        Sampling s = new Sampling(1.0, 2, 1.0, 3);
        Random r = new Random(3);
        Set<Integer> seen = new TreeSet<>();
        for (int i = 0; i < 2000; i++) seen.add(s.choose(tied, r));
        assertEquals(Set.of(0, 1), seen);
    }

    @Test
    void greedyIsTheArgMaxWithTiesToTheLowestId() {
        Object[][] cases = {
            {new float[] {0f, 5f, 5f, 1f}, 1},
            {new float[] {-3f, -1f, -2f}, 1},
            {LOGITS, 3},
            {new float[] {7f}, 0},
            {new float[] {Float.NEGATIVE_INFINITY, -1e30f, Float.NEGATIVE_INFINITY}, 1},
        };
        for (Object[] c : cases) {
            float[] l = (float[]) c[0];
            assertTrue(Sampling.greedy().isGreedy());
            assertEquals((int) c[1], Sampling.greedy().choose(l, new Random(0)), Arrays.toString(l));
            // temperature 0 is greedy whatever top_k / top_p say
            assertEquals((int) c[1], new Sampling(0, 3, 0.5, 9).choose(l, new Random(1)), Arrays.toString(l));
        }
    }

    @Test
    void badArgumentsAreErrorsNamingThem() {
        Object[][] cases = {
            {-1.0, 0, 1.0, "temperature", "-1.0"},
            {Double.NaN, 0, 1.0, "temperature", "NaN"},
            {Double.POSITIVE_INFINITY, 0, 1.0, "temperature", "Infinity"},
            {1.0, -2, 1.0, "top_k", "-2"},
            {1.0, 0, 0.0, "top_p", "0.0"},
            {1.0, 0, 1.5, "top_p", "1.5"},
            {1.0, 0, -0.1, "top_p", "-0.1"},
            {1.0, 0, Double.NaN, "top_p", "NaN"},
        };
        for (Object[] c : cases) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Sampling((double) c[0], (int) c[1], (double) c[2], 0), Arrays.toString(c));
            assertTrue(e.getMessage().contains("Sampling: " + c[3]) && e.getMessage().contains("got " + c[4]), e.getMessage());
        }
    }

    @Test
    void badLogitsAreErrorsNamingTheIndex() {
        Object[][] cases = {
            {Sampling.greedy(), new float[0], "no logits"},
            {new Sampling(1, 0, 1, 0), new float[0], "no logits"},
            {Sampling.greedy(), new float[] {1f, Float.NaN, 2f}, "logit 1 is NaN"},
            {new Sampling(0.8, 5, 0.9, 0), new float[] {1f, 2f, Float.NaN}, "logit 2 is NaN"},
        };
        for (Object[] c : cases) {
            var e = assertThrows(IllegalArgumentException.class, () -> ((Sampling) c[0]).choose((float[]) c[1], new Random(0)), (String) c[2]);
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        }
    }

    /** The generator draws every new token through its Sampling, from a stream seeded with Sampling.seed. */
    @Test
    void theGeneratorSamplesWithinTopKAndReproducibly() throws IOException {
        Gpt2 model = new Gpt2(Gpt2ParityTest.config(Gpt2ParityTest.fixture()));
        int[] prompt = {7, 77, 11, 33};
        try (Backend cpu = Backends.create("cpu"); Gpt2Generator gen = new Gpt2Generator(model, cpu, 0)) {
            gen.load(Gpt2ParityTest.formulaWeights(model), null);
            Sampling top3 = new Sampling(1.5, 3, 1.0, 42);
            int[] a = gen.generate(prompt, 20, top3).tokens();
            assertArrayEquals(a, gen.generate(prompt, 20, top3).tokens(), "same seed, same tokens");
            assertFalse(Arrays.equals(a, gen.generate(prompt, 20, new Sampling(1.5, 3, 1.0, 43)).tokens()), "another seed, other tokens");
            assertArrayEquals(gen.generate(prompt, 20, Sampling.greedy()).tokens(), gen.generate(prompt, 20, new Sampling(2.0, 1, 1.0, 5)).tokens(),
                    "top_k 1 is greedy");
            // every token is among the 3 largest logits of its position (full recomputation of the sequence)
            int[] all = Arrays.copyOf(prompt, prompt.length + a.length);
            System.arraycopy(a, 0, all, prompt.length, a.length);
            HostTensor logits = gen.logits(all);
            int v = model.config().vocabSize();
            boolean notArgMax = false;
            for (int i = 0; i < a.length; i++) {
                float[] row = new float[v];
                for (int j = 0; j < v; j++) row[j] = (float) logits.get((prompt.length - 1 + i) * v + j);
                float[] sorted = row.clone();
                Arrays.sort(sorted);
                float third = sorted[v - 3], scale = Math.max(Math.abs(sorted[0]), Math.abs(sorted[v - 1]));
                assertTrue(row[a[i]] >= third - 1e-4f * scale, "token " + i + " (id " + a[i] + ") is not in the top 3");
                notArgMax |= row[a[i]] < sorted[v - 1];
            }
            assertTrue(notArgMax, "at temperature 1.5 some token should not be the arg-max: " + Arrays.toString(a));
        }
    }
}
