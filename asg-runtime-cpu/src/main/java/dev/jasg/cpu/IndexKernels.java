package dev.jasg.cpu;

import dev.jasg.core.BackendException;
import dev.jasg.core.Node;

import java.util.Arrays;

/**
 * Gather and scatter-add over rows of {@code D} contiguous elements, indices flattened:
 * {@code gather: out[n, :] = table[idx[n], :]} and
 * {@code scatter_add: out = 0; out[idx[n], :] += upd[n, :]} for {@code n} ascending, so
 * repeated indices always sum in the same order (deterministic). Indices arrive as floats
 * holding exact integers; one outside {@code [0, rows)} throws a {@link BackendException}
 * naming the node, before anything is written for gather's row.
 */
final class IndexKernels {
    private IndexKernels() {}

    /** {@code out[n*d .. n*d+d) = table[k*d .. k*d+d)} with {@code k = idx[n]}. */
    static void gather(Node node, float[] table, int rows, int d, float[] idx, int count, float[] out) {
        CpuThreads.parallelFor(count, Math.max(1, ElementwiseKernels.PARALLEL_MIN / Math.max(1, d)), (from, to) -> {
            for (int n = from; n < to; n++) {
                int k = index(node, idx, n, rows);
                System.arraycopy(table, k * d, out, n * d, d);
            }
        });
    }

    /** {@code out[0 .. rows*d) = 0}, then {@code out[idx[n]*d + j] += upd[n*d + j]} for every n in order. */
    static void scatterAdd(Node node, float[] upd, int d, float[] idx, int count, int rows, float[] out) {
        // validate first, so a bad index leaves no half-accumulated output behind
        for (int n = 0; n < count; n++) index(node, idx, n, rows);
        Arrays.fill(out, 0, rows * d, 0f);
        for (int n = 0; n < count; n++) {
            int base = (int) idx[n] * d, src = n * d;
            for (int j = 0; j < d; j++) out[base + j] += upd[src + j];
        }
    }

    private static int index(Node node, float[] idx, int n, int rows) {
        float k = idx[n];
        if (!(k >= 0 && k < rows)) {
            throw new BackendException(node.op().label() + ": index " + (long) k + " at flat position " + n + " is outside [0, " + rows
                    + ") at node %" + node.id() + " '" + node.path() + "'");
        }
        return (int) k;
    }
}
