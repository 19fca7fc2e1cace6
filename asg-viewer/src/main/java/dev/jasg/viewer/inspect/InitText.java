package dev.jasg.viewer.inspect;

import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.viewer.Messages;

import java.util.Locale;

/**
 * How a parameter was initialised, in words. The fan-based schemes of asg-nn reach the core as
 * plain {@link Init.Uniform} or {@link Init.Normal} bounds, so the scheme is recognised from the
 * numbers and the shape: {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} is PyTorch's default for
 * linear and convolution layers, {@code sqrt(6/(fan_in+fan_out))} is Xavier, and so on.
 */
public final class InitText {
    private InitText() {}

    /** The description of {@code init} for a parameter of {@code shape}. */
    public static String describe(Messages m, Init init, Shape shape) {
        long[] fans = fans(shape);
        if (init instanceof Init.Zeros) return m.get("init.zeros");
        if (init instanceof Init.Constant c) return c.value() == 1 ? m.get("init.ones") : m.format("init.constant", num(c.value()));
        if (init instanceof Init.Uniform u) {
            String base = m.format("init.uniform", num(u.low()), num(u.high()));
            double a = u.high();
            if (fans != null && Math.abs(u.low() + a) <= 1e-9 * Math.abs(a) && a > 0) {
                if (close(a, 1 / Math.sqrt(fans[0]))) return base + " " + m.format("init.scheme.torch_default", fans[0]);
                if (close(a, Math.sqrt(6.0 / (fans[0] + fans[1])))) return base + " " + m.format("init.scheme.xavier_uniform", fans[0], fans[1]);
                if (close(a, Math.sqrt(6.0 / fans[0]))) return base + " " + m.format("init.scheme.kaiming_uniform", fans[0]);
            }
            return base;
        }
        if (init instanceof Init.Normal n) {
            String base = m.format("init.normal", num(n.mean()), num(n.std()));
            if (n.mean() == 0) {
                if (n.std() == 1) return base + " " + m.get("init.scheme.standard_normal");
                if (close(n.std(), 0.02)) return base + " " + m.get("init.scheme.gpt2");
                if (fans != null && close(n.std(), Math.sqrt(2.0 / (fans[0] + fans[1])))) return base + " " + m.format("init.scheme.xavier_normal", fans[0], fans[1]);
                if (fans != null && close(n.std(), Math.sqrt(2.0 / fans[0]))) return base + " " + m.format("init.scheme.kaiming_normal", fans[0]);
            }
            return base;
        }
        if (init instanceof Init.Orthogonal o) return m.format("init.orthogonal", num(o.gain()));
        if (init instanceof Init.Values) return m.get("init.values");
        if (init instanceof Init.ZeroRow z) return describe(m, z.base(), shape) + " " + m.format("init.zero_row", z.row());
        return init.toString();
    }

    /** fan_in and fan_out as PyTorch computes them (rank 2 and up), or null. */
    private static long[] fans(Shape s) {
        if (!s.isConcrete() || s.rank() < 2) return null;
        long receptive = 1;
        for (int i = 2; i < s.rank(); i++) receptive *= s.dim(i);
        return new long[] {s.dim(1) * receptive, s.dim(0) * receptive};
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
    }

    /** A number with at most 4 significant digits. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
