package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Embedding;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.attention.LearnedPositionalEmbedding;
import dev.jasg.nn.attention.TransformerEncoderBlock;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.util.Map;
import java.util.Random;

/**
 * A small transformer classifying token sequences: each sequence holds {@value #LENGTH} tokens
 * from a vocabulary of {@value #VOCAB}, all different but one that appears twice, and the class
 * is the repeated token. Tokens are embedded, given learned positions, passed through one pre-LN
 * encoder block (4 heads), layer-normed, mean-pooled over the sequence and read out by a linear
 * layer; cross entropy, AdamW. Prints the loss and the held-out accuracy.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.TransformerClassifier [-Dexec.args="--backend reference|--gpu"]</pre>
 */
public final class TransformerClassifier {
    /** Vocabulary size, which is also the number of classes. */
    public static final int VOCAB = 10;
    /** Tokens per sequence. */
    public static final int LENGTH = 8;
    /** Model width. */
    static final int D_MODEL = 32;

    private TransformerClassifier() {}

    /** Embedding, positions, one encoder block, norm, mean pool, linear head: {@code [B, LENGTH]} ids to {@code [B, VOCAB]} logits. */
    public static final class Model extends Layer {
        private final Embedding tok = register("tok_emb", new Embedding(VOCAB, D_MODEL));
        private final LearnedPositionalEmbedding pos = register("pos_emb", new LearnedPositionalEmbedding(LENGTH, D_MODEL));
        private final TransformerEncoderBlock block = register("block", new TransformerEncoderBlock(D_MODEL, 4, 64, 0, "gelu", 1e-5, true, true));
        private final LayerNorm norm = register("norm", new LayerNorm(D_MODEL));
        private final Linear head = register("head", new Linear(D_MODEL, VOCAB));

        @Override
        public Tensor forward(Tensor ids) {
            Tensor h = pos.apply(tok.apply(ids));
            return head.apply(norm.apply(block.apply(h)).mean(1));
        }
    }

    /** {@code n} sequences and their labels. */
    public record Data(HostTensor tokens, HostTensor labels) {}

    /** {@code n} random sequences of distinct tokens with one of them repeated at a random place. */
    public static Data data(int n, long seed) {
        Random r = new Random(seed);
        int[] x = new int[n * LENGTH], y = new int[n];
        for (int i = 0; i < n; i++) {
            int[] perm = new int[VOCAB];
            for (int v = 0; v < VOCAB; v++) perm[v] = v;
            for (int v = VOCAB - 1; v > 0; v--) {
                int j = r.nextInt(v + 1), t = perm[v];
                perm[v] = perm[j];
                perm[j] = t;
            }
            int[] seq = new int[LENGTH];
            System.arraycopy(perm, 0, seq, 0, LENGTH - 1);
            int repeated = seq[r.nextInt(LENGTH - 1)];
            int at = r.nextInt(LENGTH);
            for (int p = LENGTH - 1; p > at; p--) seq[p] = seq[p - 1];
            seq[at] = repeated;
            System.arraycopy(seq, 0, x, i * LENGTH, LENGTH);
            y[i] = repeated;
        }
        return new Data(HostTensor.ofInts(x, n, LENGTH), HostTensor.ofInts(y, n));
    }

    /** What training ended with. */
    public record Result(double lastLoss, double testAccuracy, int steps) {}

    /** Trains {@code steps} steps of batch 64 on fresh data from a seeded stream and measures accuracy on 1000 held-out sequences. */
    public static Result train(Backend backend, int steps, StepListener log) {
        Data test = data(1000, 12345);
        try (Trainer trainer = Trainer.builder(backend, new Model())
                .input("x", DType.I32, "B", LENGTH)
                .target("y", DType.I32, "B")
                .loss(Losses::crossEntropy)
                .optimizer(new AdamW(3e-3))
                .seed(7)
                .build()) {
            trainer.addListener(log);
            double loss = Double.NaN;
            for (int s = 0; s < steps; s++) {
                Data batch = data(64, s);
                loss = trainer.step(Map.of("x", batch.tokens(), "y", batch.labels()));
            }
            return new Result(loss, accuracy(trainer.predict(test.tokens()), test.labels()), steps);
        }
    }

    /** Fraction of rows of {@code logits [N, C]} whose arg-max is the label. */
    static double accuracy(HostTensor logits, HostTensor labels) {
        int n = labels.size(), c = logits.shape().dim(1), right = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < c; k++) if (logits.get(i * c + k) > logits.get(i * c + best)) best = k;
            if (best == (int) labels.get(i)) right++;
        }
        return right / (double) n;
    }

    /** Trains and prints; {@code --backend NAME} or {@code --gpu} picks a backend. */
    public static void main(String[] args) {
        try (Backend backend = ExampleCli.backend("TransformerClassifier", args)) {
            System.out.println("JASG transformer classifier on the '" + backend.name() + "' backend: which of "
                    + LENGTH + " tokens (vocabulary " + VOCAB + ") appears twice");
            Result r = train(backend, 400, (step, loss) -> {
                if (step % 50 == 0) System.out.printf("step %4d  loss %.4f%n", step, loss);
            });
            System.out.printf("held-out accuracy %.1f%% after %d steps%n", 100 * r.testAccuracy(), r.steps());
            if (r.testAccuracy() < 0.95) System.exit(1);
        }
    }
}
