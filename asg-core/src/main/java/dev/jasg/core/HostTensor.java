package dev.jasg.core;

import java.util.Arrays;

/**
 * A tensor in host memory: a concrete shape, a dtype and dense row-major data. It is how
 * data crosses the API in both directions (feeds, fetched outputs, parameter values).
 *
 * <p>Storage is a {@code float[]} for every dtype but {@link DType#F64}, which keeps a
 * {@code double[]}. Integer and boolean values are stored exactly as floats, which limits
 * integer tensors to magnitudes below 2^24 (16,777,216); larger values are rejected when
 * the tensor is made. {@link DType#F16} and {@link DType#BF16} tensors hold floats rounded to
 * the type ({@link HalfFloats}); {@link #toHalfBits} and {@link #fromHalfBits} convert to and
 * from the 16-bit patterns. A HostTensor does not copy the array it is given (except to round
 * a half tensor's values) or hands out with {@link #floats()}; treat both as owned by the tensor.
 *
 * <p>Not thread-safe for writes into its arrays; a tensor nobody writes to may be read from any thread.
 */
public final class HostTensor {
    /** Largest integer magnitude an I32/I64 host tensor can hold exactly. */
    public static final int MAX_EXACT_INT = 1 << 24;

    private final DType dtype;
    private final Shape shape;
    private final float[] f;
    private final double[] d;

    private HostTensor(DType dtype, Shape shape, float[] f, double[] d) {
        if (!shape.isConcrete()) throw new IllegalArgumentException("a host tensor needs a concrete shape, got " + shape);
        long n = shape.size();
        long len = f != null ? f.length : d.length;
        if (n != len) {
            throw new IllegalArgumentException("shape " + shape + " holds " + n + " elements but the data has " + len);
        }
        this.dtype = dtype;
        this.shape = shape;
        this.f = f;
        this.d = d;
    }

    /** An F32 tensor over {@code data} (not copied). */
    public static HostTensor of(float[] data, int... dims) {
        return new HostTensor(DType.F32, Shape.of(dims), data, null);
    }

    /**
     * A tensor of the given float dtype or mask/index dtype holding {@code data} (not copied, except
     * for F16 and BF16, whose values are rounded to the type into a new array).
     */
    public static HostTensor of(DType dtype, Shape shape, float[] data) {
        if (dtype == DType.F64) {
            double[] dd = new double[data.length];
            for (int i = 0; i < dd.length; i++) dd[i] = data[i];
            return new HostTensor(dtype, shape, null, dd);
        }
        if (dtype.isHalf()) {
            float[] rounded = data.clone();
            HalfFloats.roundInPlace(dtype, rounded, 0, rounded.length);
            return new HostTensor(dtype, shape, rounded, null);
        }
        if (dtype != DType.F32) checkIntegral(dtype, data);
        return new HostTensor(dtype, shape, data, null);
    }

    /** An F64 tensor over {@code data} (not copied). */
    public static HostTensor ofDoubles(double[] data, int... dims) {
        return new HostTensor(DType.F64, Shape.of(dims), null, data);
    }

    /** A tensor of {@code dtype} made from doubles, rounded to the dtype. */
    public static HostTensor fromDoubles(DType dtype, Shape shape, double[] data) {
        if (dtype == DType.F64) return new HostTensor(dtype, shape, null, data.clone());
        float[] ff = new float[data.length];
        // F32 rounds by the cast alone: a loop without the per-element switch, which a fresh JVM runs
        // interpreted over every parameter of a model before the JIT has compiled it
        if (dtype == DType.F32) for (int i = 0; i < ff.length; i++) ff[i] = (float) data[i];
        else for (int i = 0; i < ff.length; i++) ff[i] = (float) dtype.round(data[i]);
        return of(dtype, shape, ff);
    }

    /**
     * A half tensor ({@link DType#F16} or {@link DType#BF16}) from its 16-bit patterns, as stored by
     * {@code torch.float16} / {@code torch.bfloat16} (and SafeTensors' {@code F16}/{@code BF16}).
     */
    public static HostTensor fromHalfBits(DType dtype, short[] bits, int... dims) {
        return new HostTensor(dtype, Shape.of(dims), HalfFloats.fromBits(dtype, bits), null);
    }

    /**
     * This tensor's values as 16-bit patterns of {@code dtype} ({@link DType#F16} or {@link DType#BF16}),
     * rounded to nearest even when they are not already of that type.
     */
    public short[] toHalfBits(DType dtype) {
        return HalfFloats.toBits(dtype, floats());
    }

    /** This tensor's values converted to {@code to} (rounded as {@link DType#round} says); a new tensor. */
    public HostTensor to(DType to) {
        return fromDoubles(to, shape, toDoubles());
    }

    /** An I32 tensor of indices (class labels, token ids). */
    public static HostTensor ofInts(int[] data, int... dims) {
        float[] ff = new float[data.length];
        for (int i = 0; i < ff.length; i++) ff[i] = data[i];
        return of(DType.I32, Shape.of(dims), ff);
    }

    /** An F32 scalar. */
    public static HostTensor scalar(float v) {
        return new HostTensor(DType.F32, Shape.scalar(), new float[] {v}, null);
    }

    /** A tensor of zeros. */
    public static HostTensor zeros(DType dtype, Shape shape) {
        int n = shape.sizeInt();
        return dtype == DType.F64 ? new HostTensor(dtype, shape, null, new double[n]) : new HostTensor(dtype, shape, new float[n], null);
    }

    private static void checkIntegral(DType dtype, float[] data) {
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            if (v != Math.rint(v) || Math.abs(v) > MAX_EXACT_INT) {
                throw new IllegalArgumentException(dtype.label() + " host tensor element " + i + " = " + v
                        + " is not an integer below 2^24 in magnitude");
            }
            if (dtype == DType.BOOL && v != 0 && v != 1) {
                throw new IllegalArgumentException("bool host tensor element " + i + " = " + v + " is not 0 or 1");
            }
        }
    }

    /** Element type. */
    public DType dtype() {
        return dtype;
    }

    /** Concrete shape. */
    public Shape shape() {
        return shape;
    }

    /** Number of elements. */
    public int size() {
        return f != null ? f.length : d.length;
    }

    /** The backing float array (every dtype but F64); converted copy for F64. */
    public float[] floats() {
        if (f != null) return f;
        float[] out = new float[d.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) d[i];
        return out;
    }

    /** The elements as a new double array. */
    public double[] toDoubles() {
        if (d != null) return d.clone();
        double[] out = new double[f.length];
        for (int i = 0; i < out.length; i++) out[i] = f[i];
        return out;
    }

    /** Element at flat (row-major) index {@code i}. */
    public double get(int i) {
        return f != null ? f[i] : d[i];
    }

    /** Element at a multi-index. */
    public double at(int... index) {
        int[] dims = shape.dims();
        if (index.length != dims.length) throw new IllegalArgumentException("index of rank " + index.length + " for shape " + shape);
        int flat = 0;
        for (int i = 0; i < dims.length; i++) {
            if (index[i] < 0 || index[i] >= dims[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + shape);
            flat = flat * dims[i] + index[i];
        }
        return get(flat);
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (size() != 1) throw new IllegalStateException("item() of a tensor with shape " + shape);
        return get(0);
    }

    /** A copy with the same dtype and data under another shape of equal size. */
    public HostTensor reshape(int... dims) {
        Shape s = Shape.of(dims);
        return f != null ? new HostTensor(dtype, s, f.clone(), null) : new HostTensor(dtype, s, null, d.clone());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HostTensor(").append(dtype.label()).append(shape).append(' ');
        int n = Math.min(size(), 8);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append((float) get(i));
        }
        if (size() > n) sb.append(", ...");
        return sb.append("])").toString();
    }
}
