package dev.jasg.core;

import static dev.jasg.core.RefTesting.arange;
import static dev.jasg.core.RefTesting.assertExact;
import static dev.jasg.core.RefTesting.assertTensor;
import static dev.jasg.core.RefTesting.f64;
import static dev.jasg.core.RefTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reference interpreter's value for every op kind, against values worked out by hand. */
class ReferenceBackendTest {
    private static final double E = 2.718281828459045;
    private static final double TOL = 1e-12;

    // ---- elementwise -------------------------------------------------------------------

    @Test
    void unaryBasics() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 4);
        g.output("neg", x.neg());
        g.output("abs", x.abs());
        g.output("sign", x.sign());
        g.output("relu", x.relu());
        g.output("exp", x.exp());
        g.output("sqrt", x.abs().sqrt());
        g.output("tanh", x.tanh());
        Outputs o = run(g, "x", f64(new double[] {-1, 0, 1, 4}, 4));
        Shape s = Shape.of(4);
        assertExact(o.get("neg"), s, 1, -0.0, -1, -4);
        assertExact(o.get("abs"), s, 1, 0, 1, 4);
        assertExact(o.get("sign"), s, -1, 0, 1, 1);
        assertExact(o.get("relu"), s, 0, 0, 1, 4);
        assertTensor(o.get("exp"), s, TOL, 1 / E, 1, E, E * E * E * E);
        assertExact(o.get("sqrt"), s, 1, 0, 1, 2);
        assertTensor(o.get("tanh"), s, TOL, -0.7615941559557649, 0, 0.7615941559557649, 0.999329299739067);
    }

    @Test
    void sigmoidDoesNotOverflow() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 3);
        g.output("y", x.sigmoid());
        assertTensor(run(g, "x", f64(new double[] {-1000, 0, 1000}, 3)).get("y"), Shape.of(3), 0, 0, 0.5, 1);
    }

    @Test
    void parameterisedUnaries() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 4);
        g.output("clamp", x.clamp(-1, 2));
        g.output("leaky", x.leakyRelu(0.1));
        g.output("elu", x.elu(1.5));
        g.output("softplus", x.softplus());
        g.output("softplus2", x.softplus(2, 1));
        Outputs o = run(g, "x", f64(new double[] {-3, 0.4, 0.6, 25}, 4));
        Shape s = Shape.of(4);
        assertExact(o.get("clamp"), s, -1, 0.4, 0.6, 2);
        assertTensor(o.get("leaky"), s, TOL, -0.3, 0.4, 0.6, 25);
        assertTensor(o.get("elu"), s, TOL, 1.5 * (1 / (E * E * E) - 1), 0.4, 0.6, 25);
        // beta = 1, threshold = 20: 25 is past the threshold and passes through unchanged.
        assertTensor(o.get("softplus"), s, TOL, Math.log(1 + 1 / (E * E * E)), Math.log(1 + Math.exp(0.4)), Math.log(1 + Math.exp(0.6)), 25);
        // beta = 2, threshold = 1: 2*0.6 = 1.2 > 1 passes through; 2*0.4 = 0.8 does not.
        assertTensor(o.get("softplus2"), s, TOL, Math.log(1 + Math.exp(-6)) / 2, Math.log(1 + Math.exp(0.8)) / 2, 0.6, 25);
    }

    @Test
    void geluBothForms() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 4);
        g.output("exact", x.gelu());
        g.output("tanh", x.gelu("tanh"));
        Outputs o = run(g, "x", f64(new double[] {-1, 0, 1, 2}, 4));
        // x * Phi(x) with Phi(1) = 0.8413447460685429, Phi(-1) = 1 - Phi(1), Phi(2) = 0.9772498680518208.
        assertTensor(o.get("exact"), Shape.of(4), 1e-14, -0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416);
        double c = Math.sqrt(2 / Math.PI);
        double[] want = new double[4];
        double[] xs = {-1, 0, 1, 2};
        for (int i = 0; i < 4; i++) want[i] = 0.5 * xs[i] * (1 + Math.tanh(c * (xs[i] + 0.044715 * xs[i] * xs[i] * xs[i])));
        assertTensor(o.get("tanh"), Shape.of(4), 1e-15, want);
        // The two forms agree to about 1e-3 and are not the same function.
        assertEquals(0.8411919906082768, o.get("tanh").get(2), 1e-12);
    }

    @Test
    void binaryOps() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F64, 3);
        Tensor b = g.input("b", DType.F64, 3);
        g.output("sub", a.sub(b));
        g.output("mul", a.mul(b));
        g.output("div", a.div(b));
        g.output("pow", a.pow(b));
        g.output("max", a.maximum(b));
        g.output("min", a.minimum(b));
        Outputs o = run(g, "a", f64(new double[] {1, -2, 3}, 3), "b", f64(new double[] {2, 2, -1}, 3));
        Shape s = Shape.of(3);
        assertExact(o.get("sub"), s, -1, -4, 4);
        assertExact(o.get("mul"), s, 2, -4, -3);
        assertExact(o.get("div"), s, 0.5, -1, -3);
        assertTensor(o.get("pow"), s, TOL, 1, 4, 1.0 / 3);
        assertExact(o.get("max"), s, 2, 2, 3);
        assertExact(o.get("min"), s, 1, -2, -1);
    }

    @Test
    void broadcastingColumnPlusRow() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F64, 3, 1);
        Tensor b = g.input("b", DType.F64, 4);
        g.output("y", a.add(b));
        HostTensor y = run(g, "a", f64(new double[] {10, 20, 30}, 3, 1), "b", f64(new double[] {1, 2, 3, 4}, 4)).get("y");
        assertExact(y, Shape.of(3, 4), 11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34);
    }

    @Test
    void broadcastingScalarsAndSizeOne() {
        GraphBuilder g = new GraphBuilder();
        Tensor m = g.input("m", DType.F64, 2, 2);
        Tensor s0 = g.input("s", DType.F64, Shape.scalar());
        Tensor one = g.input("one", DType.F64, 1);
        Tensor c = g.input("c", DType.F64, 2, 1, 3);
        Tensor r = g.input("r", DType.F64, 4, 1);
        g.output("scalarPlusTensor", g.scalar(2.5, DType.F64).add(m));
        g.output("scalarPlusScalar", s0.add(s0));
        g.output("oneTimesMatrix", one.mul(m));
        g.output("threeD", c.mul(r));
        Outputs o = run(g, "m", f64(new double[] {1, 2, 3, 4}, 2, 2), "s", f64(new double[] {7}),
                "one", f64(new double[] {-1}, 1), "c", arange(2, 1, 3), "r", f64(new double[] {1, 10, 100, 1000}, 4, 1));
        assertExact(o.get("scalarPlusTensor"), Shape.of(2, 2), 3.5, 4.5, 5.5, 6.5);
        assertExact(o.get("scalarPlusScalar"), Shape.scalar(), 14);
        assertExact(o.get("oneTimesMatrix"), Shape.of(2, 2), -1, -2, -3, -4);
        // [2,1,3] * [4,1] -> [2,4,3]: out[i,j,k] = c[i,0,k] * r[j,0].
        double[] want = new double[24];
        double[] rv = {1, 10, 100, 1000};
        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 3; k++) want[i * 12 + j * 3 + k] = (3 * i + k) * rv[j];
        assertExact(o.get("threeD"), Shape.of(2, 4, 3), want);
    }

    @Test
    void integerArithmeticTruncates() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.I32, 3);
        Tensor b = g.input("b", DType.I32, 3);
        g.output("div", a.div(b));
        g.output("neg", a.neg());
        Outputs o = run(g, "a", HostTensor.ofInts(new int[] {7, -7, 6}, 3), "b", HostTensor.ofInts(new int[] {-2, 2, 4}, 3));
        assertEquals(DType.I32, o.get("div").dtype());
        assertExact(o.get("div"), Shape.of(3), -3, -3, 1);
        assertExact(o.get("neg"), Shape.of(3), -7, 7, -6);
    }

    @Test
    void comparisonsGiveBoolMasks() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F64, 3);
        Tensor b = g.input("b", DType.F64, 3);
        g.output("eq", a.eq(b));
        g.output("ne", a.ne(b));
        g.output("lt", a.lt(b));
        g.output("le", a.le(b));
        g.output("gt", a.gt(b));
        g.output("ge", a.ge(b));
        Outputs o = run(g, "a", f64(new double[] {1, 2, 3}, 3), "b", f64(new double[] {2, 2, 2}, 3));
        Shape s = Shape.of(3);
        assertEquals(DType.BOOL, o.get("eq").dtype());
        assertExact(o.get("eq"), s, 0, 1, 0);
        assertExact(o.get("ne"), s, 1, 0, 1);
        assertExact(o.get("lt"), s, 1, 0, 0);
        assertExact(o.get("le"), s, 1, 1, 0);
        assertExact(o.get("gt"), s, 0, 0, 1);
        assertExact(o.get("ge"), s, 0, 1, 1);
    }

    @Test
    void whereBroadcastsAllThree() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 3, 1);
        Tensor a = g.input("a", DType.F64, 4);
        g.output("y", x.gt(0).where(a, -1));
        HostTensor y = run(g, "x", f64(new double[] {1, -1, 2}, 3, 1), "a", f64(new double[] {1, 2, 3, 4}, 4)).get("y");
        assertExact(y, Shape.of(3, 4), 1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4);
    }

    @Test
    void castTruncatesAndMakesMasks() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 5);
        g.output("int", x.cast(DType.I32));
        g.output("bool", x.cast(DType.BOOL));
        g.output("back", x.cast(DType.BOOL).cast(DType.F32));
        Outputs o = run(g, "x", HostTensor.of(new float[] {-1.7f, 1.7f, 0f, 2.5f, -0.2f}, 5));
        assertEquals(DType.I32, o.get("int").dtype());
        assertExact(o.get("int"), Shape.of(5), -1, 1, 0, 2, 0);
        assertEquals(DType.BOOL, o.get("bool").dtype());
        assertExact(o.get("bool"), Shape.of(5), 1, 1, 0, 1, 1);
        assertEquals(DType.F64, o.get("back").dtype());
        assertExact(o.get("back"), Shape.of(5), 1, 1, 0, 1, 1);
    }

    @Test
    void f32NodesAreComputedInDoubleAndFedDoublesAreNotRounded() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 1);
        Tensor y = g.input("y", DType.F32, 1);
        g.output("sum", x.add(y));
        HostTensor s = run(g, "x", f64(new double[] {0.1}, 1), "y", f64(new double[] {0.2}, 1)).get("sum");
        assertEquals(DType.F64, s.dtype());
        assertEquals(0.1 + 0.2, s.get(0), 0.0);
    }

    // ---- reductions --------------------------------------------------------------------

    @Test
    void reductionsOverSeveralAxes() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 3, 4);
        g.output("sumKeep", x.sum(new int[] {0, 2}, true));
        g.output("sum", x.sum(new int[] {2, 0}, false));
        g.output("mean", x.mean(new int[] {0, -1}, false));
        g.output("maxKeep", x.max(1, true));
        g.output("min", x.min(new int[] {1, 2}, false));
        g.output("all", x.sum());
        g.output("copy", g.apply(new Op.Reduce(ReduceOp.SUM, Ints.of(), false), x));
        Outputs o = run(g, "x", arange(2, 3, 4));
        // x[i,j,k] = 12i + 4j + k; summing i and k gives 32j + 60.
        assertExact(o.get("sumKeep"), Shape.of(1, 3, 1), 60, 92, 124);
        assertExact(o.get("sum"), Shape.of(3), 60, 92, 124);
        assertExact(o.get("mean"), Shape.of(3), 7.5, 11.5, 15.5);
        assertExact(o.get("maxKeep"), Shape.of(2, 1, 4), 8, 9, 10, 11, 20, 21, 22, 23);
        assertExact(o.get("min"), Shape.of(2), 0, 12);
        assertExact(o.get("all"), Shape.scalar(), 276);
        assertExact(o.get("copy"), Shape.of(2, 3, 4), arange(24).toDoubles());
    }

    @Test
    void varianceBiasedAndUnbiased() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 4);
        g.output("unbiased", x.var(new int[] {1}, true, false));
        g.output("biased", x.var(new int[] {1}, false, true));
        g.output("all", x.var());
        Outputs o = run(g, "x", f64(new double[] {1, 2, 3, 4, 2, 4, 6, 8}, 2, 4));
        assertTensor(o.get("unbiased"), Shape.of(2), TOL, 5.0 / 3, 20.0 / 3);
        assertTensor(o.get("biased"), Shape.of(2, 1), TOL, 1.25, 5);
        // mean 3.75; squared deviations sum to 37.5; divided by n - 1 = 7.
        assertTensor(o.get("all"), Shape.scalar(), TOL, 37.5 / 7);
    }

    @Test
    void argReduceTakesTheFirstOnTies() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 4);
        g.output("argmax1", x.argmax(1));
        g.output("argmin1", x.argmin(-1, true));
        g.output("argmax0", x.argmax(0));
        Outputs o = run(g, "x", f64(new double[] {1, 3, 3, 2, 5, 5, 0, 5}, 2, 4));
        assertEquals(DType.I32, o.get("argmax1").dtype());
        assertExact(o.get("argmax1"), Shape.of(2), 1, 0);
        assertExact(o.get("argmin1"), Shape.of(2, 1), 0, 2);
        assertExact(o.get("argmax0"), Shape.of(4), 1, 1, 0, 1);
    }

    @Test
    void softmaxIsStableForLargeInputs() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 2);
        g.output("sm", x.softmax(1));
        g.output("lsm", x.logSoftmax(-1));
        g.output("sm0", x.softmax(0));
        Outputs o = run(g, "x", f64(new double[] {1000, 1001, -1000, -1000}, 2, 2));
        double p = 1 / (1 + E);
        assertTensor(o.get("sm"), Shape.of(2, 2), 1e-15, p, 1 - p, 0.5, 0.5);
        assertTensor(o.get("lsm"), Shape.of(2, 2), 1e-13, -1.3132616875182228, -0.31326168751822286, -Math.log(2), -Math.log(2));
        // Along axis 0 the gaps are 2000 and 2001: exp(-2000) underflows to 0 without NaN.
        assertTensor(o.get("sm0"), Shape.of(2, 2), 1e-15, 1, 1, 0, 0);
    }

    @Test
    void countResolvesTheBatchAtRunTime() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3);
        g.output("rows", x.count(0));
        g.output("all", x.count());
        g.output("cols", x.count(1));
        g.output("var0", x.var(new int[] {0}, true, false));
        try (var ref = new dev.jasg.core.reference.ReferenceBackend(); Executable e = ref.compile(g.build())) {
            Outputs o = e.run(RefTesting.feeds("x", arange(2, 3)));
            assertExact(o.get("rows"), Shape.scalar(), 2);
            assertExact(o.get("all"), Shape.scalar(), 6);
            assertExact(o.get("cols"), Shape.scalar(), 3);
            // Columns {0,3}: mean 1.5, squared deviations 4.5, / (2 - 1).
            assertTensor(o.get("var0"), Shape.of(3), TOL, 4.5, 4.5, 4.5);
            o = e.run(RefTesting.feeds("x", arange(5, 3)));
            assertExact(o.get("rows"), Shape.scalar(), 5);
            assertExact(o.get("all"), Shape.scalar(), 15);
            // Columns {0,3,6,9,12}: mean 6, squared deviations 90, / (5 - 1).
            assertTensor(o.get("var0"), Shape.of(3), TOL, 22.5, 22.5, 22.5);
        }
    }

    // ---- matmul ------------------------------------------------------------------------

    @Test
    void matmulVectorCases() {
        GraphBuilder g = new GraphBuilder();
        Tensor v3 = g.input("v3", DType.F64, 3);
        Tensor w3 = g.input("w3", DType.F64, 3);
        Tensor v2 = g.input("v2", DType.F64, 2);
        Tensor m = g.input("m", DType.F64, 2, 3);
        g.output("dot", v3.matmul(w3));
        g.output("vecMat", v2.matmul(m));
        g.output("matVec", m.matmul(w3));
        Outputs o = run(g, "v3", f64(new double[] {1, 2, 3}, 3), "w3", f64(new double[] {4, 5, 6}, 3),
                "v2", f64(new double[] {1, 2}, 2), "m", f64(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertExact(o.get("dot"), Shape.scalar(), 32);
        assertExact(o.get("vecMat"), Shape.of(3), 9, 12, 15);
        assertExact(o.get("matVec"), Shape.of(2), 32, 77);
    }

    @Test
    void matmulMatrixAndBatchedBroadcast() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F64, 2, 1, 3, 4);
        Tensor b = g.input("b", DType.F64, 5, 4, 2);
        Tensor p = g.input("p", DType.F64, 2, 2);
        Tensor q = g.input("q", DType.F64, 2, 2);
        g.output("batched", a.matmul(b));
        g.output("plain", p.matmul(q));
        HostTensor av = arange(2, 1, 3, 4), bv = arange(5, 4, 2);
        Outputs o = run(g, "a", av, "b", bv, "p", f64(new double[] {1, 2, 3, 4}, 2, 2), "q", f64(new double[] {5, 6, 7, 8}, 2, 2));
        assertExact(o.get("plain"), Shape.of(2, 2), 19, 22, 43, 50);
        HostTensor y = o.get("batched");
        assertEquals(Shape.of(2, 5, 3, 2), y.shape());
        // out[1,2,0,1] = sum_p a[1,0,0,p] b[2,p,1] = 12*17 + 13*19 + 14*21 + 15*23.
        assertEquals(1090, y.at(1, 2, 0, 1), 0);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) for (int r = 0; r < 3; r++) for (int c = 0; c < 2; c++) {
            double s = 0;
            for (int k = 0; k < 4; k++) s += av.at(i, 0, r, k) * bv.at(j, k, c);
            assertEquals(s, y.at(i, j, r, c), 0, "batched[" + i + "," + j + "," + r + "," + c + "]");
        }
    }

    // ---- shape ops ---------------------------------------------------------------------

    @Test
    void sliceWithStepAndItsScatterAdjoint() {
        GraphBuilder g = new GraphBuilder();
        Tensor v = g.input("v", DType.F64, 10);
        Tensor m = g.input("m", DType.F64, 3, 5);
        Tensor y = g.input("y", DType.F64, 3);
        g.output("step", v.slice(0, 1, 8, 3));
        g.output("cols", m.slice(1, 0, 5, 2));
        g.output("tail", v.slice(0, -3, 10));
        g.output("scatter", g.apply(new Op.SliceScatter(0, 1, 3, 10), y));
        Outputs o = run(g, "v", arange(10), "m", arange(3, 5), "y", f64(new double[] {7, 8, 9}, 3));
        assertExact(o.get("step"), Shape.of(3), 1, 4, 7);
        assertExact(o.get("cols"), Shape.of(3, 3), 0, 2, 4, 5, 7, 9, 10, 12, 14);
        assertExact(o.get("tail"), Shape.of(3), 7, 8, 9);
        HostTensor sc = o.get("scatter");
        assertExact(sc, Shape.of(10), 0, 7, 0, 0, 8, 0, 0, 9, 0, 0);
        // Adjoint: <slice(x), y> = <x, scatter(y)> for any x, y.
        double[] x = {0.3, -1, 2, 5, 0.25, -3, 1.5, 4, -2, 6};
        double[] yv = {7, 8, 9};
        double lhs = x[1] * yv[0] + x[4] * yv[1] + x[7] * yv[2], rhs = 0;
        for (int i = 0; i < 10; i++) rhs += x[i] * sc.get(i);
        assertEquals(lhs, rhs, 0);
    }

    @Test
    void sliceScatterOnAnInnerAxis() {
        GraphBuilder g = new GraphBuilder();
        Tensor y = g.input("y", DType.F64, 2, 2);
        g.output("s", g.apply(new Op.SliceScatter(1, 0, 2, 4), y));
        assertExact(run(g, "y", f64(new double[] {1, 2, 3, 4}, 2, 2)).get("s"), Shape.of(2, 4), 1, 0, 2, 0, 3, 0, 4, 0);
    }

    @Test
    void concatAndStack() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F64, 2, 1);
        Tensor b = g.input("b", DType.F64, 2, 2);
        Tensor s0 = g.input("s0", DType.F64, 2);
        Tensor s1 = g.input("s1", DType.F64, 2);
        g.output("cat1", Tensor.concat(1, a, b, a));
        g.output("cat0", Tensor.concat(0, b, b));
        g.output("stack0", Tensor.stack(0, s0, s1));
        g.output("stackLast", Tensor.stack(-1, s0, s1));
        Outputs o = run(g, "a", f64(new double[] {1, 2}, 2, 1), "b", f64(new double[] {3, 4, 5, 6}, 2, 2),
                "s0", f64(new double[] {1, 2}, 2), "s1", f64(new double[] {3, 4}, 2));
        assertExact(o.get("cat1"), Shape.of(2, 4), 1, 3, 4, 1, 2, 5, 6, 2);
        assertExact(o.get("cat0"), Shape.of(4, 2), 3, 4, 5, 6, 3, 4, 5, 6);
        assertExact(o.get("stack0"), Shape.of(2, 2), 1, 2, 3, 4);
        assertExact(o.get("stackLast"), Shape.of(2, 2), 1, 3, 2, 4);
    }

    @Test
    void permuteAndTranspose() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 3, 4);
        Tensor m = g.input("m", DType.F64, 2, 3);
        g.output("p", x.permute(2, 0, 1));
        g.output("t", m.mT());
        Outputs o = run(g, "x", arange(2, 3, 4), "m", arange(2, 3));
        HostTensor p = o.get("p");
        assertEquals(Shape.of(4, 2, 3), p.shape());
        // Output axis i is input axis perm[i]: p[k,i,j] = x[i,j,k] = 12i + 4j + k.
        for (int k = 0; k < 4; k++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) assertEquals(12 * i + 4 * j + k, p.at(k, i, j), 0);
        assertExact(o.get("t"), Shape.of(3, 2), 0, 3, 1, 4, 2, 5);
    }

    @Test
    void expandSqueezeUnsqueezeReshape() {
        GraphBuilder g = new GraphBuilder();
        Tensor c = g.input("c", DType.F64, 3, 1);
        Tensor z = g.input("z", DType.F64, 1, 3, 1);
        g.output("expand", c.expand(2, 3, 2));
        g.output("squeeze", z.squeeze());
        g.output("squeeze0", z.squeeze(0));
        g.output("unsqueeze", z.squeeze().unsqueeze(-1).unsqueeze(0));
        g.output("reshape", c.expand(3, 2).reshape(2, -1));
        Outputs o = run(g, "c", f64(new double[] {1, 2, 3}, 3, 1), "z", f64(new double[] {4, 5, 6}, 1, 3, 1));
        assertExact(o.get("expand"), Shape.of(2, 3, 2), 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
        assertExact(o.get("squeeze"), Shape.of(3), 4, 5, 6);
        assertExact(o.get("squeeze0"), Shape.of(3, 1), 4, 5, 6);
        assertExact(o.get("unsqueeze"), Shape.of(1, 3, 1), 4, 5, 6);
        assertExact(o.get("reshape"), Shape.of(2, 3), 1, 1, 2, 2, 3, 3);
    }

    @Test
    void constantsAndZeroDimensionalValues() {
        GraphBuilder g = new GraphBuilder();
        Tensor k = g.constant(HostTensor.of(new float[] {1.5f, -2f}, 2));
        g.output("k", k.mul(k.sum()));
        assertExact(run(g).get("k"), Shape.of(2), -0.75, 1);
    }
}
