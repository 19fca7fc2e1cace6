package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

import java.util.SplittableRandom;

/** Mirrors an image left-right (reverses the last axis) with probability {@code p}, as torchvision's {@code RandomHorizontalFlip}. */
public final class RandomHorizontalFlip implements Transform {
    private final double p;
    private final SplittableRandom random;

    /** Flips with probability {@code p}, drawn from {@code seed}. */
    public RandomHorizontalFlip(double p, long seed) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("probability " + p + " outside [0, 1]");
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public HostTensor apply(HostTensor x) {
        boolean flip;
        synchronized (this) {
            flip = random.nextDouble() < p;
        }
        int[] d = x.shape().dims();
        if (d.length == 0) throw new IllegalArgumentException("cannot flip a scalar");
        int w = d[d.length - 1];
        if (!flip) return Elementwise.map(x, x::get);
        return Elementwise.map(x, i -> {
            int col = i % w;
            return x.get(i - col + (w - 1 - col));
        });
    }
}
