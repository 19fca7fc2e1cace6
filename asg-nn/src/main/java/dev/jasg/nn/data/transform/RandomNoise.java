package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

import java.util.SplittableRandom;

/** Additive Gaussian noise, {@code out = x + N(0, std^2)} per element, drawn from a seeded stream. */
public final class RandomNoise implements Transform {
    private final double std;
    private final SplittableRandom random;

    /** Noise of standard deviation {@code std} drawn from {@code seed}. */
    public RandomNoise(double std, long seed) {
        if (!(std >= 0)) throw new IllegalArgumentException("std must be >= 0, got " + std);
        this.std = std;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized HostTensor apply(HostTensor x) {
        int n = x.size();
        double[] noise = new double[n];
        for (int i = 0; i < n; i += 2) {
            // Box-Muller: two independent normals from two uniforms.
            double u1 = 1 - random.nextDouble(), u2 = random.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            noise[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < n) noise[i + 1] = r * Math.sin(2 * Math.PI * u2);
        }
        return Elementwise.map(x, i -> x.get(i) + std * noise[i]);
    }
}
