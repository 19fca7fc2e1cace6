package dev.jasg.gpu;

import java.util.List;

/** One command of a compiled run, with the ranges it reads and writes (for barrier placement). */
sealed interface Step {
    /** Ranges read. */
    List<View> reads();

    /** Ranges written. */
    List<View> writes();

    /** A compute dispatch of {@code pipeline} with {@code bindings} (binding 0 is the output) and push constants. */
    record Dispatch(Pipelines.Pipeline pipeline, View[] bindings, int[] push, int gx, int gy, int gz, List<View> reads, List<View> writes)
            implements Step {}

    /** A buffer-to-buffer copy of {@code src.bytes} bytes. */
    record Copy(View src, View dst) implements Step {
        public List<View> reads() {
            return List.of(src);
        }

        public List<View> writes() {
            return List.of(dst);
        }
    }

    /**
     * A node computed on the host, between two submissions: the plan downloads {@code in}, computes
     * {@code node} ({@code kind}) with the reference kernels and uploads the result to {@code out} (ops without Vulkan
     * kernels yet: {@link dev.jasg.core.Op.Linalg}).
     */
    record Host(dev.jasg.core.Node node, dev.jasg.core.LinalgOp kind, int[][] inDims, int[] inCounts, View out, View[] in) implements Step {
        public List<View> reads() {
            return List.of(in);
        }

        public List<View> writes() {
            return List.of(out);
        }
    }

    /** Zeroes {@code dst}. */
    record Fill(View dst) implements Step {
        public List<View> reads() {
            return List.of();
        }

        public List<View> writes() {
            return List.of(dst);
        }
    }
}
