package dev.jasg.models.text;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Text generation with a GPT-2 and a key/value cache, in JASG's compile-once model: three graphs
 * are compiled once over one parameter store, and no past token is ever recomputed.
 *
 * <ul>
 *   <li><b>The cache</b> is persistent state beside the weights: per layer {@code N} two
 *       non-trainable parameters {@code kv_cache.h.N.key} and {@code kv_cache.h.N.value} of fixed
 *       shape {@code [1, H, n_positions, head_dim]} (zeros at first), written by the graphs'
 *       assignments, so they stay on the device between steps. They are not part of the
 *       {@link Gpt2} layer, so the model's parameter names stay HF's.</li>
 *   <li><b>Prefill</b> runs the prompt {@code [1, T]} ({@code T} symbolic, so one graph serves every
 *       prompt length; the backend plans it once per length) with causal attention, returns the
 *       last position's logits and writes the keys/values of positions {@code 0..T-1} into the
 *       cache: {@code cache = P k} with the fed placement matrix {@code P [n_positions, T]}
 *       ({@code P[t, t] = 1}), which leaves zeros after {@code T}.</li>
 *   <li><b>Decode</b> runs one token at position {@code p} ({@code [1, 1]}, fixed shape: compiled
 *       once, planned once): it writes the new key/value into row {@code p} of the cache
 *       ({@code cache' = where(e_p, k, cache)}, {@code e_p} the fed one-hot of {@code p}),
 *       attends over all {@code n_positions} rows with the rows after {@code p} masked (HF's
 *       {@code finfo.min}, so they get weight exactly 0) and assigns {@code cache'}.</li>
 * </ul>
 * The fixed-shape decode step costs {@code O(n_positions)} per layer for the masked rows and the
 * cache rewrite; that is small next to the weights' {@code O(n_embd^2)} for GPT-2's sizes, and it
 * keeps one plan for every step. A third graph gives the full logits {@code [1, T, V]} of a
 * sequence ({@link #logits}).
 *
 * <p>One generator holds one cache: its calls are not meant to run concurrently.
 */
public final class Gpt2Generator implements AutoCloseable {
    private final Gpt2 model;
    private final Gpt2Config c;
    private final Parameters store;
    private final Executable full;
    private final Executable prefill;
    private final Executable decode;

    /**
     * Compiles the graphs of {@code model} on {@code backend} over a new parameter store seeded
     * with {@code seed} (the model's own initialisation until {@link #load} or
     * {@link Parameters#set} replaces the weights).
     */
    public Gpt2Generator(Gpt2 model, Backend backend, long seed) {
        this.model = model;
        this.c = model.config();
        this.store = backend.newParameters(seed);
        this.full = backend.compile(store, fullGraph());
        this.prefill = backend.compile(store, prefillGraph());
        this.decode = backend.compile(store, decodeGraph());
    }

    /** The parameter store: HF names ({@code wte.weight}, {@code h.0.attn.c_attn.weight} ...) and the cache. */
    public Parameters parameters() {
        return store;
    }

    /** Replaces the weights with {@code weights} by name (see {@link Gpt2#load}); {@code source} names them in errors. */
    public void load(Map<String, HostTensor> weights, Path source) {
        model.load(store, weights, source);
    }

    private dev.jasg.core.Graph fullGraph() {
        GraphBuilder b = new GraphBuilder();
        Tensor ids = b.input("input_ids", DType.I32, 1, "T");
        b.output("logits", model.apply(ids));
        return b.build();
    }

    private Tensor[] cache(GraphBuilder b, int layer) {
        Shape s = Shape.of(1, c.nHead(), c.nPositions(), c.headDim());
        return new Tensor[] {
            b.parameter("kv_cache.h." + layer + ".key", s, DType.F32, new Init.Zeros(), false),
            b.parameter("kv_cache.h." + layer + ".value", s, DType.F32, new Init.Zeros(), false)};
    }

    private dev.jasg.core.Graph prefillGraph() {
        GraphBuilder b = new GraphBuilder();
        Tensor ids = b.input("input_ids", DType.I32, 1, "T");
        Tensor place = b.input("place", DType.F32, c.nPositions(), "T").reshapeSymbolic(1, 1, c.nPositions(), "T");
        Tensor last = b.input("last", DType.I32, 1);
        Tensor positions = b.scalar(1, DType.I32).broadcastTo(Shape.symbolic("T")).cumsum(0).sub(1);
        List<Tensor[]> caches = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) caches.add(cache(b, l));
        Tensor logits = model.scoped(b, () -> {
            Tensor h = model.hidden(ids, positions, (layer, q, k, v) -> {
                Tensor[] kv = caches.get(layer);
                b.assign(kv[0], place.matmul(k));
                b.assign(kv[1], place.matmul(v));
                return new Gpt2.Attended(k, v, null);
            });
            return model.lmHead(h.reshapeSymbolic("T", c.nEmbd()).gather(last));
        });
        b.output("logits", logits);
        return b.build();
    }

    private dev.jasg.core.Graph decodeGraph() {
        GraphBuilder b = new GraphBuilder();
        Tensor token = b.input("token", DType.I32, 1, 1);
        Tensor position = b.input("position", DType.I32, 1, 1);
        // one select per cache, not a blend: a single pass over the cache instead of three (two broadcast products and a sum)
        Tensor write = b.input("write", DType.F32, c.nPositions(), 1).gt(0.5);
        Tensor visible = b.input("visible", DType.F32, c.nPositions()).gt(0.5);
        List<Tensor[]> caches = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) caches.add(cache(b, l));
        Tensor logits = model.scoped(b, () -> {
            Tensor h = model.hidden(token, position, (layer, q, k, v) -> {
                Tensor[] kv = caches.get(layer);
                Tensor keys = write.where(k, kv[0]);
                Tensor values = write.where(v, kv[1]);
                b.assign(kv[0], keys);
                b.assign(kv[1], values);
                return new Gpt2.Attended(keys, values, visible);
            });
            return model.lmHead(h.reshape(1, c.nEmbd()));
        });
        b.output("logits", logits);
        return b.build();
    }

    /** The logits {@code [1, T, V]} of every position of {@code ids} (a full causal forward pass; the cache is untouched). */
    public HostTensor logits(int[] ids) {
        check(ids, 0);
        return full.run(Map.of("input_ids", HostTensor.ofInts(ids, 1, ids.length))).get("logits");
    }

    /** A generation's new tokens and its timings. */
    public record Generation(int[] tokens, long prefillNanos, long decodeNanos) {
        /** New tokens per second of decoding (the first token, from the prefill, not counted). */
        public double tokensPerSecond() {
            return tokens.length <= 1 || decodeNanos == 0 ? Double.NaN : (tokens.length - 1) * 1e9 / decodeNanos;
        }
    }

    /** {@code maxTokens} new tokens after {@code promptIds}, chosen by {@code sampling}. */
    public Generation generate(int[] promptIds, int maxTokens, Sampling sampling) {
        return generate(promptIds, maxTokens, sampling, t -> true);
    }

    /**
     * Up to {@code maxTokens} new tokens after {@code promptIds}: one prefill, then one decode step
     * per further token. {@code onToken} sees each new token as it is chosen; returning false stops
     * (the token is kept), e.g. at {@code <|endoftext|>}.
     *
     * @throws IllegalArgumentException when the prompt is empty, an id is outside the vocabulary, or
     *     prompt plus new tokens exceed {@code n_positions}
     */
    public Generation generate(int[] promptIds, int maxTokens, Sampling sampling, IntPredicate onToken) {
        if (maxTokens < 0) throw new IllegalArgumentException("Gpt2Generator: maxTokens must be >= 0, got " + maxTokens);
        check(promptIds, maxTokens);
        Random random = new Random(sampling.seed());
        int t = promptIds.length, n = c.nPositions();
        int[] out = new int[maxTokens];
        if (maxTokens == 0) return new Generation(out, 0, 0);
        long t0 = System.nanoTime();
        float[] place = new float[n * t];
        for (int i = 0; i < t; i++) place[i * t + i] = 1;
        Map<String, HostTensor> feeds = new HashMap<>();
        feeds.put("input_ids", HostTensor.ofInts(promptIds, 1, t));
        feeds.put("place", HostTensor.of(place, n, t));
        feeds.put("last", HostTensor.ofInts(new int[] {t - 1}, 1));
        int next = sampling.choose(prefill.run(feeds).get("logits").floats(), random);
        long t1 = System.nanoTime();
        int made = 0;
        out[made++] = next;
        float[] write = new float[n], visible = new float[n];
        Arrays.fill(visible, 0, t, 1);
        while (made < maxTokens && onToken.test(next)) {
            int p = t + made - 1; // the position of the token just chosen
            Arrays.fill(write, 0);
            write[p] = 1;
            visible[p] = 1;
            Map<String, HostTensor> step = Map.of("token", HostTensor.ofInts(new int[] {next}, 1, 1),
                    "position", HostTensor.ofInts(new int[] {p}, 1, 1), "write", HostTensor.of(write.clone(), n, 1),
                    "visible", HostTensor.of(visible.clone(), n));
            next = sampling.choose(decode.run(step).get("logits").floats(), random);
            out[made++] = next;
        }
        if (made == maxTokens) onToken.test(next);
        long t2 = System.nanoTime();
        return new Generation(made == maxTokens ? out : Arrays.copyOf(out, made), t1 - t0, t2 - t1);
    }

    private void check(int[] ids, int more) {
        if (ids.length == 0) throw new IllegalArgumentException("Gpt2Generator: the prompt is empty; GPT-2 needs at least one token (e.g. <|endoftext|>)");
        if (ids.length + more > c.nPositions()) {
            throw new IllegalArgumentException("Gpt2Generator: " + ids.length + " prompt tokens + " + more + " new tokens exceed n_positions " + c.nPositions());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("Gpt2Generator: token id " + ids[i] + " at prompt index " + i + " is outside the vocabulary [0, " + c.vocabSize() + ")");
            }
        }
    }

    @Override
    public void close() {
        full.close();
        prefill.close();
        decode.close();
    }
}
