package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/** Class indices to one-hot F32 vectors: shape {@code s} becomes {@code s + [numClasses]}. */
public final class OneHot implements Transform {
    private final int numClasses;

    /** One-hot over {@code numClasses} classes. */
    public OneHot(int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("need at least one class");
        this.numClasses = numClasses;
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int n = x.size();
        float[] out = new float[n * numClasses];
        for (int i = 0; i < n; i++) {
            double v = x.get(i);
            if (v != Math.rint(v) || v < 0 || v >= numClasses) {
                throw new IllegalArgumentException("label " + v + " at " + i + " is not a class index in [0, " + numClasses + ")");
            }
            out[i * numClasses + (int) v] = 1;
        }
        int[] dims = java.util.Arrays.copyOf(x.shape().dims(), x.shape().rank() + 1);
        dims[dims.length - 1] = numClasses;
        return HostTensor.of(out, dims);
    }
}
