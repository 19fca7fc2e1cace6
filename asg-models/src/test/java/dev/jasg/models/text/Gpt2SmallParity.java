package dev.jasg.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.ParameterSpec;

import java.io.File;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JASG side of {@code asg-models/parity/gpt2_parity.sh}: {@link Gpt2} with GPT-2 small's config
 * ({@link Gpt2Config#gpt2()}, 124M parameters) and the formula weights of {@code gpt2_parity.py}
 * (argument 1, the torch JSON, names the formula: {@code chirp} or {@code sin}), on backend argument 2.
 * Compares the prompt's logits (max |difference| relative to the largest |logit|, as
 * {@link Gpt2ParityTest}) and the 32 greedy tokens decoded through the KV cache, id for id. Prints the
 * figures and the times; exits 1 when the logits are off by more than 1e-4 of their scale or an id differs.
 */
public final class Gpt2SmallParity {
    private Gpt2SmallParity() {}

    /** {@code gpt2_parity.py}'s chirp formula: {@link Gpt2ParityTest#formulaWeights}' with {@code 1e-6 i^2} added to the sine's argument. */
    static Map<String, HostTensor> chirpWeights(Gpt2 model) {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterSpec> e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            double k = 0.01 * name.chars().sum();
            boolean ln = name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name.endsWith("ln_f.weight");
            int n = (int) e.getValue().shape().size();
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double d = i;
                double s = Math.sin(0.37 * d + k + 1e-6 * (d * d));
                v[i] = (float) (ln ? 1 + 0.1 * s : 0.5 * s);
            }
            w.put(name, HostTensor.of(v, e.getValue().shape().dims()));
        }
        return w;
    }

    /** {@code Gpt2SmallParity TORCH_JSON [cpu|vulkan]}. */
    public static void main(String[] args) throws Exception {
        JsonNode f = JsonMapper.builder().build().readTree(new File(args[0]));
        String formula = f.path("formula").asText("sin");
        Gpt2 model = new Gpt2(Gpt2Config.gpt2());
        int[] prompt = Gpt2ParityTest.ints(f.get("prompt"));
        int[] want = Gpt2ParityTest.ints(f.get("greedy"));
        JsonNode wantLogits = f.get("logits");
        try (Backend be = Backends.create(args.length > 1 ? args[1] : "cpu")) {
            long t0 = System.nanoTime();
            try (Gpt2Generator gen = new Gpt2Generator(model, be, 0)) {
                gen.load(formula.equals("chirp") ? chirpWeights(model) : Gpt2ParityTest.formulaWeights(model), null);
                long t1 = System.nanoTime();
                HostTensor logits = gen.logits(prompt);
                long t2 = System.nanoTime();
                double scale = 0, err = 0;
                for (int i = 0; i < wantLogits.size(); i++) {
                    double w = wantLogits.get(i).asDouble();
                    scale = Math.max(scale, Math.abs(w));
                    err = Math.max(err, Math.abs(logits.get(i) - w));
                }
                Gpt2Generator.Generation g = gen.generate(prompt, want.length, Sampling.greedy());
                int[] got = g.tokens();
                int same = 0;
                while (same < Math.min(got.length, want.length) && got[same] == want[same]) same++;
                boolean idsOk = Arrays.equals(got, want);
                System.out.printf("gpt2 small (%s formula) on %s: %d-token prompt, max |logit - torch float64| = %.3g, largest |logit| %.4g, relative %.3g%n",
                        formula, be.name(), prompt.length, err, scale, err / scale);
                System.out.printf("greedy %d tokens through the KV cache: %s (%d of %d equal before the first difference)%n",
                        want.length, idsOk ? "identical to torch" : "DIFFER", same, want.length);
                if (!idsOk) System.out.printf("  torch %s%n  jasg  %s%n", Arrays.toString(want), Arrays.toString(got));
                System.out.printf("times: compile + load %.1f s, full forward %.1f s, prefill %.2f s, decode %.2f tokens/s%n",
                        (t1 - t0) / 1e9, (t2 - t1) / 1e9, g.prefillNanos() / 1e9, g.tokensPerSecond());
                if (err > 1e-4 * scale || !idsOk) System.exit(1);
            }
        }
    }
}
