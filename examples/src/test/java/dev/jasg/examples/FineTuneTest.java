package dev.jasg.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

class FineTuneTest {
    @TempDir
    Path dir;

    @Test
    void grayImagesArePaddedTo32AndRepeated() {
        float[] v = new float[28 * 28];
        v[0] = 0.5f;
        HostTensor x = FineTune.toRgb32(HostTensor.of(v, 1, 1, 28, 28));
        assertArrayEquals(new int[] {1, 3, 32, 32}, x.shape().dims());
        for (int c = 0; c < 3; c++) assertEquals(0.5f, x.get(c * 1024 + 2 * 32 + 2), 0f);
        assertEquals(0f, x.get(0), 0f);
    }

    // Two classes a small ViT separates quickly: bright left half vs bright right half.
    private static HostTensor[] halves(int n) {
        float[] x = new float[n * 3 * 1024];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int c = 0; c < 3; c++) for (int r = 0; r < 32; r++) for (int k = 0; k < 32; k++) {
                x[((i * 3 + c) * 32 + r) * 32 + k] = (k < 16) == (y[i] == 0) ? 1f : 0f;
            }
        }
        return new HostTensor[] {HostTensor.of(x, n, 3, 32, 32), HostTensor.ofInts(y, n)};
    }

    @Test
    void fineTuningLearnsANewHeadAndSavesTheWeights() throws Exception {
        HostTensor[] d = halves(64);
        Path saved = dir.resolve("vit.safetensors");
        try (Backend cpu = Backends.create("cpu")) {
            FineTune.Result r = FineTune.run(cpu, d[0], d[1], d[0], d[1], null, 40, 16, 3e-3, saved, null);
            assertTrue(r.testAccuracy() > 0.9, "accuracy " + r.testAccuracy());
            Map<String, HostTensor> w = SafeTensors.load(saved);
            assertTrue(w.containsKey("encoder.layers.encoder_layer_1.self_attention.in_proj_weight"), w.keySet().toString());
            // start again from the saved backbone: the new head starts at zero, the rest is loaded
            FineTune.Result again = FineTune.run(cpu, d[0], d[1], d[0], d[1], w, 5, 16, 3e-3, null, null);
            assertTrue(again.testAccuracy() > 0.9, "accuracy after reloading " + again.testAccuracy());
        }
    }
}
