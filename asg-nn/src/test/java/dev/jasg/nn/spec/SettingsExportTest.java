package dev.jasg.nn.spec;

import dev.jasg.nn.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export with the other training settings: schedulers per step and per epoch, SGD, a regression loss, CSV and Fashion-MNIST data, main's output. */
class SettingsExportTest {
    private static void assertSameLosses(ModelSpec spec, Path dir, String cls, int steps) throws Exception {
        Path src = dir.resolve(cls + ".java");
        JavaExport.write(spec, src);
        Class<?> c = TemplatesAndExportTest.compile(dir, src, cls);
        @SuppressWarnings("unchecked") List<Double> exported = (List<Double>) c.getMethod("train", int.class).invoke(null, steps);
        List<Double> direct = SpecTraining.train(spec, steps, null);
        assertEquals(direct.size(), exported.size());
        assertTrue(direct.size() >= 2, direct.toString());
        for (int i = 0; i < direct.size(); i++) assertEquals(direct.get(i), exported.get(i), 1e-6, "step " + (i + 1) + ": " + direct + " vs " + exported);
    }

    @Test
    void csvRegressionWithSgdAndAPerEpochScheduler(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,c,y\n");
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 40; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian(), c = r.nextGaussian();
            csv.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f%n", a, b, c, 0.5 * a - b + 0.25 * c));
        }
        Path data = dir.resolve("data.csv");
        Files.writeString(data, csv);
        String json = """
                {"format_version": 1, "name": "regression",
                 "inputs": [{"name": "x", "shape": ["B", 3]}],
                 "nodes": [{"id": "fc1", "type": "Linear", "params": {"in_features": 3, "out_features": 8}},
                           {"id": "act", "type": "Tanh"},
                           {"id": "fc2", "type": "Linear", "params": {"in_features": 8, "out_features": 1}},
                           {"id": "out", "type": "Flatten", "params": {"start_dim": 0}}],
                 "edges": [{"from": "x", "to": "fc1"}, {"from": "fc1", "to": "act"}, {"from": "act", "to": "fc2"}, {"from": "fc2", "to": "out"}],
                 "output": "fc2",
                 "training": {"loss": "mse", "optimizer": {"type": "sgd", "params": {"lr": 0.1, "momentum": 0.9, "nesterov": true}},
                              "scheduler": {"type": "CosineAnnealingLR", "params": {"t_max": 3}},
                              "batch_size": 16, "epochs": 3, "seed": 7, "backend": "cpu",
                              "dataset": {"type": "csv", "params": {"path": "%s", "label_column": "y"}}}}
                """.formatted(data.toString().replace("\\", "\\\\"));
        ModelSpec spec = ModelSpec.parse(json);
        // the label column gives a scalar per example, the output fc2 is [B, 1]: training says so before it starts
        SpecException e = org.junit.jupiter.api.Assertions.assertThrows(SpecException.class, () -> SpecTraining.train(spec, 0, null));
        assertEquals(SpecException.Kind.TRAINING, e.kind());
        assertEquals("/training/dataset", e.pointer());
        assertTrue(e.getMessage().contains("[1]"), e.getMessage());
        ModelSpec fixed = spec.withOutput("out");   // Flatten(start_dim 0) of [B, 1]: [B]
        assertSameLosses(fixed, dir, "CsvRegression", 0);
        assertEquals(9, SpecTraining.train(fixed, 0, null).size(), "3 epochs of 3 batches");
    }

    @Test
    void lenetOnFashionMnistWithAPerStepScheduler(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(FashionMnist.find(Path.of(FashionMnist.DEBIAN_DIR)).isPresent() || System.getenv("CI") != null,
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        ModelSpec t = Templates.load("LeNet-5");
        ModelSpec.Training tr = t.training();
        ModelSpec spec = t.withTraining(new ModelSpec.Training("cross_entropy", new ModelSpec.Component("sgd", Map.of("lr", 0.05, "momentum", 0.9)),
                new ModelSpec.Component("StepLR", Map.of("step_size", 2, "gamma", 0.5, "interval", "step")), 32, 1, 0, 3, "cpu",
                new ModelSpec.Component("fashion_mnist", Map.of("limit", 160))));
        assertSameLosses(spec, dir, "LeNetFashion", 5);
        assertEquals(tr.backend(), spec.training().backend());
    }

    @Test
    void mainPrintsOneLinePerStepThenTheEvaluations(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("MlpMain.java");
        JavaExport.write(Templates.load("MLP"), src);
        Class<?> c = TemplatesAndExportTest.compile(dir, src, "MlpMain");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            c.getMethod("main", String[].class).invoke(null, (Object) new String[] {"3"});
        } finally {
            System.setOut(old);
        }
        List<java.util.Map<String, Double>> evals = new java.util.ArrayList<>();
        List<Double> direct = SpecTraining.run(Templates.load("MLP"), 3, null, (step, m) -> {
            assertEquals(3, step);
            evals.add(m);
        }, null, () -> true);
        assertEquals(1, evals.size(), "one evaluation, at the end");
        String expected = String.format(Locale.ROOT, "step 1 loss %.6f%nstep 2 loss %.6f%nstep 3 loss %.6f%neval step 3 val_loss %.6f accuracy %.6f%n",
                direct.get(0), direct.get(1), direct.get(2), evals.get(0).get("val_loss"), evals.get(0).get("accuracy"));
        assertEquals(expected, buf.toString(StandardCharsets.UTF_8));
    }
}
