package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.functional.interpolate} on {@code [N, C, *spatial]} inputs with one, two or
 * three spatial axes, axis by axis (every mode here is separable). Each output position
 * {@code dst} of an axis of input size {@code n} and output size {@code m} reads source taps
 * through a constant index table and weights ({@link Tensor#gather} along the axis, so its
 * gradient is the scatter-add of the weighted output gradient, as PyTorch's):
 * <ul>
 * <li>{@code nearest}: {@code src = min(floor(dst * s), n - 1)} with {@code s = 1/scale_factor}
 *     when a scale factor is given, else {@code n/m} (PyTorch's rule, in float arithmetic);
 *     {@code nearest-exact}: {@code min(floor((dst + 0.5) s), n - 1)}.</li>
 * <li>{@code linear}, {@code bilinear}, {@code trilinear}: {@code src = dst s'} with
 *     {@code align_corners} ({@code s' = (n-1)/(m-1)}), else {@code max(0, (dst + 0.5) s - 0.5)};
 *     taps {@code i0 = floor(src)}, {@code i1 = min(i0 + 1, n - 1)}, weights {@code 1 - t, t},
 *     {@code t = src - i0}.</li>
 * <li>{@code bicubic}: the same source coordinate without the clamp at 0; four taps
 *     {@code floor(src) - 1 .. + 2} clamped to {@code [0, n-1]}, Keys' cubic convolution weights
 *     with {@code A = -0.75}.</li>
 * </ul>
 * Output size: {@code size}, or {@code floor(n * scale_factor)}. {@code align_corners} is only
 * allowed for the linear and cubic modes, as PyTorch. Differences: {@code antialias} and
 * {@code area} mode are not supported.
 */
public final class Interpolate {
    private Interpolate() {}

    /** {@code interpolate(x, size=size, mode=mode, align_corners=alignCorners)}; {@code alignCorners} null means PyTorch's default (false). */
    public static Tensor interpolate(Tensor x, int[] size, String mode, Boolean alignCorners) {
        return interpolate(x, size, null, mode, alignCorners, false);
    }

    /** {@code interpolate(x, scale_factor=scaleFactor, mode=mode, align_corners=alignCorners)}; one factor for all axes or one per axis. */
    public static Tensor interpolate(Tensor x, double[] scaleFactor, String mode, Boolean alignCorners) {
        return interpolate(x, null, scaleFactor, mode, alignCorners, false);
    }

    /**
     * Every option: exactly one of {@code size} and {@code scaleFactor} (one value for all spatial
     * axes or one per axis); {@code recomputeScaleFactor} uses {@code n/m} instead of the given
     * factor in the coordinate rule, as PyTorch.
     */
    public static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, String mode, Boolean alignCorners, boolean recomputeScaleFactor) {
        String who = "interpolate(" + mode + ")";
        int spatial = x.rank() - 2;
        if (spatial < 1 || spatial > 3) throw new IllegalArgumentException(who + ": expected an input [N, C, *] with 1 to 3 spatial axes, got " + x.shape() + " at node " + x.id());
        int wantSpatial = switch (mode) {
            case "nearest", "nearest-exact" -> spatial;
            case "linear" -> 1;
            case "bilinear", "bicubic" -> 2;
            case "trilinear" -> 3;
            default -> throw new IllegalArgumentException(who + ": unknown mode '" + mode + "'; expected nearest, nearest-exact, linear, bilinear, bicubic or trilinear");
        };
        if (wantSpatial != spatial) throw new IllegalArgumentException(who + ": mode '" + mode + "' needs " + wantSpatial + " spatial axes, got " + x.shape() + " at node " + x.id());
        boolean nearest = mode.startsWith("nearest");
        if (nearest && alignCorners != null) {
            throw new IllegalArgumentException(who + ": align_corners only applies to the linear and cubic modes");
        }
        boolean align = alignCorners != null && alignCorners;
        if ((size == null) == (scaleFactor == null)) throw new IllegalArgumentException(who + ": give exactly one of size and scale_factor");
        int[] sizes = size != null ? size : new int[0];
        double[] scales = scaleFactor != null ? scaleFactor : new double[0];
        int given = size != null ? sizes.length : scales.length;
        if (given != 1 && given != spatial) {
            throw new IllegalArgumentException(who + ": expected 1 or " + spatial + " output sizes or scale factors, got " + given + " for " + x.shape());
        }
        Tensor y = x;
        for (int i = 0; i < spatial; i++) {
            int axis = 2 + i;
            if (x.shape().isSymbolic(axis)) throw new IllegalArgumentException(who + ": spatial axis " + axis + " of " + x.shape() + " must be concrete at node " + x.id());
            int n = x.shape().dim(axis);
            int m;
            double scale = 0;   // the user's factor, when it enters the coordinate rule
            if (size != null) {
                m = sizes[given == 1 ? 0 : i];
            } else {
                double f = scales[given == 1 ? 0 : i];
                if (!(f > 0)) throw new IllegalArgumentException(who + ": scale_factor must be positive, got " + f);
                m = (int) Math.floor(n * f);
                if (!recomputeScaleFactor) scale = f;
            }
            if (m < 1) throw new IllegalArgumentException(who + ": output size " + m + " of axis " + axis + " must be >= 1 for " + x.shape());
            y = alongAxis(y, axis, taps(mode, n, m, scale, align));
        }
        return y;
    }

    /** Source indices {@code [m, taps]} and weights of one axis (weights null for nearest). */
    private record Taps(int[] index, double[] weight, int m, int count) {}

    private static Taps taps(String mode, int n, int m, double scale, boolean align) {
        switch (mode) {
            case "nearest", "nearest-exact" -> {
                // PyTorch computes this rule in float
                float s = scale > 0 ? (float) (1.0 / scale) : (float) n / m;
                int[] idx = new int[m];
                for (int d = 0; d < m; d++) {
                    float src = mode.equals("nearest") ? d * s : (d + 0.5f) * s;
                    idx[d] = Math.min((int) Math.floor(src), n - 1);
                }
                return new Taps(idx, null, m, 1);
            }
            case "bicubic" -> {
                double s = sourceScale(n, m, scale, align);
                int[] idx = new int[m * 4];
                double[] w = new double[m * 4];
                final double a = -0.75;
                for (int d = 0; d < m; d++) {
                    double src = align ? d * s : s * (d + 0.5) - 0.5;
                    int i0 = (int) Math.floor(src);
                    double t = src - i0;
                    double[] c = {cubic2(t + 1, a), cubic1(t, a), cubic1(1 - t, a), cubic2(2 - t, a)};
                    for (int k = 0; k < 4; k++) {
                        idx[d * 4 + k] = Math.min(Math.max(i0 - 1 + k, 0), n - 1);
                        w[d * 4 + k] = c[k];
                    }
                }
                return new Taps(idx, w, m, 4);
            }
            default -> {   // linear, bilinear, trilinear
                double s = sourceScale(n, m, scale, align);
                int[] idx = new int[m * 2];
                double[] w = new double[m * 2];
                for (int d = 0; d < m; d++) {
                    double src = align ? d * s : Math.max(0, s * (d + 0.5) - 0.5);
                    int i0 = (int) src;
                    int i1 = i0 < n - 1 ? i0 + 1 : i0;
                    double t = src - i0;
                    idx[d * 2] = i0;
                    idx[d * 2 + 1] = i1;
                    w[d * 2] = 1 - t;
                    w[d * 2 + 1] = t;
                }
                return new Taps(idx, w, m, 2);
            }
        }
    }

    /** PyTorch's {@code area_pixel_compute_scale}. */
    private static double sourceScale(int n, int m, double scale, boolean align) {
        if (align) return m > 1 ? (double) (n - 1) / (m - 1) : 0;
        return scale > 0 ? 1.0 / scale : (double) n / m;
    }

    /** Keys' cubic for {@code |x| <= 1}: {@code ((A + 2) x - (A + 3)) x^2 + 1}. */
    private static double cubic1(double x, double a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    /** Keys' cubic for {@code 1 < |x| < 2}: {@code ((A x - 5 A) x + 8 A) x - 4 A}. */
    private static double cubic2(double x, double a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    /** {@code y[.., dst, ..] = sum_k weight[dst, k] x[.., index[dst, k], ..]} along {@code axis}. */
    private static Tensor alongAxis(Tensor x, int axis, Taps taps) {
        int r = x.rank();
        int[] toFront = new int[r];
        toFront[0] = axis;
        for (int i = 0, j = 1; i < r; i++) if (i != axis) toFront[j++] = i;
        int[] back = new int[r];
        for (int i = 0; i < r; i++) back[toFront[i]] = i;
        Tensor table = x.permute(toFront);                                   // [n, rest...]
        float[] idx = new float[taps.index().length];
        for (int i = 0; i < idx.length; i++) idx[i] = taps.index()[i];
        Tensor y;
        if (taps.weight() == null) {
            Tensor index = x.builder().constant(HostTensor.of(idx, taps.m())).cast(DType.I32);
            y = table.gather(index);                                          // [m, rest...]
        } else {
            Tensor index = x.builder().constant(HostTensor.of(idx, taps.m(), taps.count())).cast(DType.I32);
            Object[] wShape = new Object[r + 1];
            wShape[0] = taps.m();
            wShape[1] = taps.count();
            for (int i = 2; i <= r; i++) wShape[i] = 1;
            Tensor weight = x.builder().constant(HostTensor.fromDoubles(DType.F32, Shape.symbolic(wShape), taps.weight())).cast(x.dtype());
            y = table.gather(index).mul(weight).sum(1);                       // [m, rest...]
        }
        return y.permute(back);
    }
}
