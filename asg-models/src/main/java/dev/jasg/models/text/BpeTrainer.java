package dev.jasg.models.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns byte-level BPE merges from text, so a model (TinyGpt, say) can have its own vocabulary
 * in GPT-2's format. The vocabulary starts with GPT-2's 256 byte tokens (in GPT-2's order); each
 * round counts the adjacent token pairs inside the pretokenized pieces of the corpus (GPT-2's
 * regex, weighted by how often each piece occurs), merges the most frequent pair everywhere and
 * adds it as a token, until the vocabulary has {@code vocabSize} tokens or no pair is left. Ties go
 * to the smallest pair in string order (left token, then right), so training is deterministic;
 * the special tokens given come last.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /**
     * A tokenizer of at most {@code vocabSize} tokens (special tokens excluded) learnt from {@code texts}.
     *
     * @throws IllegalArgumentException when {@code vocabSize} is below the 256 byte tokens
     */
    public static ByteLevelBpe train(Iterable<String> texts, int vocabSize, String... specialTokens) {
        if (vocabSize < 256) throw new IllegalArgumentException("BpeTrainer: vocabSize must be at least 256 (the byte tokens), got " + vocabSize);
        Map<String, Integer> freq = new LinkedHashMap<>();
        for (String t : texts) for (String w : ByteLevelBpe.pretokenize(t)) freq.merge(w, 1, Integer::sum);
        List<String[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (var e : freq.entrySet()) {
            String w = e.getKey();
            String[] s = new String[w.length()];
            for (int i = 0; i < s.length; i++) s[i] = String.valueOf(w.charAt(i));
            words.add(s);
            counts.add(e.getValue());
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String b : ByteLevelBpe.byteTokens()) vocab.put(b, vocab.size());
        List<String[]> merges = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            Map<List<String>, Integer> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                String[] s = words.get(w);
                for (int i = 0; i + 1 < s.length; i++) pairs.merge(List.of(s[i], s[i + 1]), counts.get(w), Integer::sum);
            }
            List<String> best = null;
            int bestCount = 0;
            for (var e : pairs.entrySet()) {
                int c = e.getValue();
                if (c > bestCount || (c == bestCount && smaller(e.getKey(), best))) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) break;
            String a = best.get(0), b = best.get(1);
            merges.add(new String[] {a, b});
            vocab.putIfAbsent(a + b, vocab.size());
            for (int w = 0; w < words.size(); w++) words.set(w, merge(words.get(w), a, b));
        }
        for (String s : specialTokens) vocab.putIfAbsent(s, vocab.size());
        return new ByteLevelBpe(vocab, merges);
    }

    private static boolean smaller(List<String> p, List<String> q) {
        if (q == null) return true;
        int c = p.get(0).compareTo(q.get(0));
        return c != 0 ? c < 0 : p.get(1).compareTo(q.get(1)) < 0;
    }

    private static String[] merge(String[] s, String a, String b) {
        List<String> out = new ArrayList<>(s.length);
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i].equals(a) && s[i + 1].equals(b)) {
                out.add(a + b);
                i++;
            } else {
                out.add(s[i]);
            }
        }
        return out.size() == s.length ? s : out.toArray(String[]::new);
    }
}
