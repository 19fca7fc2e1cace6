package dev.jasg.testkit;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Linalg;
import dev.jasg.core.Op;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Pooling;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.testkit.OpCase.Domain;

import java.util.ArrayList;
import java.util.List;

import static dev.jasg.testkit.OpCase.row;

/**
 * The op table. Each row builds one op (or a composite) from fed arguments with safe
 * domains; {@link OpCheck} turns every row into a shape test, a gradient check and a
 * backend-versus-reference check. A completeness test fails when an op of the sealed
 * {@link Op} hierarchy (or a kind of a unary/binary/compare/reduce enum) appears in no row.
 */
public final class OpCases {
    private OpCases() {}

    private static final Domain SIGNED = new Domain.Signed(0.1, 2);
    private static final Domain POSITIVE = new Domain.Uniform(0.1, 3);
    private static final Domain WIDE = new Domain.Uniform(-3, 3);

    private static int[] s(int... d) {
        return d;
    }

    /** Every row of the table. */
    public static List<OpCase> all() {
        List<OpCase> r = new ArrayList<>();
        unary(r);
        elementwiseMore(r);
        binary(r);
        selection(r);
        reductions(r);
        scansSortingAndIndexing(r);
        linearAlgebra(r);
        shapes(r);
        shapeComposites(r);
        normalisation(r);
        layerPrimitives(r);
        convolutions(r);
        attention(r);
        pooling(r);
        activationsMore(r);
        leaves(r);
        HalfCases.add(r);
        return r;
    }

    private static void unary(List<OpCase> r) {
        r.add(row("neg").arg(3, 4).expect(s(3, 4), (g, a) -> a.get(0).neg()));
        r.add(row("abs").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).abs()));
        r.add(row("sign").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).sign().mul(a.get(0))));
        r.add(row("exp").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).exp()));
        r.add(row("expm1").arg(3, 4).expect(s(3, 4), (g, a) -> a.get(0).expm1()));
        r.add(row("log").arg(POSITIVE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).log()));
        r.add(row("log1p").arg(new Domain.Uniform(-0.5, 2), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).log1p()));
        r.add(row("sqrt").arg(POSITIVE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).sqrt()));
        r.add(row("rsqrt").arg(POSITIVE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).rsqrt()));
        r.add(row("sin").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).sin()));
        r.add(row("cos").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).cos()));
        r.add(row("erf").arg(new Domain.Uniform(-2, 2), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).erf()));
        r.add(row("relu").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).relu()));
        r.add(row("sigmoid").arg(new Domain.Uniform(-4, 4), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).sigmoid()));
        r.add(row("tanh").arg(new Domain.Uniform(-2, 2), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).tanh()));
        r.add(row("gelu exact").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).gelu()));
        r.add(row("gelu tanh").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).gelu("tanh")));
        r.add(row("gelu derivative").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).geluDerivative()));
        r.add(row("gelu tanh derivative").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).geluDerivative("tanh")));
        r.add(row("silu").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).silu()));
        r.add(row("softplus").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).softplus()));
        r.add(row("softplus beta 2 threshold 1").arg(new Domain.Choice(-1.3, -0.2, 0.3, 0.9, 1.7), 3, 4)
                .expect(s(3, 4), (g, a) -> a.get(0).softplus(2, 1)));
        r.add(row("elu alpha 1.5").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).elu(1.5)));
        r.add(row("leaky_relu 0.1").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).leakyRelu(0.1)));
        r.add(row("clamp").arg(new Domain.Choice(-0.9, -0.7, -0.3, 0.1, 0.4, 0.6, 0.8), 3, 4)
                .expect(s(3, 4), (g, a) -> a.get(0).clamp(-0.5, 0.5)));
        r.add(row("abs and neg of i32").typed(DType.I32, new Domain.Integers(-5, 5), 6)
                .expect(s(6), (g, a) -> a.get(0).abs().add(a.get(0).neg())));
    }

    /** Issue 14: the elementwise functions PyTorch users reach for (primitives floor, round, atan2, fmod; the rest composites). */
    private static void elementwiseMore(List<OpCase> r) {
        Domain unit = new Domain.Uniform(-0.9, 0.9);
        // piecewise constant functions: values away from integers (and halves, for round), where their derivative is 0
        Domain offGrid = new Domain.Choice(-2.7, -1.2, -0.4, 0.3, 0.8, 1.6, 2.2);
        r.add(row("tan").arg(new Domain.Uniform(-1.2, 1.2), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).tan()));
        r.add(row("asin").arg(unit, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).asin()));
        r.add(row("acos").arg(unit, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).acos()));
        r.add(row("atan").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).atan()));
        r.add(row("atan2 all quadrants, broadcast").arg(SIGNED, 3, 4).arg(SIGNED, 4)
                .expect(s(3, 4), (g, a) -> a.get(0).atan2(a.get(1))));
        r.add(row("sinh").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).sinh()));
        r.add(row("cosh").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).cosh()));
        r.add(row("asinh").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).asinh()));
        r.add(row("acosh").arg(new Domain.Uniform(1.2, 4), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).acosh()));
        r.add(row("atanh").arg(unit, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).atanh()));
        r.add(row("floor").arg(offGrid, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).floor()));
        r.add(row("ceil").arg(offGrid, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).ceil()));
        r.add(row("round").arg(offGrid, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).round()));
        r.add(row("round half to even (gradient zero at the ties)").arg(new Domain.Choice(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5), 8)
                .noGradientCheck("round jumps at halves, so central differences there see the jump, not PyTorch's zero gradient")
                .expect(s(8), (g, a) -> a.get(0).round().mul(a.get(0))));
        r.add(row("round to 2 decimals").arg(new Domain.Choice(-1.234, 0.456, 2.718), 6).expect(s(6), (g, a) -> a.get(0).round(2)));
        r.add(row("trunc").arg(offGrid, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).trunc()));
        r.add(row("frac").arg(offGrid, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).frac()));
        r.add(row("floor, ceil, round, trunc of i32 are the identity").typed(DType.I32, new Domain.Integers(-5, 5), 6)
                .expect(s(6), (g, a) -> a.get(0).floor().add(a.get(0).ceil()).add(a.get(0).round()).add(a.get(0).trunc())));
        Domain dividend = new Domain.Choice(-4.3, -2.6, -0.7, 0.9, 2.2, 3.8), divisor = new Domain.Choice(-1.5, -0.8, 0.6, 1.7);
        r.add(row("fmod, both signs").arg(dividend, 3, 4).arg(divisor, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).fmod(a.get(1))));
        r.add(row("fmod by a constant").arg(dividend, 6).expect(s(6), (g, a) -> a.get(0).fmod(-1.7)));
        r.add(row("remainder, both signs, broadcast").arg(dividend, 3, 4).arg(divisor, 4)
                .expect(s(3, 4), (g, a) -> a.get(0).remainder(a.get(1))));
        r.add(row("remainder by a constant").arg(dividend, 6).expect(s(6), (g, a) -> a.get(0).remainder(1.7)));
        r.add(row("fmod and remainder of i32").typed(DType.I32, new Domain.Integers(-9, 9), 8).typed(DType.I32, new Domain.Choice(-4, -3, 2, 3), 8)
                .expect(s(8), (g, a) -> a.get(0).fmod(a.get(1)).mul(a.get(0).scalarLike(100)).add(a.get(0).remainder(a.get(1)))));
        r.add(row("log2").arg(POSITIVE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).log2()));
        r.add(row("log10").arg(POSITIVE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).log10()));
        r.add(row("exp2").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).exp2()));
        r.add(row("hypot broadcast").arg(SIGNED, 3, 4).arg(SIGNED, 4).expect(s(3, 4), (g, a) -> a.get(0).hypot(a.get(1))));
        r.add(row("lerp scalar weights below and above 0.5").arg(3, 4).arg(3, 4)
                .expect(s(3, 4), (g, a) -> a.get(0).lerp(a.get(1), 0.3).add(a.get(0).lerp(a.get(1), 0.8))));
        r.add(row("lerp tensor weight, broadcast").arg(3, 4).arg(4).arg(new Domain.Uniform(-0.4, 1.4), 3, 1)
                .expect(s(3, 4), (g, a) -> a.get(0).lerp(a.get(1), a.get(2))));
        // x + c with c = [NaN, inf, -inf, 1, ...]: the masks and nan_to_num see every kind of value; no gradient flows to NaN and ±inf
        r.add(row("isnan, isinf, isfinite").arg(3, 4)
                .expect(s(3, 4), (g, a) -> withNonFinite(g, a.get(0)).isnan().where(a.get(0).scalarLike(1), a.get(0).scalarLike(0))
                        .add(withNonFinite(g, a.get(0)).isinf().where(a.get(0).scalarLike(10), a.get(0).scalarLike(0)))
                        .add(withNonFinite(g, a.get(0)).isfinite().where(a.get(0), a.get(0).scalarLike(0)))));
        r.add(row("nan_to_num").arg(3, 4).expect(s(3, 4), (g, a) -> withNonFinite(g, a.get(0)).nanToNum(0.5, 100.0, -100.0)));
    }

    /** {@code x + c}, c a [3, 4] constant holding NaN, +inf and -inf in its first row and ones elsewhere. */
    private static Tensor withNonFinite(dev.jasg.core.GraphBuilder g, Tensor x) {
        double[] c = new double[12];
        java.util.Arrays.fill(c, 1);
        c[0] = Double.NaN;
        c[1] = Double.POSITIVE_INFINITY;
        c[2] = Double.NEGATIVE_INFINITY;
        c[3] = Double.NaN;
        return x.add(g.constant(HostTensor.fromDoubles(DType.F32, Shape.of(3, 4), c)));
    }

    private static void binary(List<OpCase> r) {
        r.add(row("add broadcast [3,1]+[4]").arg(3, 1).arg(4).expect(s(3, 4), (g, a) -> a.get(0).add(a.get(1))));
        r.add(row("sub broadcast [2,3,4]-[3,1]").arg(2, 3, 4).arg(3, 1).expect(s(2, 3, 4), (g, a) -> a.get(0).sub(a.get(1))));
        r.add(row("mul scalar by tensor").arg().arg(2, 3).expect(s(2, 3), (g, a) -> a.get(0).mul(a.get(1))));
        r.add(row("div").arg(3, 4).arg(new Domain.Signed(0.5, 2), 3, 4).expect(s(3, 4), (g, a) -> a.get(0).div(a.get(1))));
        r.add(row("pow").arg(new Domain.Uniform(0.5, 2), 3, 4).arg(new Domain.Uniform(-1.5, 1.5), 3, 4)
                .expect(s(3, 4), (g, a) -> a.get(0).pow(a.get(1))));
        r.add(row("pow by constant").arg(WIDE, 5).expect(s(5), (g, a) -> a.get(0).pow(3)));
        r.add(row("maximum broadcast").arg(3, 4).arg(4).expect(s(3, 4), (g, a) -> a.get(0).maximum(a.get(1))));
        r.add(row("minimum broadcast").arg(3, 4).arg(3, 1).expect(s(3, 4), (g, a) -> a.get(0).minimum(a.get(1))));
        r.add(row("maximum ties split the gradient").arg(new Domain.Choice(-1, 0.5, 1), 6).arg(new Domain.Choice(0.5), 6)
                .expect(s(6), (g, a) -> a.get(0).maximum(a.get(1)).mul(a.get(0).add(2))));
        r.add(row("i32 arithmetic truncates").typed(DType.I32, new Domain.Integers(-9, 9), 8).typed(DType.I32, new Domain.Integers(1, 4), 8)
                .expect(s(8), (g, a) -> a.get(0).div(a.get(1)).add(a.get(0).mul(a.get(1))).sub(a.get(1))));
    }

    private static void selection(List<OpCase> r) {
        Domain small = new Domain.Choice(0, 1, 2);
        r.add(row("eq").arg(small, 3, 4).arg(small, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).eq(a.get(1))));
        r.add(row("ne broadcast").arg(small, 3, 4).arg(small, 4).expect(s(3, 4), (g, a) -> a.get(0).ne(a.get(1))));
        r.add(row("lt").arg(small, 3, 4).arg(small, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).lt(a.get(1))));
        r.add(row("le").arg(small, 3, 4).arg(small, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).le(a.get(1))));
        r.add(row("gt scalar").arg(small, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).gt(1)));
        r.add(row("ge").arg(small, 3, 4).arg(small, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).ge(a.get(1))));
        r.add(row("where broadcast").condition(SIGNED, 3, 4).arg(3, 1).arg(4)
                .expect(s(3, 4), (g, a) -> Tensor.where(a.get(0).gt(0), a.get(1), a.get(2))));
        r.add(row("where with a scalar branch").arg(SIGNED, 2, 3)
                .expect(s(2, 3), (g, a) -> a.get(0).lt(0).where(a.get(0).square(), 0.5)));
    }

    private static void reductions(List<OpCase> r) {
        r.add(row("sum all").arg(3, 4).expect(s(), (g, a) -> a.get(0).sum()));
        r.add(row("sum axis 1 keepdim").arg(2, 3, 4).expect(s(2, 1, 4), (g, a) -> a.get(0).sum(1, true)));
        r.add(row("sum of a 0-d tensor").arg().expect(s(), (g, a) -> a.get(0).sum()));
        r.add(row("mean axes 0,2").arg(2, 3, 4).expect(s(3), (g, a) -> a.get(0).mean(new int[] {0, 2}, false)));
        r.add(row("mean over a symbolic batch").symbolic(Shape.symbolic("B", 3), WIDE, 5, 3)
                .expect(s(3), (g, a) -> a.get(0).mean(0)));
        r.add(row("max axis -1").arg(3, 5).expect(s(3), (g, a) -> a.get(0).max(-1, false)));
        r.add(row("max keepdim over two axes").arg(2, 3, 4).expect(s(2, 1, 1), (g, a) -> a.get(0).max(new int[] {1, 2}, true)));
        r.add(row("min all").arg(3, 4).expect(s(), (g, a) -> a.get(0).min()));
        r.add(row("max with ties shares the gradient").arg(new Domain.Choice(0.25, 1), 2, 4)
                .noGradientCheck("max has no derivative at a tie; the even split is checked by hand in VjpRulesTest")
                .expect(s(2), (g, a) -> a.get(0).max(1, false)));
        r.add(row("var unbiased").arg(3, 4).expect(s(), (g, a) -> a.get(0).var()));
        r.add(row("var biased keepdim").arg(3, 4).expect(s(3, 1), (g, a) -> a.get(0).var(new int[] {1}, false, true)));
        r.add(row("std unbiased over a symbolic batch").symbolic(Shape.symbolic("B", 2), WIDE, 4, 2)
                .expect(s(2), (g, a) -> a.get(0).std(new int[] {0}, true, false)));
        r.add(row("count of a symbolic batch").symbolic(Shape.symbolic("B", 3), WIDE, 4, 3)
                .expect(Shape.symbolic("B"), (g, a) -> a.get(0).sum(1).mul(a.get(0).count(0))));
        r.add(row("argmax").arg(3, 5).expect(s(3), (g, a) -> a.get(0).argmax(1)));
        r.add(row("argmin keepdim with ties").arg(new Domain.Choice(0, 1, 2), 4, 3).expect(s(1, 3), (g, a) -> a.get(0).argmin(0, true)));
    }

    private static void scansSortingAndIndexing(List<OpCase> r) {
        Domain nearOne = new Domain.Signed(0.5, 1.5);
        Domain withZeros = new Domain.Choice(0, 0, -1.5, 0.5, 2);
        r.add(row("cumsum axis 1").arg(2, 3, 4).expect(s(2, 3, 4), (g, a) -> a.get(0).cumsum(1)));
        r.add(row("cumsum reverse axis 0").arg(4, 3).expect(s(4, 3), (g, a) -> a.get(0).cumsum(0, true)));
        r.add(row("cumsum over a symbolic batch").symbolic(Shape.symbolic("B", 3), WIDE, 5, 3)
                .expect(Shape.symbolic("B", 3), (g, a) -> a.get(0).cumsum(0)));
        r.add(row("cumsum of i32").typed(DType.I32, new Domain.Integers(-5, 5), 2, 6).expect(s(2, 6), (g, a) -> a.get(0).cumsum(-1)));
        r.add(row("cumprod axis -1").arg(nearOne, 3, 5).expect(s(3, 5), (g, a) -> a.get(0).cumprod(-1)));
        // a running product is a polynomial in x: differentiable at zeros too, so central differences check the zero-safe rule
        r.add(row("cumprod with zeros").arg(withZeros, 4, 5).expect(s(4, 5), (g, a) -> a.get(0).cumprod(1)));
        r.add(row("cumprod axis 0 of a 3-D tensor with zeros").arg(withZeros, 4, 2, 3).expect(s(4, 2, 3), (g, a) -> a.get(0).cumprod(0)));
        r.add(row("prod all").arg(nearOne, 3, 4).expect(s(), (g, a) -> a.get(0).prod()));
        r.add(row("prod axis 1 keepdim with zeros").arg(withZeros, 4, 3).expect(s(4, 1), (g, a) -> a.get(0).prod(1, true)));
        r.add(row("prod axes 0,2 with zeros").arg(withZeros, 3, 2, 2).expect(s(2), (g, a) -> a.get(0).prod(new int[] {0, 2}, false)));
        r.add(row("prod over a symbolic batch").symbolic(Shape.symbolic("B", 3), nearOne, 4, 3)
                .expect(Shape.symbolic("B"), (g, a) -> a.get(0).prod(1, false)));
        r.add(row("logsumexp axis 1").arg(WIDE, 3, 4).expect(s(3), (g, a) -> a.get(0).logsumexp(1, false)));
        r.add(row("logsumexp axes 0,2 keepdim").arg(WIDE, 2, 3, 2).expect(s(1, 3, 1), (g, a) -> a.get(0).logsumexp(new int[] {0, 2}, true)));
        r.add(row("norm 2 of all").arg(SIGNED, 3, 4).expect(s(), (g, a) -> a.get(0).norm()));
        r.add(row("norm 1 axis 1").arg(SIGNED, 3, 4).expect(s(3), (g, a) -> a.get(0).norm(1, new int[] {1}, false)));
        r.add(row("norm inf axis 0 keepdim").arg(SIGNED, 3, 4).expect(s(1, 4), (g, a) -> a.get(0).norm(Double.POSITIVE_INFINITY, new int[] {0}, true)));
        r.add(row("norm -inf axis 1").arg(SIGNED, 3, 4).expect(s(3), (g, a) -> a.get(0).norm(Double.NEGATIVE_INFINITY, new int[] {1}, false)));
        r.add(row("norm fro axes 1,2").arg(SIGNED, 2, 3, 4).expect(s(2), (g, a) -> a.get(0).norm("fro", new int[] {1, 2}, false)));
        r.add(row("norm 3 axis -1").arg(SIGNED, 3, 4).expect(s(3), (g, a) -> a.get(0).norm(3, new int[] {-1}, false)));
        r.add(row("norm 0 counts non-zeros").arg(new Domain.Choice(0, 1, -2), 3, 4).expect(s(3), (g, a) -> a.get(0).norm(0, new int[] {1}, false)));
        r.add(row("norm 2 of zero rows").arg(new Domain.Choice(0), 2, 3)
                .noGradientCheck("the norm has no derivative at 0; PyTorch's gradient there is 0, checked in ReductionsScansSortingTorchTest")
                .expect(s(2), (g, a) -> a.get(0).norm(2, new int[] {1}, false)));
        r.add(row("max with indices gives the gradient to the first maximum").arg(new Domain.Choice(0.25, 1), 3, 4)
                .noGradientCheck("max has no derivative at a tie; PyTorch's choice of index is checked in ReductionsScansSortingTorchTest")
                .expect(s(3), (g, a) -> a.get(0).maxWithIndices(1, false)[0]));
        r.add(row("min with indices keepdim").arg(3, 4).expect(s(3, 1), (g, a) -> a.get(0).minWithIndices(1, true)[0]));
        r.add(row("argsort axis 1").arg(3, 6).expect(s(3, 6), (g, a) -> a.get(0).argsort(1)));
        r.add(row("argsort descending with ties axis 0").arg(new Domain.Choice(0, 1, 2), 7, 3).expect(s(7, 3), (g, a) -> a.get(0).argsort(0, true)));
        r.add(row("argsort ascending with ties").arg(new Domain.Choice(-1, 0, 1), 2, 9).expect(s(2, 9), (g, a) -> a.get(0).argsort(-1, false)));
        r.add(row("sort values").arg(3, 5).expect(s(3, 5), (g, a) -> a.get(0).sort(1, false)[0]));
        r.add(row("sort descending over a symbolic batch").symbolic(Shape.symbolic("B", 4), WIDE, 3, 4)
                .expect(Shape.symbolic("B", 4), (g, a) -> a.get(0).sort(1, true)[0]));
        r.add(row("sort axis 0 of [4,B]").symbolic(Shape.symbolic(4, "B"), WIDE, 4, 3)
                .expect(Shape.symbolic(4, "B"), (g, a) -> a.get(0).sort(0, false)[0]));
        r.add(row("topk 2 largest").arg(3, 5).expect(s(3, 2), (g, a) -> a.get(0).topk(2)[0]));
        r.add(row("topk 3 smallest of axis 0").arg(5, 2).expect(s(3, 2), (g, a) -> a.get(0).topk(3, 0, false, true)[0]));
        r.add(row("topk indices").arg(2, 6).expect(s(2, 4), (g, a) -> a.get(0).topk(4, 1, true, true)[1]));
        r.add(row("gather along axis 1").arg(3, 4).typed(DType.I32, new Domain.Integers(0, 3), 3, 2)
                .expect(s(3, 2), (g, a) -> a.get(0).gather(1, a.get(1))));
        r.add(row("gather along axis 0 of a 3-D tensor").arg(3, 2, 4).typed(DType.I32, new Domain.Integers(0, 2), 5, 2, 3)
                .expect(s(5, 2, 3), (g, a) -> a.get(0).gather(0, a.get(1))));
        r.add(row("take_along_dim broadcasting").arg(3, 4).typed(DType.I32, new Domain.Integers(0, 3), 1, 5)
                .expect(s(3, 5), (g, a) -> a.get(0).takeAlongDim(a.get(1), 1)));
        r.add(row("take_along_dim flat").arg(3, 4).typed(DType.I32, new Domain.Integers(0, 11), 7)
                .expect(s(7), (g, a) -> a.get(0).takeAlongDim(a.get(1))));
        r.add(row("scatter along axis 1").arg(3, 5).typed(DType.I32, new Domain.Integers(0, 4), 3, 2).arg(3, 2)
                .expect(s(3, 5), (g, a) -> a.get(0).scatter(1, a.get(1), a.get(2))));
        r.add(row("scatter a value along axis 0").arg(4, 3).typed(DType.I32, new Domain.Integers(0, 3), 2, 3)
                .expect(s(4, 3), (g, a) -> a.get(0).scatter(0, a.get(1), 0.5)));
        r.add(row("scatter_add along axis 1 with repeats").arg(2, 3, 4).typed(DType.I32, new Domain.Integers(0, 2), 2, 3, 4).arg(2, 3, 4)
                .expect(s(2, 3, 4), (g, a) -> a.get(0).scatterAdd(1, a.get(1), a.get(2))));
    }

    private static void linearAlgebra(List<OpCase> r) {
        r.add(row("matmul 2-D").arg(3, 4).arg(4, 5).expect(s(3, 5), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul 1-D x 1-D").arg(4).arg(4).expect(s(), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul 1-D x 2-D").arg(4).arg(4, 5).expect(s(5), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul 2-D x 1-D").arg(3, 4).arg(4).expect(s(3), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul batched x 2-D").arg(2, 3, 4).arg(4, 5).expect(s(2, 3, 5), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul batch broadcast").arg(2, 1, 3, 4).arg(5, 4, 2).expect(s(2, 5, 3, 2), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul 1-D x batched").arg(4).arg(2, 4, 3).expect(s(2, 3), (g, a) -> a.get(0).matmul(a.get(1))));
        r.add(row("matmul symbolic batch").symbolic(Shape.symbolic("B", 4), WIDE, 3, 4).arg(4, 2)
                .expect(Shape.symbolic("B", 2), (g, a) -> a.get(0).matmul(a.get(1))));
        linalg(r);
    }

    /** {@code A + c I}: a random matrix made well-conditioned (or, with {@code c < 0}, of negative determinant). */
    private static Tensor shifted(GraphBuilder g, Tensor a, double c) {
        int n = a.shape().dim(a.rank() - 1);
        return a.add(Linalg.eye(g, n, a.dtype()).mul(c));
    }

    /**
     * The EJML-backed {@code torch.linalg} ops. Inputs are shifted or built ({@code X X^T + I}) to stay away
     * from singular and degenerate matrices, where the gradients are undefined; cholesky and eigh also
     * take a raw matrix, so the check sees that only the lower triangle is read.
     */
    private static void linalg(List<OpCase> r) {
        Domain unit = new Domain.Uniform(-1, 1);
        r.add(row("linalg.solve").arg(unit, 3, 3).arg(3, 2).expect(s(3, 2), (g, a) -> Linalg.solve(shifted(g, a.get(0), 3), a.get(1))));
        r.add(row("linalg.solve batched with a vector").arg(unit, 2, 3, 3).arg(2, 3)
                .expect(s(2, 3), (g, a) -> Linalg.solve(shifted(g, a.get(0), 3), a.get(1))));
        r.add(row("linalg.solve broadcasting the batch").arg(unit, 3, 3).arg(2, 3, 1)
                .expect(s(2, 3, 1), (g, a) -> Linalg.solve(shifted(g, a.get(0), -3), a.get(1))));
        r.add(row("linalg.inv batched").arg(unit, 2, 3, 3).expect(s(2, 3, 3), (g, a) -> Linalg.inv(shifted(g, a.get(0), 3))));
        r.add(row("linalg.det batched").arg(unit, 2, 3, 3).expect(s(2), (g, a) -> Linalg.det(shifted(g, a.get(0), 2))));
        r.add(row("linalg.det of a 1x1 and negative").arg(unit, 3, 1, 1).expect(s(3), (g, a) -> Linalg.det(shifted(g, a.get(0), -2))));
        r.add(row("linalg.slogdet sign and logabsdet").arg(unit, 2, 4, 4).expect(s(2), (g, a) -> {
            Linalg.Slogdet d = Linalg.slogdet(shifted(g, a.get(0), -2.5));
            return d.logabsdet().add(d.sign());
        }));
        r.add(row("linalg.cholesky of X X^T + I").arg(unit, 2, 3, 3).expect(s(2, 3, 3), (g, a) -> {
            Tensor x = a.get(0);
            return Linalg.cholesky(shifted(g, x.matmul(x.mT()), 1));
        }));
        r.add(row("linalg.cholesky reads the lower triangle").arg(new Domain.Uniform(-0.5, 0.5), 4, 4)
                .expect(s(4, 4), (g, a) -> Linalg.cholesky(shifted(g, a.get(0), 3))));
        r.add(row("linalg.qr Q of a tall matrix").arg(unit, 5, 3).expect(s(5, 3), (g, a) -> Linalg.qr(a.get(0)).q()));
        r.add(row("linalg.qr R of a tall matrix").arg(unit, 5, 3).expect(s(3, 3), (g, a) -> Linalg.qr(a.get(0)).r()));
        r.add(row("linalg.qr Q and R batched square").arg(unit, 2, 3, 3)
                .expect(s(2, 3, 3), (g, a) -> Linalg.qr(a.get(0)).q().add(Linalg.qr(a.get(0)).r())));
        r.add(row("linalg.eigh eigenvalues").arg(unit, 2, 4, 4).expect(s(2, 4), (g, a) -> Linalg.eigvalsh(a.get(0))));
        r.add(row("linalg.eigh eigenvectors").arg(unit, 4, 4).expect(s(4, 4), (g, a) -> Linalg.eigh(a.get(0)).eigenvectors()));
        r.add(row("linalg.eigh eigenvectors batched of X + X^T").arg(unit, 2, 3, 3)
                .expect(s(2, 3, 3), (g, a) -> Linalg.eigh(a.get(0).add(a.get(0).mT())).eigenvectors()));
        r.add(row("linalg.svd U of a tall matrix").arg(unit, 4, 3).expect(s(4, 3), (g, a) -> Linalg.svd(a.get(0)).u()));
        r.add(row("linalg.svd S of a wide matrix").arg(unit, 3, 5).expect(s(3), (g, a) -> Linalg.svdvals(a.get(0))));
        r.add(row("linalg.svd Vh of a wide matrix").arg(unit, 3, 4).expect(s(3, 4), (g, a) -> Linalg.svd(a.get(0)).vh()));
        r.add(row("linalg.svd U S Vh batched").arg(unit, 2, 3, 3).expect(s(2, 3, 3), (g, a) -> {
            Linalg.SVD d = Linalg.svd(a.get(0));
            return d.u().add(d.vh()).mul(d.s().unsqueeze(-1));
        }));
    }

    private static void shapes(List<OpCase> r) {
        r.add(row("reshape").arg(2, 3, 4).expect(s(6, 4), (g, a) -> a.get(0).reshape(6, 4)));
        r.add(row("reshape -1 over a symbolic batch").symbolic(Shape.symbolic("B", 2, 3), WIDE, 2, 2, 3)
                .expect(Shape.symbolic("B", 6), (g, a) -> a.get(0).reshape(-1, 6)));
        r.add(row("flatten, squeeze and unsqueeze").arg(2, 1, 3).expect(s(1, 6), (g, a) -> a.get(0).squeeze(1).flatten().unsqueeze(0)));
        r.add(row("permute rank 3").arg(2, 3, 4).expect(s(4, 2, 3), (g, a) -> a.get(0).permute(2, 0, 1)));
        r.add(row("transpose rank 4").arg(2, 3, 4, 5).expect(s(2, 5, 4, 3), (g, a) -> a.get(0).transpose(1, 3)));
        r.add(row("expand").arg(3, 1).expect(s(2, 3, 4), (g, a) -> a.get(0).expand(2, 3, 4)));
        r.add(row("slice with step").arg(5, 4).expect(s(2, 4), (g, a) -> a.get(0).slice(0, 1, 5, 2)));
        r.add(row("slice negative bounds and select").arg(3, 6).expect(s(3), (g, a) -> a.get(0).slice(1, -4, -1).select(1, 2)));
        r.add(row("slice_scatter").arg(2, 4)
                .expect(s(5, 4), (g, a) -> g.apply(new Op.SliceScatter(0, 1, 2, 5), a.get(0))));
        r.add(row("concat middle axis").arg(2, 3, 2).arg(2, 1, 2).arg(2, 2, 2)
                .expect(s(2, 6, 2), (g, a) -> Tensor.concat(1, a.get(0), a.get(1), a.get(2))));
        r.add(row("stack").arg(3).arg(3).expect(s(3, 2), (g, a) -> Tensor.stack(-1, a.get(0), a.get(1))));
        r.add(row("cast f32 to i32 and back").arg(WIDE, 2, 3)
                .expect(s(2, 3), (g, a) -> a.get(0).cast(DType.I32).cast(DType.F32).add(a.get(0))));
        r.add(row("detach (straight-through: value x^2, gradient 1)").arg(WIDE, 2, 3)
                .noGradientCheck("detach passes no gradient by definition, unlike its value's derivative; AutogradStructureTest checks the rule")
                .expect(s(2, 3), (g, a) -> a.get(0).add(a.get(0).square().sub(a.get(0)).detach())));
        r.add(row("cast to bool").arg(new Domain.Choice(0, 0.5, -2), 6).expect(s(6), (g, a) -> a.get(0).cast(DType.BOOL)));
    }

    private static void shapeComposites(List<OpCase> r) {
        r.add(row("pad constant 1.5 with a negative pad").arg(2, 3, 4)
                .expect(s(2, 3, 7), (g, a) -> a.get(0).pad(new int[] {1, 2, -1, 1}, "constant", 1.5)));
        r.add(row("pad reflect two axes, one cropped").arg(2, 3, 5)
                .expect(s(2, 3, 8), (g, a) -> a.get(0).pad(new int[] {2, 1, 1, -1}, "reflect")));
        r.add(row("pad replicate over a symbolic batch").symbolic(Shape.symbolic("B", 3, 4), WIDE, 2, 3, 4)
                .expect(Shape.symbolic("B", 3, 6), (g, a) -> a.get(0).pad(new int[] {3, -1}, "replicate")));
        r.add(row("pad circular two axes, one cropped").arg(2, 4, 3)
                .expect(s(2, 5, 6), (g, a) -> a.get(0).pad(new int[] {1, 2, -1, 2}, "circular")));
        r.add(row("flip two axes").arg(2, 3, 4).expect(s(2, 3, 4), (g, a) -> a.get(0).flip(0, -1)));
        r.add(row("flip over a symbolic batch").symbolic(Shape.symbolic("B", 3, 4), WIDE, 2, 3, 4)
                .expect(Shape.symbolic("B", 3, 4), (g, a) -> a.get(0).flip(1)));
        r.add(row("roll two axes, negative shift").arg(3, 4).expect(s(3, 4), (g, a) -> a.get(0).roll(new int[] {-1, 6}, new int[] {0, 1})));
        r.add(row("roll flattened").arg(2, 3).expect(s(2, 3), (g, a) -> a.get(0).roll(4)));
        r.add(row("repeat with a new leading axis").arg(2, 3).expect(s(2, 2, 6), (g, a) -> a.get(0).repeat(2, 1, 2)));
        r.add(row("repeat over a symbolic batch").symbolic(Shape.symbolic("B", 3), WIDE, 2, 3)
                .expect(Shape.symbolic("B", 6), (g, a) -> a.get(0).repeat(1, 2)));
        r.add(row("tile with fewer dims than axes").arg(2, 3).expect(s(2, 6), (g, a) -> a.get(0).tile(2)));
        r.add(row("tril diagonal -1, batched").arg(2, 3, 4).expect(s(2, 3, 4), (g, a) -> a.get(0).tril(-1)));
        r.add(row("triu diagonal 1 over a symbolic batch").symbolic(Shape.symbolic("B", 3, 3), WIDE, 2, 3, 3)
                .expect(Shape.symbolic("B", 3, 3), (g, a) -> a.get(0).triu(1)));
        r.add(row("chunk 7 into 3").arg(7, 2).expect(s(3, 2), (g, a) -> {
            List<Tensor> p = a.get(0).chunk(3, 0);
            return p.get(0).mul(p.get(1)).add(p.get(2));
        }));
        r.add(row("split by size").arg(5, 3).expect(s(5, 3), (g, a) -> {
            List<Tensor> p = a.get(0).split(2, 0);
            return Tensor.concat(0, p.get(2), p.get(0).mul(p.get(1)), p.get(1));
        }));
        r.add(row("split by sizes").arg(2, 6).expect(s(2, 6), (g, a) -> {
            List<Tensor> p = a.get(0).split(new int[] {1, 3, 2}, 1);
            return Tensor.concat(1, p.get(2), p.get(0).square(), p.get(1));
        }));
        r.add(row("unflatten with -1").arg(2, 12).expect(s(2, 3, 4), (g, a) -> a.get(0).unflatten(1, 3, -1)));
        r.add(row("unflatten over a symbolic batch").symbolic(Shape.symbolic("B", 6), WIDE, 2, 6)
                .expect(Shape.symbolic("B", 2, 3), (g, a) -> a.get(0).unflatten(-1, 2, 3)));
        r.add(row("index_select middle axis, repeated indices").arg(3, 5, 2).typed(DType.I32, new Domain.Choice(0, 3, 3, 4), 4)
                .expect(s(3, 4, 2), (g, a) -> a.get(0).indexSelect(1, a.get(1))));
        r.add(row("index_select constant indices over a symbolic batch").symbolic(Shape.symbolic("B", 4), WIDE, 2, 4)
                .expect(Shape.symbolic("B", 3), (g, a) -> a.get(0).indexSelect(-1, 2, 0, 2)));
        r.add(row("masked_fill broadcast mask").condition(SIGNED, 3, 1).arg(3, 4)
                .expect(s(3, 4), (g, a) -> a.get(1).maskedFill(a.get(0).gt(0), -2.5)));
        r.add(row("masked_fill with a tensor value").condition(SIGNED, 2, 3).arg(2, 3).arg()
                .expect(s(2, 3), (g, a) -> a.get(1).maskedFill(a.get(0).lt(0), a.get(2))));
        r.add(row("einsum ij,jk->ik").arg(3, 4).arg(4, 5).expect(s(3, 5), (g, a) -> Tensor.einsum("ij,jk->ik", a.get(0), a.get(1))));
        r.add(row("einsum bij,bjk->bik over a symbolic batch").symbolic(Shape.symbolic("B", 2, 3), WIDE, 2, 2, 3)
                .symbolic(Shape.symbolic("B", 3, 4), WIDE, 2, 3, 4)
                .expect(Shape.symbolic("B", 2, 4), (g, a) -> Tensor.einsum("bij,bjk->bik", a.get(0), a.get(1))));
        r.add(row("einsum bhqd,bhkd->bhqk").arg(2, 2, 3, 4).arg(2, 2, 5, 4)
                .expect(s(2, 2, 3, 5), (g, a) -> Tensor.einsum("bhqd,bhkd->bhqk", a.get(0), a.get(1))));
        r.add(row("einsum ij->ji").arg(3, 4).expect(s(4, 3), (g, a) -> Tensor.einsum("ij->ji", a.get(0))));
        r.add(row("einsum ii->i").arg(4, 4).expect(s(4), (g, a) -> Tensor.einsum("ii->i", a.get(0))));
        r.add(row("einsum trace ii").arg(4, 4).expect(s(), (g, a) -> Tensor.einsum("ii", a.get(0))));
        r.add(row("einsum outer i,j->ij").arg(3).arg(4).expect(s(3, 4), (g, a) -> Tensor.einsum("i,j->ij", a.get(0), a.get(1))));
        r.add(row("einsum sum ij->").arg(3, 4).expect(s(), (g, a) -> Tensor.einsum("ij->", a.get(0))));
        r.add(row("einsum implicit cb,ba").arg(2, 3).arg(3, 4).expect(s(4, 2), (g, a) -> Tensor.einsum("cb,ba", a.get(0), a.get(1))));
        r.add(row("einsum three operands, batch dot").arg(2, 3).arg(2, 3).arg(3, 2)
                .expect(s(2), (g, a) -> Tensor.einsum("bn, bn, nb -> b", a.get(0), a.get(1), a.get(2))));
    }

    private static void normalisation(List<OpCase> r) {
        r.add(row("softmax last axis").arg(WIDE, 3, 5).expect(s(3, 5), (g, a) -> a.get(0).softmax(-1)));
        r.add(row("softmax large inputs").arg(new Domain.Uniform(50, 60), 2, 4).expect(s(2, 4), (g, a) -> a.get(0).softmax(1)));
        r.add(row("log_softmax axis 0").arg(WIDE, 4, 3).expect(s(4, 3), (g, a) -> a.get(0).logSoftmax(0)));
        r.add(row("cross-entropy composite").arg(WIDE, 4, 5).arg(new Domain.Uniform(0, 1), 4, 5)
                .expect(s(), (g, a) -> a.get(0).logSoftmax(1).mul(a.get(1)).sum(1).mean().neg()));
    }

    private static void layerPrimitives(List<OpCase> r) {
        r.add(row("gather 2-D indices").arg(5, 3).typed(DType.I32, new Domain.Integers(0, 4), 2, 3)
                .expect(s(2, 3, 3), (g, a) -> a.get(0).gather(a.get(1))));
        r.add(row("gather 3-D indices from a 3-D table").arg(4, 2, 3).typed(DType.I32, new Domain.Integers(0, 3), 2, 2, 2)
                .expect(s(2, 2, 2, 2, 3), (g, a) -> Tensor.embedding(a.get(0), a.get(1))));
        r.add(row("scatter_add with repeated indices").arg(6, 3).typed(DType.I32, new Domain.Choice(0, 2, 2, 3), 6)
                .expect(s(4, 3), (g, a) -> a.get(0).scatterAdd(a.get(1), 4)));
        r.add(row("scatter_add of 2-D indices").arg(2, 3, 2).typed(DType.I32, new Domain.Integers(0, 4), 2, 3)
                .expect(s(5, 2), (g, a) -> a.get(0).scatterAdd(a.get(1), 5)));
        r.add(row("dropout mask p 0.3").arg(4, 5).typed(DType.I32, new Domain.Integers(0, 1000))
                .expect(s(4, 5), (g, a) -> a.get(0).mul(a.get(0).dropoutMask(0.3, 12345L, a.get(1)))));
        r.add(row("dropout mask p 0.5 of a large tensor").arg(64, 33).typed(DType.I32, new Domain.Integers(0, 1 << 20))
                .expect(s(64, 33), (g, a) -> a.get(0).dropout(0.5, -7L, a.get(1))));
        Domain spread = new Domain.Uniform(-2, 2);
        r.add(row("normalize last axis").arg(spread, 3, 6).expect(s(3, 6), (g, a) -> a.get(0).normalize(new int[] {-1}, 1e-5)));
        r.add(row("normalize last two axes").arg(spread, 2, 3, 4).expect(s(2, 3, 4), (g, a) -> a.get(0).normalize(new int[] {1, 2}, 1e-5)));
        r.add(row("normalize axes 0,2,3 of [N,C,H,W]").arg(spread, 2, 3, 2, 3)
                .expect(s(2, 3, 2, 3), (g, a) -> a.get(0).normalize(new int[] {0, 2, 3}, 1e-3)));
        r.add(row("layer norm composite with affine").arg(spread, 3, 5).arg(new Domain.Uniform(0.5, 1.5), 5).arg(5)
                .expect(s(3, 5), (g, a) -> a.get(0).layerNorm(1, a.get(1), a.get(2), 1e-5)));
    }

    private static void convolutions(List<OpCase> r) {
        r.add(row("conv2d 3x3 pad 1").arg(2, 3, 5, 5).arg(4, 3, 3, 3)
                .expect(s(2, 4, 5, 5), (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1))));
        r.add(row("conv2d stride 2, asymmetric padding, dilation 2x1").arg(1, 2, 7, 6).arg(3, 2, 2, 3)
                .expect(s(1, 3, 3, 7), (g, a) -> a.get(0).conv2d(a.get(1), new ConvGeometry(2, 1, 1, 0, 2, 1, 2, 1, 1))));
        r.add(row("conv2d two groups").arg(2, 4, 4, 4).arg(6, 2, 3, 3)
                .expect(s(2, 6, 4, 4), (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 2))));
        r.add(row("conv2d depthwise stride 2").arg(1, 3, 5, 5).arg(3, 1, 3, 3)
                .expect(s(1, 3, 3, 3), (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 1, 1, 3))));
        r.add(row("conv2d symbolic batch").symbolic(Shape.symbolic("B", 2, 4, 4), WIDE, 3, 2, 4, 4).arg(3, 2, 2, 2)
                .expect(Shape.symbolic("B", 3, 3, 3), (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.unit())));
        r.add(row("conv_transpose2d stride 2, output padding 1").arg(2, 3, 3, 3).arg(3, 2, 3, 3)
                .expect(s(2, 2, 6, 6), (g, a) -> a.get(0).convTranspose2d(a.get(1), ConvGeometry.of(2, 1, 1, 1), 1, 1)));
        r.add(row("conv_transpose2d two groups, dilation 2").arg(1, 4, 3, 4).arg(4, 1, 2, 2)
                .expect(s(1, 2, 5, 6), (g, a) -> a.get(0).convTranspose2d(a.get(1), ConvGeometry.of(1, 0, 2, 2), 0, 0)));
        r.add(row("conv2d_weight_grad stride 2 pad 1").arg(2, 2, 5, 5).arg(2, 3, 3, 3)
                .expect(s(3, 2, 3, 3), (g, a) -> a.get(0).conv2dWeightGrad(a.get(1), ConvGeometry.of(2, 1, 1, 1), 3, 3)));
        r.add(row("conv2d_weight_grad of a cut gradient, groups 2").arg(1, 2, 5, 5).arg(1, 2, 4, 3)
                .expect(s(2, 1, 2, 2), (g, a) -> a.get(0).conv2dWeightGrad(a.get(1), ConvGeometry.of(1, 0, 1, 2), 2, 2)));
    }

    /**
     * Fused attention: the forward with and without the causal mask, {@code Lq != Lk} both ways, one key,
     * {@code Ev != E}, ranks 2 to 4 and a symbolic batch; its gradient graph holds {@code attention_stats}
     * and {@code attention_grad}, which also get rows of their own (from fed {@code g}; their own gradients,
     * second derivatives through the fused op, are refused, so their arguments are conditions).
     */
    private static void attention(List<OpCase> r) {
        r.add(row("attention Lq 3 < Lk 5, Ev 2 != E 4").arg(3, 4).arg(5, 4).arg(5, 2)
                .expect(s(3, 2), (g, a) -> g.apply(new Op.Attention(0.5, false), a.get(0), a.get(1), a.get(2))));
        r.add(row("attention batched, scale 1/sqrt(E)").arg(WIDE, 2, 4, 3).arg(2, 4, 3).arg(2, 4, 5)
                .expect(s(2, 4, 5), (g, a) -> g.apply(new Op.Attention(1 / Math.sqrt(3), false), a.get(0), a.get(1), a.get(2))));
        r.add(row("attention causal Lq 4 < Lk 6").arg(2, 4, 3).arg(2, 6, 3).arg(2, 6, 3)
                .expect(s(2, 4, 3), (g, a) -> g.apply(new Op.Attention(0.7, true), a.get(0), a.get(1), a.get(2))));
        r.add(row("attention causal Lq 5 > Lk 3, rank 4, Ev 2").arg(1, 2, 5, 4).arg(1, 2, 3, 4).arg(1, 2, 3, 2)
                .expect(s(1, 2, 5, 2), (g, a) -> g.apply(new Op.Attention(0.6, true), a.get(0), a.get(1), a.get(2))));
        r.add(row("attention one key").arg(2, 3, 2).arg(2, 1, 2).arg(2, 1, 3)
                .expect(s(2, 3, 3), (g, a) -> g.apply(new Op.Attention(1.1, false), a.get(0), a.get(1), a.get(2))));
        r.add(row("attention causal symbolic batch").symbolic(Shape.symbolic("B", 3, 4), WIDE, 2, 3, 4).symbolic(Shape.symbolic("B", 3, 4), WIDE, 2, 3, 4)
                .symbolic(Shape.symbolic("B", 3, 2), WIDE, 2, 3, 2)
                .expect(Shape.symbolic("B", 3, 2), (g, a) -> g.apply(new Op.Attention(0.4, true), a.get(0), a.get(1), a.get(2))));
        // longer rows than a kernel's tile, scores spread enough that the running maximum moves
        Domain spread = new Domain.Uniform(-2, 2);
        r.add(row("attention causal 70 queries and keys, E 16, Ev 8").arg(spread, 2, 70, 16).arg(spread, 2, 70, 16).arg(spread, 2, 70, 8).tolerance(5)
                .noGradientCheck("central differences over 2 x 70 x 40 elements are slow; the small rows check the gradient, this one the backends' longer loops")
                .expect(s(2, 70, 8), (g, a) -> g.apply(new Op.Attention(0.35, true), a.get(0), a.get(1), a.get(2))));
        Domain unit = new Domain.Uniform(-1, 1);
        r.add(row("attention_stats causal Lq 4 > Lk 3").condition(WIDE, 2, 4, 3).condition(unit, 2, 3, 3)
                .expect(s(2, 4), (g, a) -> g.apply(new Op.AttentionStats(0.8, true), a.get(0), a.get(1))));
        r.add(row("attention_stats Lq 2 < Lk 5").condition(WIDE, 2, 3).condition(unit, 5, 3)
                .expect(s(2), (g, a) -> g.apply(new Op.AttentionStats(0.8, false), a.get(0), a.get(1))));
        String[] operand = {"q", "k", "v"};
        for (int wrt = 0; wrt < 3; wrt++) {
            int w = wrt;
            boolean causal = wrt != 1;
            r.add(row("attention_grad wrt " + operand[wrt] + (causal ? " causal" : "") + ", Lq 4, Lk 5, E 3, Ev 2")
                    .condition(unit, 2, 4, 3).condition(unit, 2, 5, 3).condition(unit, 2, 5, 2).condition(unit, 2, 4, 2)
                    .expect(s(2, w == 0 ? 4 : 5, w == 2 ? 2 : 3), (g, a) -> {
                        Tensor q = a.get(0), k = a.get(1), v = a.get(2);
                        Tensor o = g.apply(new Op.Attention(0.75, causal), q, k, v);
                        Tensor lse = g.apply(new Op.AttentionStats(0.75, causal), q, k);
                        return g.apply(new Op.AttentionGrad(0.75, causal, w), q, k, v, o, a.get(3), lse);
                    }));
        }
    }

    private static void pooling(List<OpCase> r) {
        r.add(row("max_pool2d 2x2").arg(WIDE, 2, 3, 4, 6).expect(s(2, 3, 2, 3), (g, a) -> a.get(0).maxPool2d(PoolWindow.Fixed.of(2, 2, 0))));
        r.add(row("max_pool2d 3x3 stride 2 pad 1").arg(WIDE, 1, 2, 5, 5)
                .expect(s(1, 2, 3, 3), (g, a) -> a.get(0).maxPool2d(PoolWindow.Fixed.of(3, 2, 1))));
        r.add(row("max_pool2d ceil mode, dilation 2").arg(WIDE, 1, 2, 7, 6)
                .expect(s(1, 2, 3, 3), (g, a) -> a.get(0).maxPool2d(new PoolWindow.Fixed(2, 2, 2, 2, 0, 0, 2, 2, true))));
        r.add(row("adaptive_max_pool2d 3x2").arg(WIDE, 2, 2, 5, 7)
                .expect(s(2, 2, 3, 2), (g, a) -> a.get(0).maxPool2d(new PoolWindow.Adaptive(3, 2))));
        r.add(row("max_pool_select of another tensor").arg(WIDE, 1, 2, 4, 4).arg(1, 2, 4, 4)
                .expect(s(1, 2, 2, 2), (g, a) -> a.get(0).maxPoolSelect(a.get(1), PoolWindow.Fixed.of(2, 2, 0))));
        r.add(row("max_pool_scatter").arg(WIDE, 1, 2, 4, 4).arg(1, 2, 2, 2)
                .expect(s(1, 2, 4, 4), (g, a) -> a.get(0).maxPoolScatter(a.get(1), PoolWindow.Fixed.of(2, 2, 0))));
        r.add(row("avg_pool2d 3x3 stride 2 pad 1, ceil, padding not counted").arg(1, 2, 6, 6)
                .expect(s(1, 2, 4, 4), (g, a) -> Pooling.avgPool2d(a.get(0), 3, 3, 2, 2, 1, 1, true, false, 0)));
        r.add(row("avg_pool2d 2x2 counting padding").arg(2, 1, 5, 4)
                .expect(s(2, 1, 3, 3), (g, a) -> Pooling.avgPool2d(a.get(0), 2, 2, 2, 2, 1, 1, false, true, 0)));
        r.add(row("adaptive_avg_pool2d 3x2").arg(2, 2, 5, 7)
                .expect(s(2, 2, 3, 2), (g, a) -> Pooling.adaptiveAvgPool2d(a.get(0), 3, 2)));
    }

    private static void activationsMore(List<OpCase> r) {
        // values away from the kinks at -3, 0, 3, 6 and the clamp bounds
        Domain kinked = new Domain.Choice(-4.1, -2.2, -0.7, -0.2, 0.3, 1.1, 2.6, 4.4, 6.8);
        r.add(row("relu6").arg(kinked, 3, 3).expect(s(3, 3), (g, a) -> a.get(0).relu6()));
        r.add(row("hardtanh -0.5 1.5").arg(kinked, 3, 3).expect(s(3, 3), (g, a) -> a.get(0).hardtanh(-0.5, 1.5)));
        r.add(row("hardsigmoid").arg(kinked, 3, 3).expect(s(3, 3), (g, a) -> a.get(0).hardsigmoid()));
        r.add(row("hardswish").arg(kinked, 3, 3).expect(s(3, 3), (g, a) -> a.get(0).hardswish()));
        r.add(row("selu").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).selu()));
        r.add(row("celu alpha 0.7").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).celu(0.7)));
        r.add(row("mish").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).mish()));
        r.add(row("softsign").arg(SIGNED, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).softsign()));
        r.add(row("logsigmoid").arg(WIDE, 3, 4).expect(s(3, 4), (g, a) -> a.get(0).logSigmoid()));
        r.add(row("glu axis 1").arg(2, 4, 3).expect(s(2, 2, 3), (g, a) -> a.get(0).glu(1)));
        r.add(row("threshold 0.5 -> -2").arg(kinked, 3, 3).expect(s(3, 3), (g, a) -> a.get(0).threshold(0.5, -2)));
        r.add(row("prelu per channel").arg(SIGNED, 2, 3, 2).arg(3).expect(s(2, 3, 2), (g, a) -> a.get(0).prelu(a.get(1))));
        r.add(row("prelu one weight").arg(SIGNED, 2, 3).arg(1).expect(s(2, 3), (g, a) -> a.get(0).prelu(a.get(1))));
    }

    private static void leaves(List<OpCase> r) {
        r.add(row("constant array").arg(2, 3).expect(s(2, 3),
                (g, a) -> a.get(0).add(g.constant(HostTensor.of(new float[] {1, -2, 3}, 3)))));
        r.add(row("linear layer with parameters").symbolic(Shape.symbolic("B", 3), WIDE, 2, 3).expect(Shape.symbolic("B", 2), (g, a) -> {
            Tensor w, b;
            try (var sc = g.scope("fc")) {
                w = g.parameter("weight", Init.normal(0, 0.5), 3, 2);
                b = g.parameter("bias", Init.uniform(-0.1, 0.1), 2);
            }
            return a.get(0).matmul(w).add(b).tanh();
        }));
    }
}
