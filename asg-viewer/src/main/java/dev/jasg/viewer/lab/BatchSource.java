package dev.jasg.viewer.lab;

import dev.jasg.core.HostTensor;

import java.util.Map;

/**
 * The training data of a {@link LabSession}: batches (feeds by input name) in epochs. Called on
 * the training thread only.
 */
public interface BatchSource {
    /** Batches in one epoch. */
    int batchesPerEpoch();

    /** Starts epoch {@code epoch} (1-based), e.g. reshuffles. */
    void startEpoch(int epoch);

    /** The next batch of the current epoch. */
    Map<String, HostTensor> next();
}
