package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * A host-side data transform, applied to one example's tensor (or a float array via
 * {@link #apply(float[], int...)}) before it is batched. Transforms with randomness take a
 * seed and draw in call order, so a loader (prefetching or not) reproduces them.
 */
@FunctionalInterface
public interface Transform {
    /** The transformed tensor (a new tensor; the input is not modified). */
    HostTensor apply(HostTensor x);

    /** Applies this transform to an F32 array of shape {@code dims} and returns the resulting data. */
    default float[] apply(float[] data, int... dims) {
        return apply(HostTensor.of(data.clone(), dims)).floats();
    }

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        return x -> next.apply(apply(x));
    }
}
