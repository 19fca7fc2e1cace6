package dev.jasg.nn.io;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.data.Collate;
import dev.jasg.nn.data.DataLoader;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.data.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * 10 steps, checkpoint, restore into a fresh backend and store, 10 more steps equals 20
 * straight steps bit for bit: weights, momentum buffers, step counter, the scheduler's lr and
 * the shuffled batch order all come back. Uses the raw graph API (forward, Autograd.gradients,
 * an update graph of assignments) on the CPU backend.
 */
class ResumeTrainingTest {
    @TempDir
    Path tmp;

    static final int N = 44, BATCH = 8; // 6 batches per epoch (last one short), so step 10 lies mid-epoch

    static InMemoryDataset data() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[N * 3], y = new float[N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < 3; j++) x[i * 3 + j] = (float) (r.nextDouble() * 2 - 1);
            y[i] = 0.5f * x[i * 3] - 2 * x[i * 3 + 1] + x[i * 3 + 2] + 0.3f;
        }
        return new InMemoryDataset(HostTensor.of(x, N, 3), HostTensor.of(y, N, 1));
    }

    /** SGD with momentum, v := mu v + g, p := p - lr v, and an I32 step counter, all in the parameter store. */
    static List<Graph> graphs() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3);
        Tensor y = g.input("y", DType.F32, "B", 1);
        Tensor w = g.parameter("fc.weight", Init.uniform(-0.5, 0.5), 3, 1);
        Tensor b = g.parameter("fc.bias", Init.zeros(), 1);
        Tensor loss = x.matmul(w).add(b).sub(y).square().mean();
        g.output("loss", loss);
        Graph forward = g.build();
        Graph gradients = Autograd.gradients(forward, loss, List.of(w, b));
        GraphBuilder u = new GraphBuilder(gradients);
        Tensor lr = u.input("lr", DType.F32);
        for (Tensor p : List.of(w, b)) {
            String name = ((Op.Parameter) p.node().op()).name();
            Tensor grad = u.tensor(gradients.outputs().get("grad:" + name));
            Tensor v = u.parameter("optim.momentum." + name, p.shape(), DType.F32, Init.zeros(), false);
            Tensor vNew = v.mul(0.9).add(grad);
            u.assign(v, vNew);
            u.assign(u.tensor(p.id()), u.tensor(p.id()).sub(lr.mul(vNew)));
        }
        Tensor step = u.parameter("optim.step", Shape.scalar(), DType.I32, Init.zeros(), false);
        u.assign(step, step.add(1));
        return List.of(forward, gradients, u.build());
    }

    /** Step decay on the host: lr = 0.1 * 0.5^(step / 4). */
    static final class StepDecay {
        int step;

        double lr() {
            return 0.1 * Math.pow(0.5, step / 4);
        }

        Map<String, Object> state() {
            return Map.of("step", step);
        }

        void load(Map<String, Object> s) {
            step = ((Number) s.get("step")).intValue();
        }
    }

    /** A run: loader, scheduler, executable; {@link #steps} advances it. */
    static final class Run implements AutoCloseable {
        final Backend backend = Backends.create("cpu");
        final Parameters params;
        final Executable exe;
        final DataLoader<Sample, Map<String, HostTensor>> loader = DataLoader.builder(data(), Collate.stack("x", "y"))
                .batchSize(BATCH).shuffle(1234).prefetch(2).build();
        final StepDecay sched = new StepDecay();
        Iterator<Map<String, HostTensor>> epoch;
        int batchInEpoch;
        final List<Double> losses = new ArrayList<>();

        Run(long seed) {
            params = backend.newParameters(seed);
            exe = backend.compile(params, graphs());
        }

        void steps(int n) {
            for (int i = 0; i < n; i++) {
                if (epoch == null || !epoch.hasNext()) {
                    epoch = loader.iterator();
                    batchInEpoch = 0;
                }
                Map<String, HostTensor> feeds = new java.util.HashMap<>(epoch.next());
                batchInEpoch++;
                feeds.put("lr", HostTensor.scalar((float) sched.lr()));
                losses.add(exe.run(feeds).scalar("loss"));
                sched.step++;
            }
        }

        CheckpointState state() {
            // The loader's epoch counter already points past the running epoch.
            return CheckpointState.at(loader.epoch() - 1, sched.step)
                    .withScheduler(sched.state())
                    .withRng(Map.of("loader", loader.state(), "batch_in_epoch", batchInEpoch))
                    .withMetrics(Map.of("loss", losses.get(losses.size() - 1)));
        }

        @SuppressWarnings("unchecked")
        void restore(CheckpointState s) {
            sched.load(s.scheduler());
            Map<String, Object> loaderState = new java.util.HashMap<>((Map<String, Object>) s.rng().get("loader"));
            loaderState.put("epoch", s.epoch());
            loader.load(loaderState);
            epoch = loader.iterator();
            batchInEpoch = ((Number) s.rng().get("batch_in_epoch")).intValue();
            for (int i = 0; i < batchInEpoch; i++) epoch.next();
        }

        Map<String, float[]> snapshot() {
            Map<String, float[]> m = new TreeMap<>();
            for (String name : params.names()) m.put(name, params.get(name).floats());
            return m;
        }

        @Override
        public void close() {
            loader.close();
            exe.close();
            backend.close();
        }
    }

    @Test
    void resumeContinuesTrainingExactly() throws IOException {
        Map<String, float[]> straight;
        List<Double> straightLosses;
        try (Run a = new Run(7)) {
            a.steps(20);
            straight = a.snapshot();
            straightLosses = a.losses;
        }

        CheckpointManager manager = new CheckpointManager(tmp.resolve("run"), 2);
        try (Run b = new Run(7)) {
            b.steps(10);
            manager.save(b.params, b.state());
        }
        Map<String, float[]> resumed;
        List<Double> resumedLosses;
        try (Run c = new Run(99)) { // a different init seed: everything must come from the checkpoint
            assertNotEquals(straight.get("fc.weight")[0], c.params.get("fc.weight").floats()[0]);
            CheckpointState s = manager.restoreLatest(c.params).orElseThrow();
            assertEquals(10, s.step());
            c.restore(s);
            c.steps(10);
            resumed = c.snapshot();
            resumedLosses = c.losses;
        }
        assertEquals(straight.keySet(), resumed.keySet());
        assertEquals(List.of("fc.bias", "fc.weight", "optim.momentum.fc.bias", "optim.momentum.fc.weight", "optim.step"), List.copyOf(straight.keySet()));
        for (String name : straight.keySet()) assertArrayEquals(straight.get(name), resumed.get(name), name);
        assertEquals(20f, resumed.get("optim.step")[0]);
        assertEquals(straightLosses.subList(10, 20), resumedLosses);
    }
}
