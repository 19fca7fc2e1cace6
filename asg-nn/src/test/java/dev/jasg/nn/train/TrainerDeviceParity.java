package dev.jasg.nn.train;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.GELU;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.optim.RMSprop;
import dev.jasg.nn.optim.SGD;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same classifier trained 20 steps on the CPU and on a device backend ends with the same parameters; each device
 * backend's subclass names it, its tag, and the variable that makes a missing device a failure.
 */
abstract class TrainerDeviceParity {
    /** The backend's name for {@code Backends.create}. */
    abstract String backendName();

    /** The environment variable (or system property) that turns a missing device into a failure. */
    abstract String requireFlag();

    private Backend device() {
        try {
            return Backends.create(backendName());
        } catch (BackendUnavailableException e) {
            String req = System.getProperty(requireFlag(), System.getenv(requireFlag()));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError(requireFlag() + " is set: " + e.getMessage(), e);
            Assumptions.abort("no " + backendName() + " device, skipping (set " + requireFlag() + "=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    private static Map<String, HostTensor> batch() {
        Random r = new Random(5);
        int n = 48;
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) r.nextGaussian();
            y[i] = (x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0) + (x[i * 4 + 2] > 0.5 ? 1 : 0);
        }
        return Map.of("x", HostTensor.of(x, n, 4), "y", HostTensor.ofInts(y, n));
    }

    private static Trainer trainer(Backend b, Supplier<Optimizer> opt) {
        Layer model = new Sequential(new Linear(4, 16), new GELU(), new Linear(16, 3));
        return Trainer.builder(b, model).input("x", DType.F32, "B", 4).target("y", DType.I32, "B")
                .loss(Losses::crossEntropy).optimizer(opt.get()).clipGradNorm(1).seed(3).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adamw", "rmsprop"})
    void cpuAndTheDeviceReachTheSameParameters(String optimizer) {
        Supplier<Optimizer> opt = switch (optimizer) {
            case "sgd" -> () -> new SGD(0.1, 0.9);
            case "adamw" -> () -> new AdamW(0.01);
            default -> () -> new RMSprop(0.005);
        };
        Map<String, HostTensor> batch = batch();
        try (Backend cpu = Backends.create("cpu"); Backend gpu = device();
             Trainer a = trainer(cpu, opt); Trainer b = trainer(gpu, opt)) {
            for (int s = 0; s < 20; s++) {
                double la = a.step(batch), lb = b.step(batch);
                assertEquals(la, lb, 1e-4 * Math.max(1, la), optimizer + ": loss at step " + (s + 1));
            }
            for (String name : a.parameters().names()) {
                double[] x = a.parameters().get(name).toDoubles(), y = b.parameters().get(name).toDoubles();
                for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-4 * Math.max(1, Math.abs(x[i])), optimizer + ": " + name + "[" + i + "]");
            }
        }
    }

    /** Mixed precision on the device follows the CPU's within the half type's precision (rounding boundaries may differ). */
    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void mixedPrecisionFollowsTheCpu(String type) {
        DType half = DType.valueOf(type);
        Map<String, HostTensor> batch = batch();
        Layer ma = new Sequential(new Linear(4, 16), new GELU(), new Linear(16, 3)), mb = new Sequential(new Linear(4, 16), new GELU(), new Linear(16, 3));
        try (Backend cpu = Backends.create("cpu"); Backend gpu = device();
             Trainer a = Trainer.builder(cpu, ma).input("x", DType.F32, "B", 4).target("y", DType.I32, "B").loss(Losses::crossEntropy)
                     .optimizer(new SGD(0.1, 0.9)).mixedPrecision(half).seed(3).build();
             Trainer b = Trainer.builder(gpu, mb).input("x", DType.F32, "B", 4).target("y", DType.I32, "B").loss(Losses::crossEntropy)
                     .optimizer(new SGD(0.1, 0.9)).mixedPrecision(half).seed(3).build()) {
            double tol = half == DType.F16 ? 5e-3 : 3e-2;
            for (int s = 0; s < 10; s++) {
                double la = a.step(batch), lb = b.step(batch);
                assertEquals(la, lb, tol * Math.max(1, la), type + ": loss at step " + (s + 1));
                assertEquals(a.lastStepSkipped(), b.lastStepSkipped(), type + ": skipped at step " + (s + 1));
            }
        }
    }
}
