package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * Per-channel normalisation, as torchvision's {@code Normalize}: for a tensor whose first
 * axis is the channel ([C, H, W], or [C] with one value per channel),
 * {@code out[c, ...] = (x[c, ...] - mean[c]) / std[c]}.
 */
public final class Normalize implements Transform {
    private final double[] mean;
    private final double[] std;

    /** Normalisation by per-channel {@code mean} and {@code std} (equal lengths, std > 0). */
    public Normalize(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) throw new IllegalArgumentException("mean and std need the same non-zero length");
        for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("std must be positive, got " + s);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public HostTensor apply(HostTensor x) {
        if (x.shape().rank() == 0 || x.shape().dim(0) != mean.length) {
            throw new IllegalArgumentException("Normalize over " + mean.length + " channels got a tensor of shape " + x.shape() + " (channels first)");
        }
        int per = x.size() / mean.length;
        return Elementwise.map(x, i -> (x.get(i) - mean[i / per]) / std[i / per]);
    }
}
