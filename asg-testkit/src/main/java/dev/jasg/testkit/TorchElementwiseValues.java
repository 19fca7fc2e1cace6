package dev.jasg.testkit;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The elementwise functions of issue 14 at their tricky arguments, against the values PyTorch 1.13 computes in
 * float32: round half to even, the signs of fmod and remainder, atan2's quadrants, signed zeros and infinities,
 * nan_to_num's defaults, hypot of huge and tiny values, lerp's exact end, the ends of the inverse functions'
 * domains, GELU's derivatives (gelu_backward). The rows are printed by {@code asg-testkit/src/test/resources/dev/jasg/testkit/make_elementwise_values.py}
 * ({@code /usr/bin/python3 make_elementwise_values.py}). Every backend runs them ({@link #check}).
 */
public final class TorchElementwiseValues {
    /** Allowed relative error of the rows that are not exact: a few f32 ulps. */
    public static final double RELATIVE = 1e-6;
    private static final double INF = Double.POSITIVE_INFINITY, NaN = Double.NaN;

    private TorchElementwiseValues() {}

    /**
     * One row: the function of the fed f32 vectors, the vectors, PyTorch's result (bool results as 0/1), and
     * whether it must match exactly, signed zeros included.
     */
    public record Case(String name, Function<List<Tensor>, Tensor> body, List<double[]> inputs, double[] expected, boolean exact) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every row. */
    public static List<Case> all() {
        List<Case> r = new ArrayList<>();
        r.add(new Case("round: halves to even, no floor(x + 0.5) error", a -> a.get(0).round(), List.of(new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, -0.49999997, 2.4999998, 8388609.0, -0.4, 1e+30}),
                new double[] {-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 0.0, -0.0, 2.0, 8388609.0, -0.0, 1.0000000150474662e+30}, true));
        r.add(new Case("fmod: sign of the dividend, exact", a -> a.get(0).fmod(a.get(1)), List.of(new double[] {5.0, -5.0, 5.0, -5.0, 1.0, -4.0, 5.5, 3.0, 7.0, INF, -7.25, 10000000000.0}, new double[] {3.0, 3.0, -3.0, -3.0, 0.1, 2.0, 0.0, INF, -INF, 1.0, 0.5, 3.0}),
                new double[] {2.0, -2.0, 2.0, -2.0, 0.09999998658895493, -0.0, NaN, 3.0, 7.0, NaN, -0.25, 1.0}, true));
        r.add(new Case("remainder: sign of the divisor", a -> a.get(0).remainder(a.get(1)), List.of(new double[] {5.0, -5.0, 5.0, -5.0, 1.0, -4.0, 5.5, 3.0, 7.0, INF, -7.25, 10000000000.0}, new double[] {3.0, 3.0, -3.0, -3.0, 0.1, 2.0, 0.0, INF, -INF, 1.0, 0.5, 3.0}),
                new double[] {2.0, 1.0, -1.0, -2.0, 0.09999998658895493, -0.0, NaN, 3.0, -INF, NaN, 0.25, 1.0}, true));
        r.add(new Case("atan2: quadrants, signed zeros, infinities", a -> a.get(0).atan2(a.get(1)), List.of(new double[] {0.0, -0.0, 0.0, -0.0, 1.0, 1.0, -1.0, -1.0, 0.0, 1.0, INF, -INF, INF, 1.0, -2.0, 3.0}, new double[] {0.0, 0.0, -0.0, -0.0, 1.0, -1.0, 1.0, -1.0, -1.0, 0.0, INF, INF, -INF, -INF, 0.5, -INF}),
                new double[] {0.0, -0.0, 3.1415927410125732, -3.1415927410125732, 0.7853981256484985, 2.356194496154785, -0.7853981256484985, -2.356194496154785, 3.1415927410125732, 1.5707963705062866, 0.7853981852531433, -0.7853981852531433, 2.356194496154785, 3.1415927410125732, -1.3258177042007446, 3.1415927410125732}, false));
        r.add(new Case("nan_to_num defaults: f32 extremes", a -> a.get(0).nanToNum(), List.of(new double[] {NaN, INF, -INF, 1.5, -0.0}),
                new double[] {0.0, 3.4028234663852886e+38, -3.4028234663852886e+38, 1.5, -0.0}, true));
        r.add(new Case("nan_to_num nan=2 posinf=1", a -> a.get(0).nanToNum(2, 1.0, null), List.of(new double[] {NaN, INF, -INF, 1.5, -0.0}),
                new double[] {2.0, 1.0, -3.4028234663852886e+38, 1.5, -0.0}, true));
        r.add(new Case("hypot: no overflow or underflow", a -> a.get(0).hypot(a.get(1)), List.of(new double[] {3e+30, 3e-30, 2e+38, 0.0, 3.0, -5.0, INF, -INF, 0.0}, new double[] {4e+30, -4e-30, 1e+38, 0.0, -4.0, 12.0, 2.0, 0.0, -7.0}),
                new double[] {4.9999999241216036e+30, 5.000000015855384e-30, 2.2360679155545205e+38, 0.0, 5.0, 13.0, INF, INF, 7.0}, false));
        r.add(new Case("lerp, tensor weight", a -> a.get(0).lerp(a.get(1), a.get(2)), List.of(new double[] {1.0, 0.0, -2.0, 100000000.0, 3.0, -1.0}, new double[] {3.0, 1.0, 5.0, 1.0, 3.0, 7.0}, new double[] {0.5, 1.0, 0.25, 0.9, -0.3, 1.7}),
                new double[] {2.0, 1.0, -0.25, 10000003.0, 3.0, 12.600000381469727}, false));
        r.add(new Case("lerp, weight 1 gives the end exactly", a -> a.get(0).lerp(a.get(1), 1.0), List.of(new double[] {1.0, 0.0, -2.0, 100000000.0, 3.0, -1.0}, new double[] {3.0, 1.0, 5.0, 1.0, 3.0, 7.0}),
                new double[] {3.0, 1.0, 5.0, 1.0, 3.0, 7.0}, true));
        r.add(new Case("lerp, weight 0.3", a -> a.get(0).lerp(a.get(1), 0.3), List.of(new double[] {1.0, 0.0, -2.0, 100000000.0, 3.0, -1.0}, new double[] {3.0, 1.0, 5.0, 1.0, 3.0, 7.0}),
                new double[] {1.600000023841858, 0.30000001192092896, 0.10000008344650269, 70000000.0, 3.0, 1.4000000953674316}, false));
        r.add(new Case("isnan", a -> a.get(0).isnan(), List.of(new double[] {NaN, INF, -INF, 0.0, -1e+38, 1.0}),
                new double[] {1.0, 0.0, 0.0, 0.0, 0.0, 0.0}, true));
        r.add(new Case("isinf", a -> a.get(0).isinf(), List.of(new double[] {NaN, INF, -INF, 0.0, -1e+38, 1.0}),
                new double[] {0.0, 1.0, 1.0, 0.0, 0.0, 0.0}, true));
        r.add(new Case("isfinite", a -> a.get(0).isfinite(), List.of(new double[] {NaN, INF, -INF, 0.0, -1e+38, 1.0}),
                new double[] {0.0, 0.0, 0.0, 1.0, 1.0, 1.0}, true));
        r.add(new Case("frac", a -> a.get(0).frac(), List.of(new double[] {-2.5, 2.25, INF, -0.0, -0.75, 10000000.5}),
                new double[] {-0.5, 0.25, NaN, 0.0, -0.75, 0.0}, true));
        r.add(new Case("trunc", a -> a.get(0).trunc(), List.of(new double[] {-2.5, 2.25, INF, -0.0, -0.75, 10000000.5}),
                new double[] {-2.0, 2.0, INF, -0.0, -0.0, 10000000.0}, true));
        r.add(new Case("ceil", a -> a.get(0).ceil(), List.of(new double[] {-2.5, 2.25, INF, -0.0, -0.75, 10000000.5}),
                new double[] {-2.0, 3.0, INF, -0.0, -0.0, 10000000.0}, true));
        r.add(new Case("floor", a -> a.get(0).floor(), List.of(new double[] {-2.5, 2.25, INF, -0.0, -0.75, 10000000.5}),
                new double[] {-3.0, 2.0, INF, -0.0, -1.0, 10000000.0}, true));
        r.add(new Case("asin: ends of the domain", a -> a.get(0).asin(), List.of(new double[] {-1.0, 1.0, 0.5, -0.25, 0.0, 1.5}),
                new double[] {-1.5707963705062866, 1.5707963705062866, 0.5235987901687622, -0.252680242061615, 0.0, NaN}, false));
        r.add(new Case("acos: ends of the domain", a -> a.get(0).acos(), List.of(new double[] {-1.0, 1.0, 0.5, -0.25, 0.0, 1.5}),
                new double[] {3.1415927410125732, 0.0, 1.0471975803375244, 1.8234765529632568, 1.5707963705062866, NaN}, false));
        r.add(new Case("atanh: ends of the domain", a -> a.get(0).atanh(), List.of(new double[] {-1.0, 1.0, 0.5, -0.25, 0.0, 1.5}),
                new double[] {-INF, INF, 0.5493061542510986, -0.2554128170013428, 0.0, NaN}, false));
        r.add(new Case("acosh, up to the largest floats", a -> a.get(0).acosh(), List.of(new double[] {1.0, 1.5, 10.0, 10000.0, 0.5, INF, 3e+38}),
                new double[] {0.0, 0.9624236822128296, 2.993222951889038, 9.903487205505371, NaN, INF, 89.28999328613281}, false));
        r.add(new Case("sinh", a -> a.get(0).sinh(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {-10.017874717712402, -9.999999747378752e-05, 0.5210952758789062, 3.6268603801727295, 242582592.0, -INF, INF, -INF}, false));
        r.add(new Case("cosh", a -> a.get(0).cosh(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {10.067662239074707, 1.0, 1.1276259422302246, 3.7621958255767822, 242582592.0, INF, INF, INF}, false));
        r.add(new Case("asinh", a -> a.get(0).asinh(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {-1.8184465169906616, -9.999999747378752e-05, 0.4812118411064148, 1.4436354637145996, 3.6895039081573486, -INF, 46.74484634399414, -89.28999328613281}, false));
        r.add(new Case("atan", a -> a.get(0).atan(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {-1.249045729637146, -9.999999747378752e-05, 0.46364760398864746, 1.1071487665176392, 1.5208379030227661, -1.5707963705062866, 1.5707963705062866, -1.5707963705062866}, false));
        r.add(new Case("log2", a -> a.get(0).log2(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {NaN, NaN, -1.0, 1.0, 4.321928024291992, NaN, 66.43856048583984, NaN}, false));
        r.add(new Case("log10", a -> a.get(0).log10(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {NaN, NaN, -0.3010300099849701, 0.3010300099849701, 1.3010300397872925, NaN, 20.0, NaN}, false));
        r.add(new Case("exp2", a -> a.get(0).exp2(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF, 1e+20, -3e+38}),
                new double[] {0.125, 0.9999306797981262, 1.4142135381698608, 4.0, 1048576.0, 0.0, INF, 0.0}, false));
        r.add(new Case("tan", a -> a.get(0).tan(), List.of(new double[] {-3.0, -0.0001, 0.5, 2.0, 20.0, -INF}),
                new double[] {0.14254654943943024, -9.999999747378752e-05, 0.5463024973869324, -2.185039758682251, 2.2371609210968018, NaN}, false));
        r.add(new Case("log2 of powers of two", a -> a.get(0).log2(), List.of(new double[] {8.0, 0.25, 1024.0}),
                new double[] {3.0, -2.0, 10.0}, false));
        r.add(new Case("exp2 of integers", a -> a.get(0).exp2(), List.of(new double[] {3.0, -2.0, 10.0}),
                new double[] {8.0, 0.25, 1024.0}, false));

        r.add(new Case("gelu derivative: gelu_backward with a unit gradient", a -> a.get(0).geluDerivative(), List.of(new double[] {-1.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.2, 4.0, 9.0}),
                new double[] {-0.12746915221214294, -0.08331543207168579, 0.26767227053642273, 0.5, 0.8027297258377075, 1.083315372467041, 1.0641406774520874, 1.000503659248352, 1.0}, false));
        r.add(new Case("gelu tanh derivative: gelu_backward(approximate='tanh')", a -> a.get(0).geluDerivative("tanh"), List.of(new double[] {-1.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.2, 4.0, 9.0}),
                new double[] {-0.12771081924438477, -0.08296409249305725, 0.2677045464515686, 0.5, 0.8026587963104248, 1.0829640626907349, 1.0649189949035645, 1.0003349781036377, 1.0}, false));
        return r;
    }

    /** Runs {@code row} on {@code backend} and compares every element with PyTorch's value. */
    public static void check(Backend backend, Case row) {
        GraphBuilder g = new GraphBuilder();
        List<Tensor> args = new ArrayList<>();
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < row.inputs().size(); i++) {
            double[] v = row.inputs().get(i).clone();
            for (int j = 0; j < v.length; j++) v[j] = (float) v[j];
            args.add(g.input("x" + i, DType.F32, v.length));
            feeds.put("x" + i, HostTensor.fromDoubles(DType.F32, Shape.of(v.length), v));
        }
        g.output("y", row.body().apply(args));
        try (Executable e = backend.compile(g.build())) {
            HostTensor y = e.run(feeds).get("y");
            StringBuilder bad = new StringBuilder();
            for (int i = 0; i < row.expected().length; i++) {
                double want = row.expected()[i], got = y.get(i);
                boolean sameBits = Double.doubleToLongBits(want) == Double.doubleToLongBits(got);  // tells -0 from 0
                boolean ok = Double.isNaN(want) ? Double.isNaN(got)
                        : want == got ? sameBits || want != 0
                        : !row.exact() && !Double.isInfinite(want) && Math.abs(got - want) <= RELATIVE * Math.abs(want);
                if (!ok) {
                    StringBuilder in = new StringBuilder();
                    for (double[] v : row.inputs()) in.append(in.isEmpty() ? "" : ", ").append((float) v[i]);
                    bad.append(String.format("%n  element %d f(%s) = %s, PyTorch %s", i, in, got, want));
                }
            }
            if (!bad.isEmpty()) throw new AssertionError(row.name() + " on " + backend.name() + " differs from PyTorch" + (row.exact() ? " (exact row)" : "") + ":" + bad);
        }
    }
}
