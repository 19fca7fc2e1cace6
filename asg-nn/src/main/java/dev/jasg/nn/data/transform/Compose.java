package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

import java.util.List;

/** Transforms applied one after another, first to last. */
public final class Compose implements Transform {
    private final List<Transform> steps;

    /** The composition of {@code steps}. */
    public Compose(Transform... steps) {
        this.steps = List.of(steps);
    }

    /** The composition of {@code steps}. */
    public Compose(List<Transform> steps) {
        this.steps = List.copyOf(steps);
    }

    @Override
    public HostTensor apply(HostTensor x) {
        for (Transform t : steps) x = t.apply(x);
        return x;
    }
}
