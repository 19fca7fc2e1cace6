package dev.jasg.nn.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every template builds, trains a few steps with falling loss, round-trips through JSON, and its exported Java reproduces the losses. */
class TemplatesAndExportTest {
    static List<String> templates() {
        return Templates.names();
    }

    @ParameterizedTest
    @MethodSource("templates")
    void templateBuildsTrainsAndRoundTrips(String name, @TempDir Path dir) throws Exception {
        ModelSpec spec = Templates.load(name);
        GraphModel model = spec.build();
        assertTrue(model.parameterCount() > 0, name);
        Path file = dir.resolve("spec.json");
        spec.write(file);
        ModelSpec back = ModelSpec.read(file);
        assertEquals(spec, back, "JSON round trip of " + name);
        assertEquals(model.namedParameters().keySet(), back.build().namedParameters().keySet());
        // one batch of 32 examples, eight epochs: the model must fit it, the loss falls
        ModelSpec.Training t = spec.training();
        ModelSpec oneBatch = spec.withTraining(new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), t.batchSize(), 8, 0, t.seed(), t.backend(),
                new ModelSpec.Component(t.dataset().type(), Map.of("limit", 32, "classes", ((Number) t.dataset().params().get("classes")).intValue()))));
        List<Double> losses = SpecTraining.train(oneBatch, 0, null);
        assertEquals(8, losses.size());
        for (double l : losses) assertTrue(Double.isFinite(l), name + ": " + losses);
        assertTrue(losses.get(7) < losses.get(0) - 0.05, name + ": the loss does not fall: " + losses);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void exportedJavaReproducesTheLosses(String name, @TempDir Path dir) throws Exception {
        ModelSpec spec = Templates.load(name);
        String cls = "Exported" + Math.abs(name.hashCode());
        Path src = dir.resolve(cls + ".java");
        JavaExport.write(spec, src);
        Class<?> c = compile(dir, src, cls);
        @SuppressWarnings("unchecked")
        List<Double> exported = (List<Double>) c.getMethod("train", int.class).invoke(null, 6);
        List<Double> direct = SpecTraining.train(spec, 6, null);
        assertEquals(6, exported.size());
        for (int i = 0; i < direct.size(); i++) assertEquals(direct.get(i), exported.get(i), 1e-6, name + " step " + (i + 1) + ": " + direct + " vs " + exported);
        // the exported layer registers the same parameter names and shapes
        Object layer = c.getConstructor().newInstance();
        Map<?, ?> names = (Map<?, ?>) c.getMethod("namedParameters").invoke(layer);
        assertEquals(spec.build().namedParameters().toString(), names.toString());
    }

    static Class<?> compile(Path dir, Path src, String cls) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), src.toString());
        assertEquals(0, rc, () -> err + "\n" + readQuietly(src));
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, TemplatesAndExportTest.class.getClassLoader());
        return loader.loadClass(cls);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void lenetBlockIsAnAlias() {
        assertEquals(Templates.load("LeNet-5"), Templates.load("LeNet block"));
    }
}
