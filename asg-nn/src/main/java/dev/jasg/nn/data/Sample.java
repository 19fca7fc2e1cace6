package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;

/**
 * One supervised example: its features and its label (a scalar class index, a one-hot
 * vector, a regression target).
 */
public record Sample(HostTensor features, HostTensor label) {
    /** This sample with other features. */
    public Sample withFeatures(HostTensor f) {
        return new Sample(f, label);
    }

    /** This sample with another label. */
    public Sample withLabel(HostTensor l) {
        return new Sample(features, l);
    }
}
