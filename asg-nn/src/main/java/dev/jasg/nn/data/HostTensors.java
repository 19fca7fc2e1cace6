package dev.jasg.nn.data;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;

import java.util.List;

/** Row slicing and stacking of host tensors along the first axis, the two moves of a data pipeline. */
public final class HostTensors {
    private HostTensors() {}

    /** Row {@code i} of {@code t} along axis 0: shape {@code t.shape()[1:]}, same dtype, copied. */
    public static HostTensor row(HostTensor t, int i) {
        int[] dims = t.shape().dims();
        if (dims.length == 0) throw new IllegalArgumentException("cannot take a row of a scalar");
        if (i < 0 || i >= dims[0]) throw new IndexOutOfBoundsException("row " + i + " of a tensor with " + dims[0] + " rows");
        int[] rest = java.util.Arrays.copyOfRange(dims, 1, dims.length);
        int len = Shape.of(rest).sizeInt();
        if (t.dtype() == DType.F64) {
            double[] out = new double[len];
            double[] all = t.toDoubles();
            System.arraycopy(all, i * len, out, 0, len);
            return HostTensor.ofDoubles(out, rest);
        }
        float[] out = new float[len];
        System.arraycopy(t.floats(), i * len, out, 0, len);
        return HostTensor.of(t.dtype(), Shape.of(rest), out);
    }

    /** Stacks equally shaped tensors of one dtype into a new first axis: {@code [n] + shape}. */
    public static HostTensor stack(List<HostTensor> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("cannot stack zero tensors");
        HostTensor first = items.get(0);
        Shape shape = first.shape();
        DType dtype = first.dtype();
        int len = first.size();
        int[] dims = new int[shape.rank() + 1];
        dims[0] = items.size();
        System.arraycopy(shape.dims(), 0, dims, 1, shape.rank());
        for (int k = 1; k < items.size(); k++) {
            HostTensor t = items.get(k);
            if (!t.shape().equals(shape) || t.dtype() != dtype) {
                throw new IllegalArgumentException("cannot stack " + t.dtype().label() + t.shape() + " (item " + k + ") with " + dtype.label() + shape + " (item 0)");
            }
        }
        if (dtype == DType.F64) {
            double[] out = new double[len * items.size()];
            for (int k = 0; k < items.size(); k++) System.arraycopy(items.get(k).toDoubles(), 0, out, k * len, len);
            return HostTensor.ofDoubles(out, dims);
        }
        float[] out = new float[len * items.size()];
        for (int k = 0; k < items.size(); k++) System.arraycopy(items.get(k).floats(), 0, out, k * len, len);
        return HostTensor.of(dtype, Shape.of(dims), out);
    }

    /** A tensor of {@code dtype} and {@code shape} over {@code data}: F32 as is, F64 widened, integer types checked. */
    static HostTensor make(DType dtype, Shape shape, float[] data) {
        return HostTensor.of(dtype, shape, data);
    }
}
