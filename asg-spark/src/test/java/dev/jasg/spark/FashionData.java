package dev.jasg.spark;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.data.FashionMnist;
import dev.jasg.nn.data.InMemoryDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The first images of Fashion-MNIST as {@link TrainingExample}s, and the test MLP. */
final class FashionData {
    static final int PIXELS = 784;
    private static List<TrainingExample> train;
    private static List<TrainingExample> test;

    private FashionData() {}

    static synchronized List<TrainingExample> train(int n) {
        if (train == null) train = load(true, 4096);
        return train.subList(0, n);
    }

    static synchronized List<TrainingExample> test(int n) {
        if (test == null) test = load(false, 2000);
        return test.subList(0, n);
    }

    private static List<TrainingExample> load(boolean training, int n) {
        try {
            InMemoryDataset d = training ? FashionMnist.train(null) : FashionMnist.test(null);
            float[] px = d.features().floats();
            HostTensor labels = d.labels();
            List<TrainingExample> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[] x = new float[PIXELS];
                // standardised with the training set's pixel mean and deviation, as the FashionMnist example does
                for (int j = 0; j < PIXELS; j++) x[j] = (px[i * PIXELS + j] - 0.2860f) / 0.3530f;
                out.add(TrainingExample.labelled(x, (int) labels.get(i)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The MLP the tests train: 784-64-10, ReLU. */
    static Sequential mlp() {
        return new Sequential(new Linear(PIXELS, 64), new ReLU(), new Linear(64, 10));
    }

    /** The feeds of {@code examples}, as one batch. */
    static HostTensor inputs(List<TrainingExample> examples) {
        float[] x = new float[examples.size() * PIXELS];
        for (int i = 0; i < examples.size(); i++) System.arraycopy(examples.get(i).input(), 0, x, i * PIXELS, PIXELS);
        return HostTensor.of(DType.F32, Shape.of(examples.size(), PIXELS), x);
    }

    static HostTensor labels(List<TrainingExample> examples) {
        float[] y = new float[examples.size()];
        for (int i = 0; i < examples.size(); i++) y[i] = examples.get(i).target()[0];
        return HostTensor.of(DType.I32, Shape.of(examples.size()), y);
    }
}
