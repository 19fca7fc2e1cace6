package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.MaxPool2d;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.Trainer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The {@code cnn} workload: input {@code [128,1,28,28]}; conv 1-32 3x3 pad 1, ReLU, maxpool 2;
 * conv 32-64 3x3 pad 1, ReLU, maxpool 2; flatten (3136); Linear 3136-128, ReLU; Linear 128-10;
 * cross entropy; Adam 1e-3; training samples/s.
 */
final class Cnn {
    private Cnn() {}

    static boolean available() {
        return true;
    }

    static String whyMissing() {
        return "";
    }

    static Workloads.Workload create(Backend backend) {
        return Workloads.training(training(backend));
    }

    static Workloads.Training training(Backend backend) {
        int batch = 128;
        ConvOptions pad1 = ConvOptions.defaults().padding(1);
        Layer model = new Sequential(
                new Conv2d(1, 32, 3, pad1), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, pad1), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(3136, 128), new ReLU(), new Linear(128, 10));
        Trainer t = Workloads.mixed(Trainer.builder(backend, model)
                .input("x", DType.F32, "B", 1, 28, 28)
                .target("y", DType.I32, "B")
                .loss(Losses::crossEntropy)
                .optimizer(new Adam(1e-3))
                .seed(7))
                .build();
        SplittableRandom r = new SplittableRandom(4);
        return new Workloads.Training(t, Map.of("x", Workloads.random(r, batch, 1, 28, 28), "y", Workloads.labels(r, batch, 10)), batch, "samples/s");
    }
}
