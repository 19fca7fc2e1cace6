package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.io.Checkpoint;
import dev.jasg.nn.io.CheckpointState;
import dev.jasg.nn.metrics.ProgressBar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {
    private static final Path DATA = Path.of(dev.jasg.nn.data.FashionMnist.DEBIAN_DIR);

    @Test
    void trainsWellAboveChanceOnASubsetAndKeepsTheLastTwoAndTheBestCheckpoints(@TempDir Path out) throws IOException {
        assumeTrue(dev.jasg.nn.data.FashionMnist.find(DATA).isPresent(),
                "Fashion-MNIST is not installed in " + DATA + " (apt-get install dataset-fashion-mnist); skipping the training test");
        InMemoryDataset train = FashionMnist.first(dev.jasg.nn.data.FashionMnist.train(DATA), 6000);
        InMemoryDataset test = FashionMnist.first(dev.jasg.nn.data.FashionMnist.test(DATA), 2000);
        assertEquals(6000, train.size());
        assertEquals(2000, test.size());
        // 3 epochs of 6000 images in batches of 64: 282 steps.
        FashionMnist.Options o = FashionMnist.parse(new String[] {"--epochs", "3", "--batch", "64"});
        ProgressBar quiet = new ProgressBar(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, System::nanoTime, 0);
        FashionMnist.Result r;
        try (Backend cpu = Backends.create("cpu")) {
            r = FashionMnist.train(cpu, train, test, o, out, quiet, s -> { });
        }
        assertEquals(3, r.epochs().size());
        // Chance is 10%; a few hundred steps of the MLP reach about 80% here.
        assertTrue(r.finalAccuracy() >= 0.70, "test accuracy " + r.finalAccuracy() + " after " + r.epochs());
        assertTrue(r.epochs().get(2).trainLoss() < r.epochs().get(0).trainLoss(), "training loss did not fall: " + r.epochs());

        List<Path> kept;
        try (Stream<Path> s = Files.list(out)) {
            kept = s.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(kept.size() >= 2 && kept.size() <= 3, "kept checkpoints " + kept);
        assertTrue(kept.contains(out.resolve("step-282")), "the last checkpoint is kept: " + kept);
        assertTrue(kept.contains(out.resolve("step-188")), "the one before is kept: " + kept);
        assertNotNull(r.best());
        CheckpointState best = Checkpoint.readState(r.best());
        double bestAccuracy = r.epochs().stream().mapToDouble(FashionMnist.EpochStats::testAccuracy).max().orElseThrow();
        assertEquals(bestAccuracy, best.metrics().get("test_accuracy"), 1e-12);
        assertEquals("mlp", best.modelConfig().get("model"));
        assertTrue(Checkpoint.readTensors(r.best()).containsKey("optim.exp_avg.1.weight"), "the checkpoint holds the Adam state");
    }

    @Test
    void theCnnTrainsWellAboveChanceOnASubset(@TempDir Path out) throws IOException {
        assumeTrue(dev.jasg.nn.data.FashionMnist.find(DATA).isPresent(),
                "Fashion-MNIST is not installed in " + DATA + " (apt-get install dataset-fashion-mnist); skipping the training test");
        InMemoryDataset train = FashionMnist.first(dev.jasg.nn.data.FashionMnist.train(DATA), 2048);
        InMemoryDataset test = FashionMnist.first(dev.jasg.nn.data.FashionMnist.test(DATA), 1000);
        // one epoch of 2048 images in batches of 32: 64 steps
        FashionMnist.Options o = FashionMnist.parse(new String[] {"--model", "cnn", "--epochs", "1", "--batch", "32", "--lr", "0.002"});
        ProgressBar quiet = new ProgressBar(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, System::nanoTime, 0);
        FashionMnist.Result r;
        try (Backend cpu = Backends.create("cpu")) {
            r = FashionMnist.train(cpu, train, test, o, out, quiet, s -> { });
        }
        // chance is 10%; 64 steps of the CNN reach about 70% here
        assertTrue(r.finalAccuracy() >= 0.55, "test accuracy " + r.finalAccuracy() + " after " + r.epochs());
        assertEquals("cnn", Checkpoint.readState(r.best()).modelConfig().get("model"));
        assertTrue(Checkpoint.readTensors(r.best()).containsKey("0.weight"), "the checkpoint holds the first conv's kernel");
    }

    @Test
    void parsesEveryOption() {
        FashionMnist.Options o = FashionMnist.parse(new String[] {
                "--data", "/d", "--out", "/o", "--model", "mlp", "--epochs", "7", "--batch", "32", "--optimizer", "sgd", "--lr", "0.01",
                "--limit", "100", "--test-limit", "50", "--seed", "9", "--gpu", "--mixed", "bf16"});
        assertEquals(Path.of("/d"), o.data());
        assertEquals(Path.of("/o"), o.out());
        assertEquals(7, o.epochs());
        assertEquals(32, o.batch());
        assertEquals("sgd", o.optimizer());
        assertEquals(0.01, o.learningRate());
        assertEquals(100, o.limit());
        assertEquals(50, o.testLimit());
        assertEquals(9, o.seed());
        assertEquals("vulkan", o.backend());
        assertEquals(dev.jasg.core.DType.BF16, o.mixed());
        assertEquals(dev.jasg.core.DType.F16, FashionMnist.parse(new String[] {"--mixed", "f16"}).mixed());
        assertEquals(null, FashionMnist.parse(new String[0]).mixed());
        assertEquals(FashionMnist.Options.defaults(), FashionMnist.parse(new String[0]));
        assertEquals(2e-3, FashionMnist.parse(new String[0]).learningRate());
        assertEquals(0.05, FashionMnist.parse(new String[] {"--optimizer", "sgd"}).learningRate());
        assertEquals("reference", FashionMnist.parse(new String[] {"--backend", "reference"}).backend());
    }

    @Test
    void rejectsBadOptions() {
        for (String[] bad : List.of(new String[] {"--bogus"}, new String[] {"--model", "resnet"}, new String[] {"--epochs"},
                new String[] {"--epochs", "0"}, new String[] {"--batch", "x"}, new String[] {"--lr", "-1"}, new String[] {"--optimizer", "rmsprop"},
                new String[] {"--mixed", "f32"}, new String[] {"--mixed"},
                new String[] {"--data", "--epochs", "2"}, new String[] {"stray"})) {
            assertThrows(FashionMnist.UsageException.class, () -> FashionMnist.parse(bad), String.join(" ", bad));
        }
    }

    @Test
    void aBadFlagPrintsUsageAndExitsWithTwo() {
        Captured c = run("--model", "resnet");
        assertEquals(2, c.status);
        assertTrue(c.err.contains("unknown model 'resnet'"), c.err);
        assertTrue(c.err.contains("usage: FashionMnist"), c.err);
        assertEquals("", c.out);

        Captured unknown = run("--frobnicate");
        assertEquals(2, unknown.status);
        assertTrue(unknown.err.contains("unknown option '--frobnicate'") && unknown.err.contains("--epochs N"), unknown.err);
    }

    @Test
    void helpPrintsUsageAndExitsWithZero() {
        Captured c = run("--help");
        assertEquals(0, c.status);
        assertTrue(c.out.startsWith("usage: FashionMnist"), c.out);
    }

    @Test
    void missingDataSaysHowToGetItAndExitsWithTwo(@TempDir Path empty) {
        Captured c = run("--data", empty.toString());
        assertEquals(2, c.status);
        assertTrue(c.err.contains("Fashion-MNIST not found in " + empty), c.err);
        assertTrue(c.err.contains("apt-get install dataset-fashion-mnist"), c.err);
    }

    private record Captured(int status, String out, String err) {}

    private static Captured run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = FashionMnist.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Captured(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
