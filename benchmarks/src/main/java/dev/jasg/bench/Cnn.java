package dev.jasg.bench;

import dev.jasg.core.Backend;

/**
 * The {@code cnn} workload. It needs the convolution and pooling layers of asg-nn, which are
 * not there yet; until they are, {@link Peers} reports the workload as skipped.
 */
final class Cnn {
    private Cnn() {}

    static boolean available() {
        return false;
    }

    static String whyMissing() {
        return "asg-nn has no Conv2d/MaxPool2d layers yet";
    }

    static Workloads.Workload create(Backend backend) {
        throw new UnsupportedOperationException(whyMissing());
    }
}
