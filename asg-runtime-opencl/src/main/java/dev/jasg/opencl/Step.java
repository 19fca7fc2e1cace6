package dev.jasg.opencl;

import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/** One command of a compiled run, enqueued in order on the device's queue. Immutable once built. */
sealed interface Step {
    /** What the step computes, for errors: the node it belongs to. */
    String what();

    /** A kernel launch; the kernel object is this step's own, with its arguments set once when the plan was made. */
    record Launch(cl_kernel kernel, long[] global, long[] local, String what) implements Step {}

    /** A buffer-to-buffer copy of {@code bytes}. */
    record Copy(View src, View dst, long bytes, String what) implements Step {}

    /** Zeroes {@code dst}. */
    record Fill(View dst, String what) implements Step {}

    /**
     * A node computed on the host (the linalg ops, which have no OpenCL kernels yet): its inputs read back after
     * everything enqueued before (the queue is in order), the reference interpreter's f64 kernel, the result written
     * before anything enqueued after.
     */
    record Host(dev.jasg.core.Node node, dev.jasg.core.LinalgOp kind, View[] in, int[][] inDims, int[] inCounts, View out, String what)
            implements Step {}
}
