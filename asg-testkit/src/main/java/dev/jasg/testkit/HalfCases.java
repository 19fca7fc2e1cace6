package dev.jasg.testkit;

import static dev.jasg.testkit.OpCase.row;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.testkit.OpCase.Domain;
import java.util.List;

/**
 * The op table's mixed-precision rows: casts to {@link DType#F16} and {@link DType#BF16} (ties,
 * overflow), products, convolutions and attention of half operands (f32 accumulation and result), and
 * ops whose half results every backend rounds on store (elementwise chains, reductions,
 * softmax, running sums, normalisation). Backends are compared with the reference, which
 * rounds the same way, within the half types' tolerance ({@link OpCheck#dtypeTolerance}).
 * Rounding to half is piecewise constant, so central differences cannot check these
 * gradients; the backends' gradient graphs (casts sending the gradient through unchanged,
 * products' transposes in half) are still compared with the reference's.
 */
final class HalfCases {
    private HalfCases() {}

    private static final String STEPS = "rounding to half is piecewise constant, so central differences see its steps;"
            + " the gradient graphs are compared between backends instead";
    private static final Domain WIDE = new Domain.Uniform(-3, 3);

    static void add(List<OpCase> r) {
        for (DType h : new DType[] {DType.F16, DType.BF16}) {
            String t = h.label();
            r.add(row("cast f32 to " + t + " and back").arg(new Domain.Uniform(-70000, 70000), 4, 6).noGradientCheck(STEPS)
                    .expect(new int[] {4, 6}, (g, a) -> a.get(0).cast(h).cast(DType.F32)));
            r.add(row("cast small values to " + t).arg(new Domain.Uniform(-1e-6, 1e-6), 12).noGradientCheck(STEPS)
                    .expect(new int[] {12}, (g, a) -> a.get(0).cast(h).cast(DType.F32).mul(1e6)));
            r.add(row(t + " matmul accumulates in f32").typed(h, WIDE, 3, 40).typed(h, WIDE, 40, 5).noGradientCheck(STEPS)
                    .expect(new int[] {3, 5}, (g, a) -> a.get(0).matmul(a.get(1))));
            r.add(row(t + " matmul batched, from f32 operands").arg(2, 3, 8).arg(8, 4).noGradientCheck(STEPS)
                    .expect(new int[] {2, 3, 4}, (g, a) -> a.get(0).cast(h).matmul(a.get(1).cast(h))));
            r.add(row(t + " conv2d accumulates in f32").typed(h, WIDE, 2, 3, 5, 5).typed(h, WIDE, 4, 3, 3, 3).noGradientCheck(STEPS)
                    .expect(new int[] {2, 4, 5, 5}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1))));
            r.add(row(t + " conv_transpose2d").typed(h, WIDE, 1, 3, 4, 4).typed(h, WIDE, 3, 2, 3, 3).noGradientCheck(STEPS)
                    .expect(new int[] {1, 2, 7, 7}, (g, a) -> a.get(0).convTranspose2d(a.get(1), ConvGeometry.of(2, 1, 1, 1), 0, 0)));
            r.add(row(t + " attention (causal, Lq != Lk) gives f32").typed(h, WIDE, 2, 3, 4).typed(h, WIDE, 2, 5, 4).typed(h, WIDE, 2, 5, 2).noGradientCheck(STEPS)
                    .expect(new int[] {2, 3, 2}, (g, a) -> g.apply(new dev.jasg.core.Op.Attention(0.5, true), a.get(0), a.get(1), a.get(2))));
            r.add(row(t + " elementwise chain rounds every value").typed(h, WIDE, 3, 4).typed(h, WIDE, 4).noGradientCheck(STEPS)
                    .expect(new int[] {3, 4}, (g, a) -> a.get(0).mul(a.get(1)).add(a.get(0)).tanh().mul(3).exp()));
            r.add(row(t + " reductions").typed(h, WIDE, 4, 6).noGradientCheck(STEPS)
                    .expect(new int[] {4}, (g, a) -> a.get(0).sum(1).add(a.get(0).mean(1)).add(a.get(0).max(1, false))));
            r.add(row(t + " softmax, log_softmax and cumsum round in place").typed(h, WIDE, 3, 7).noGradientCheck(STEPS)
                    .expect(new int[] {3, 7}, (g, a) -> a.get(0).softmax(1).add(a.get(0).logSoftmax(1)).add(a.get(0).cumsum(1))));
            r.add(row(t + " normalize").typed(h, WIDE, 3, 8).noGradientCheck(STEPS)
                    .expect(new int[] {3, 8}, (g, a) -> a.get(0).normalize(new int[] {1}, 1e-5)));
            r.add(row(t + " half storage, f32 master: x (f32) @ w.cast").arg(3, 6).arg(6, 2).noGradientCheck(STEPS)
                    .expect(new int[] {3, 2}, (g, a) -> a.get(0).cast(h).matmul(a.get(1).cast(h)).add(a.get(0).sum(1, true))));
        }
        // f16 overflows where bf16 does not
        r.add(row("f16 overflows to inf, bf16 keeps 1e5").arg(new Domain.Uniform(0.5, 2), 5).noGradientCheck(STEPS)
                .expect(new int[] {5}, (g, a) -> a.get(0).mul(1e5).cast(DType.F16).cast(DType.F32).add(a.get(0).mul(1e5).cast(DType.BF16).cast(DType.F32))));
    }
}
