package dev.jasg.nn.loss;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;

import java.util.Arrays;

/**
 * Class-index targets against scores laid out as PyTorch's {@code [N, C, d1, ...]} (or
 * {@code [C]} unbatched): the class axis, one-hot masks and per-class weights broadcast along it.
 */
final class ClassIndices {
    private ClassIndices() {}

    /** The class axis of {@code input}: 0 for an unbatched {@code [C]}, otherwise 1. */
    static int classAxis(String loss, Tensor input) {
        if (input.rank() == 0) throw new ShapeException(loss + ": input must have a class axis, got a scalar " + input.shape() + " (node " + input.id() + ")");
        int axis = input.rank() == 1 ? 0 : 1;
        if (input.shape().isSymbolic(axis)) {
            throw new ShapeException(loss + ": the class axis " + axis + " of the input " + input.shape() + " must be concrete (node " + input.id() + ")");
        }
        return axis;
    }

    /**
     * Checks that {@code target} holds integer class indices of the input's shape without the class axis,
     * and declares their range {@code [0, C)} (or {@code ignored}, when not null) on the graph, so that a
     * fed label outside it is a {@link dev.jasg.core.FeedException} when the batch is fed, as PyTorch raises.
     */
    static void requireIndices(String loss, Tensor input, Tensor target, int classAxis, Long ignored) {
        if (!target.dtype().isInteger()) {
            throw new ShapeException(loss + ": class-index target must be i32 or i64, got " + target.dtype().label() + target.shape() + " (node " + target.id() + ")");
        }
        Shape expected = input.shape().remove(classAxis);
        if (!target.shape().equals(expected)) {
            throw new ShapeException(loss + ": input " + input.shape() + " needs class indices of shape " + expected + ", got target "
                    + target.shape() + " (node " + target.id() + ")");
        }
        int classes = input.shape().dim(classAxis);
        target.builder().requireRange(target, 0, classes, ignored, loss + " over " + classes + " classes"
                + (ignored == null ? "" : ", ignore_index " + ignored));
    }

    /**
     * {@code onehot[n, c, d...] = (target[n, d...] == c)} in the input's dtype: the indices,
     * unsqueezed at the class axis, compared with a constant {@code arange(C)} laid along it.
     * An index outside {@code [0, C)} (such as an ignored one) gives a row of zeros.
     */
    static Tensor oneHot(Tensor input, Tensor target, int classAxis) {
        int classes = input.shape().dim(classAxis);
        int trailing = input.rank() - 1 - classAxis;
        int[] dims = new int[1 + trailing];
        dims[0] = classes;
        Arrays.fill(dims, 1, dims.length, 1);
        double[] arange = new double[classes];
        for (int c = 0; c < classes; c++) arange[c] = c;
        Tensor classIds = target.builder().constant(HostTensor.fromDoubles(target.dtype(), Shape.of(dims), arange));
        return target.unsqueeze(classAxis).eq(classIds).cast(input.dtype());
    }

    /** A per-class weight {@code [C]} reshaped to {@code [C, 1, ...]} so that it broadcasts along the class axis. */
    static Tensor classWeight(String loss, Tensor input, Tensor weight, int classAxis) {
        int classes = input.shape().dim(classAxis);
        if (!weight.shape().equals(Shape.of(classes))) {
            throw new ShapeException(loss + ": class weight must have shape [" + classes + "] for input " + input.shape() + ", got "
                    + weight.shape() + " (node " + weight.id() + ")");
        }
        if (weight.dtype() != input.dtype()) {
            throw new ShapeException(loss + ": class weight is " + weight.dtype().label() + weight.shape() + " but the input is "
                    + input.dtype().label() + input.shape() + " (node " + weight.id() + ")");
        }
        int[] dims = new int[input.rank() - classAxis];
        Arrays.fill(dims, 1);
        dims[0] = classes;
        return weight.reshape(dims);
    }
}
