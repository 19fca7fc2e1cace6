package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;

/**
 * Features and labels held as two host tensors whose first axis indexes the examples:
 * example {@code i} is {@code (features[i], labels[i])}.
 */
public final class InMemoryDataset implements Dataset<Sample> {
    private final HostTensor features;
    private final HostTensor labels;

    /** A dataset over {@code features} [N, ...] and {@code labels} [N, ...]. */
    public InMemoryDataset(HostTensor features, HostTensor labels) {
        if (features.shape().rank() == 0 || labels.shape().rank() == 0) {
            throw new IllegalArgumentException("features and labels need a first axis of examples; got " + features.shape() + " and " + labels.shape());
        }
        if (features.shape().dim(0) != labels.shape().dim(0)) {
            throw new IllegalArgumentException("features hold " + features.shape().dim(0) + " examples " + features.shape()
                    + " but labels hold " + labels.shape().dim(0) + " " + labels.shape());
        }
        this.features = features;
        this.labels = labels;
    }

    /** All features, [N, ...]. */
    public HostTensor features() {
        return features;
    }

    /** All labels, [N, ...]. */
    public HostTensor labels() {
        return labels;
    }

    @Override
    public int size() {
        return features.shape().dim(0);
    }

    @Override
    public Sample get(int index) {
        return new Sample(HostTensors.row(features, index), HostTensors.row(labels, index));
    }
}
