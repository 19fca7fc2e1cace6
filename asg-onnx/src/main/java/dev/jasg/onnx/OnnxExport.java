package dev.jasg.onnx;

import com.google.protobuf.ByteString;
import dev.jasg.core.BinaryOp;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Shape;
import dev.jasg.onnx.proto.OnnxProto.AttributeProto;
import dev.jasg.onnx.proto.OnnxProto.GraphProto;
import dev.jasg.onnx.proto.OnnxProto.ModelProto;
import dev.jasg.onnx.proto.OnnxProto.NodeProto;
import dev.jasg.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.jasg.onnx.proto.OnnxProto.TensorProto;
import dev.jasg.onnx.proto.OnnxProto.TensorShapeProto;
import dev.jasg.onnx.proto.OnnxProto.TypeProto;
import dev.jasg.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a forward JASG graph as an ONNX model (opset 17, IR version 8): inputs and outputs
 * keep their names, symbolic sizes (a batch {@code "B"}) become {@code dim_param}s, parameters
 * become initializers named as the parameters; a reshape or expand to a symbolic size reads it
 * at run time from an input that carries it. Training graphs (gradients, assignments) are not
 * exported. An op with no ONNX counterpart here is an {@link UnsupportedOpException} naming the
 * JASG op and node, thrown before anything is written.
 *
 * <p>Supported: inputs, parameters, constants; neg, abs, exp, log, sqrt, rsqrt, sin, cos, erf,
 * relu, sigmoid, tanh, gelu (erf and tanh forms, as composites), silu, elu, leaky_relu, clamp, floor, round,
 * sign; add, sub, mul, div, pow, maximum, minimum; comparisons and where; sum, mean, max, min
 * reductions; normalize over trailing axes (LayerNormalization); matmul; reshape, permute, expand, slice, concat; softmax, log_softmax; cumsum; cast;
 * detach; the axis-0 gather; conv2d; max pooling with fixed windows; fused attention (as MatMul, Mul, Softmax,
 * MatMul, the causal mask a constant and Where; a causal mask needs concrete sequence lengths).
 */
public final class OnnxExport {
    /** The opset written. */
    public static final int OPSET = 17;

    private OnnxExport() {}

    /** Writes {@code graph} with parameter values from {@code params} (a missing one falls back to an {@code Init.Values} initial value). */
    public static void write(Graph graph, Map<String, HostTensor> params, Path path) {
        write(graph, params::get, path);
    }

    /** Writes {@code graph} with parameter values read from a backend's store. */
    public static void write(Graph graph, Parameters params, Path path) {
        write(graph, n -> params.contains(n) ? params.get(n) : null, path);
    }

    private static void write(Graph graph, Function<String, HostTensor> params, Path path) {
        byte[] bytes = toModel(graph, params).toByteArray();
        try {
            Files.write(path, bytes);
        } catch (IOException e) {
            throw new OnnxException("cannot write ONNX model " + path + ": " + e, e);
        }
    }

    /** The ONNX model of {@code graph}; {@code params} gives parameter values by name (null: none). */
    public static ModelProto toModel(Graph graph, Function<String, HostTensor> params) {
        if (!graph.assignments().isEmpty()) throw new OnnxException("ONNX export: the graph assigns parameters (a training graph); export its forward graph");
        GraphProto.Builder g = GraphProto.newBuilder().setName("jasg");
        Writer w = new Writer(g, graph);
        for (Node n : graph.allNodes()) w.node(n, params);
        for (var e : graph.outputs().entrySet()) {
            Node n = graph.node(e.getValue());
            g.addNode(NodeProto.newBuilder().setOpType("Identity").setName("output:" + e.getKey()).addInput(w.name(n.id())).addOutput(e.getKey()));
            g.addOutput(valueInfo(e.getKey(), n.dtype(), n.shape()));
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("jasg").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).build();
    }

    static ValueInfoProto valueInfo(String name, DType dtype, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < shape.rank(); i++) {
            s.addDim(shape.isSymbolic(i) ? TensorShapeProto.Dimension.newBuilder().setDimParam(shape.symbol(i))
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(shape.dim(i)));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorData.onnxType(dtype)).setShape(s))).build();
    }

    static TensorProto tensor(String name, DType dtype, int[] dims, double[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorData.onnxType(dtype));
        for (int d : dims) t.addDims(d);
        int per = switch (dtype) { case F64, I64 -> 8; case F32, I32 -> 4; case F16, BF16 -> 2; case BOOL -> 1; };
        ByteBuffer b = ByteBuffer.allocate(values.length * per).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (dtype) {
                case F32 -> b.putFloat((float) v);
                case F64 -> b.putDouble(v);
                case F16 -> b.putShort(dev.jasg.core.HalfFloats.toF16Bits((float) v));
                case BF16 -> b.putShort(dev.jasg.core.HalfFloats.toBf16Bits((float) v));
                case I32 -> b.putInt((int) v);
                case I64 -> b.putLong((long) v);
                case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
            }
        }
        return t.setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static final class Writer {
        final GraphProto.Builder g;
        final Map<Integer, String> names = new HashMap<>();
        /** A symbolic size: the input node and axis that carry it. */
        final Map<String, int[]> symbols = new HashMap<>();
        final Map<String, String> symbolValues = new HashMap<>();
        int fresh;

        /** The graph written, for the shapes of a node's operands. */
        final Graph graph;

        Writer(GraphProto.Builder g, Graph graph) {
            this.g = g;
            this.graph = graph;
        }

        String name(int id) {
            String n = names.get(id);
            if (n == null) throw new OnnxException("ONNX export: node " + id + " is used before it is defined");
            return n;
        }

        String konst(DType dtype, int[] dims, double... values) {
            String n = "const_" + fresh++;
            g.addInitializer(tensor(n, dtype, dims, values));
            return n;
        }

        String ints(int... v) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) d[i] = v[i];
            return konst(DType.I64, new int[] {v.length}, d);
        }

        String op(String type, List<String> in, Map<String, Object> attrs) {
            String out = "t" + fresh++;
            add(type, in, attrs, out);
            return out;
        }

        /** {@code erf(x / sqrt 2)}, the exact GELU's and its derivative's normal CDF before {@code 0.5 (1 + .)}. */
        String erfOfScaled(String x) {
            return op("Erf", List.of(op("Mul", List.of(x, konst(DType.F32, new int[0], Math.sqrt(0.5))), Map.of())), Map.of());
        }

        /** {@code tanh(sqrt(2/pi) (x + 0.044715 x^3))} with {@code x2 = x^2}: GELU's tanh form and its derivative. */
        String geluTanhT(String x, String x2) {
            String inner = op("Add", List.of(x, op("Mul", List.of(op("Mul", List.of(x2, x), Map.of()), konst(DType.F32, new int[0], 0.044715)), Map.of())), Map.of());
            return op("Tanh", List.of(op("Mul", List.of(inner, konst(DType.F32, new int[0], Math.sqrt(2 / Math.PI))), Map.of())), Map.of());
        }

        void add(String type, List<String> in, Map<String, Object> attrs, String out) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(out).addAllInput(in).addOutput(out);
            attrs.forEach((k, v) -> n.addAttribute(attr(k, v)));
            g.addNode(n);
        }

        static AttributeProto attr(String k, Object v) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(k);
            if (v instanceof Integer i) a.setType(AttributeProto.AttributeType.INT).setI(i);
            else if (v instanceof Double d) a.setType(AttributeProto.AttributeType.FLOAT).setF(d.floatValue());
            else if (v instanceof int[] is) {
                a.setType(AttributeProto.AttributeType.INTS);
                for (int i : is) a.addInts(i);
            } else throw new IllegalArgumentException("attribute " + k + ": " + v);
            return a.build();
        }

        void node(Node n, Function<String, HostTensor> params) {
            Op op = n.op();
            String where = "node " + n.id() + (n.scope().isEmpty() ? "" : " (" + n.scope() + ")");
            String out = "v" + n.id();
            List<String> in = new java.util.ArrayList<>();
            for (int i : n.inputs()) in.add(name(i));
            String x = in.isEmpty() ? null : in.get(0);
            switch (op) {
                case Op.Input i -> {
                    g.addInput(valueInfo(i.name(), n.dtype(), n.shape()));
                    for (int a = 0; a < n.shape().rank(); a++) {
                        if (n.shape().isSymbolic(a)) symbols.putIfAbsent(n.shape().symbol(a), new int[] {n.id(), a});
                    }
                    names.put(n.id(), i.name());
                    return;
                }
                case Op.Parameter p -> {
                    HostTensor v = params == null ? null : params.apply(p.name());
                    if (v == null && p.init() instanceof Init.Values iv) v = iv.value();
                    if (v == null) throw new OnnxException("ONNX export: no value for parameter '" + p.name() + "' (" + where + ")");
                    if (!v.shape().equals(n.shape())) throw new OnnxException("ONNX export: parameter '" + p.name() + "' has shape " + v.shape() + ", the graph needs " + n.shape());
                    g.addInitializer(tensor(p.name(), n.dtype(), n.shape().dims(), v.toDoubles()));
                    names.put(n.id(), p.name());
                    return;
                }
                case Op.Constant c -> {
                    String name = "c" + n.id();
                    g.addInitializer(tensor(name, n.dtype(), c.value().shape().dims(), c.value().toDoubles()));
                    names.put(n.id(), name);
                    return;
                }
                case Op.Unary u -> unary(u, x, out, where);
                case Op.Binary b -> add(switch (b.kind()) {
                    case ADD -> "Add";
                    case SUB -> "Sub";
                    case MUL -> "Mul";
                    case DIV -> "Div";
                    case POW -> "Pow";
                    case MAXIMUM -> "Max";
                    case MINIMUM -> "Min";
                    default -> throw unsupported(b.kind().toString(), where);
                }, in, Map.of(), out);
                case Op.Compare c -> {
                    switch (c.kind()) {
                        case EQ -> add("Equal", in, Map.of(), out);
                        case LT -> add("Less", in, Map.of(), out);
                        case LE -> add("LessOrEqual", in, Map.of(), out);
                        case GT -> add("Greater", in, Map.of(), out);
                        case GE -> add("GreaterOrEqual", in, Map.of(), out);
                        case NE -> add("Not", List.of(op("Equal", in, Map.of())), Map.of(), out);
                    }
                }
                case Op.Where w -> add("Where", in, Map.of(), out);
                case Op.Reduce r -> {
                    int[] axes = r.axes().toArray();
                    int keep = r.keepDims() ? 1 : 0;
                    switch (r.kind()) {
                        case SUM -> add("ReduceSum", List.of(x, ints(axes)), Map.of("keepdims", keep), out);
                        case MEAN -> add("ReduceMean", List.of(x), Map.of("axes", axes, "keepdims", keep), out);
                        case MAX -> add("ReduceMax", List.of(x), Map.of("axes", axes, "keepdims", keep), out);
                        case MIN -> add("ReduceMin", List.of(x), Map.of("axes", axes, "keepdims", keep), out);
                    }
                }
                case Op.MatMul m -> add("MatMul", in, Map.of(), out);
                case Op.Reshape r -> add("Reshape", List.of(x, shapeTensor(r.target(), where)), Map.of(), out);
                case Op.Permute p -> add("Transpose", in, Map.of("perm", p.perm().toArray()), out);
                case Op.Expand e -> add("Expand", List.of(x, shapeTensor(e.target(), where)), Map.of(), out);
                case Op.Slice s -> add("Slice", List.of(x, ints(s.start()), ints(s.end()), ints(s.axis()), ints(s.step())), Map.of(), out);
                case Op.Concat c -> add("Concat", in, Map.of("axis", c.axis()), out);
                case Op.Softmax s -> add("Softmax", in, Map.of("axis", s.axis()), out);
                case Op.LogSoftmax s -> add("LogSoftmax", in, Map.of("axis", s.axis()), out);
                case Op.Cast c -> add("Cast", in, Map.of("to", TensorData.onnxType(c.to())), out);
                case Op.StopGradient s -> add("Identity", in, Map.of(), out);
                case Op.Gather ga -> add("Gather", in, Map.of("axis", 0), out);
                case Op.Conv2d c -> {
                    ConvGeometry k = c.geometry();
                    add("Conv", in, Map.of("strides", new int[] {k.strideH(), k.strideW()},
                            "pads", new int[] {k.padTop(), k.padLeft(), k.padBottom(), k.padRight()},
                            "dilations", new int[] {k.dilationH(), k.dilationW()}, "group", k.groups()), out);
                }
                case Op.Normalize z -> {
                    // ONNX LayerNormalization (opset 17) normalises the trailing axes from `axis` on, with scale 1 and bias 0
                    int r = n.shape().rank();
                    int[] ax = z.axes().toArray().clone();
                    java.util.Arrays.sort(ax);
                    for (int i = 0; i < ax.length; i++) if (ax[i] != r - ax.length + i) throw unsupported("normalize over non-trailing axes " + z.axes(), where);
                    int[] dims = n.shape().sub(r - ax.length, r).dimsOrSymbolic();
                    int count = 1;
                    for (int d : dims) {
                        if (d < 0) throw unsupported("normalize over a symbolic axis", where);
                        count *= d;
                    }
                    double[] ones = new double[count];
                    java.util.Arrays.fill(ones, 1);
                    add("LayerNormalization", List.of(x, konst(n.dtype(), dims, ones), konst(n.dtype(), dims, new double[count])),
                            Map.of("axis", r - ax.length, "epsilon", z.eps()), out);
                }
                case Op.CumSum c -> add("CumSum", List.of(x, ints(c.axis())), Map.of("reverse", c.reverse() ? 1 : 0), out);
                case Op.MaxPoolSelect m -> {
                    if (n.input(0) != n.input(1) || !(m.window() instanceof PoolWindow.Fixed f)) throw unsupported("max_pool_select (other than max_pool2d)", where);
                    add("MaxPool", List.of(x), Map.of("kernel_shape", new int[] {f.kernelH(), f.kernelW()}, "strides", new int[] {f.strideH(), f.strideW()},
                            "pads", new int[] {f.padH(), f.padW(), f.padH(), f.padW()}, "dilations", new int[] {f.dilationH(), f.dilationW()},
                            "ceil_mode", f.ceilMode() ? 1 : 0), out);
                }
                case Op.Attention a -> attention(a, n, in, out, where);
                default -> throw unsupported(op.getClass().getSimpleName(), where);
            }
            names.put(n.id(), out);
        }

        /**
         * Fused attention as opset 17 has no Attention op: {@code MatMul(Softmax(Where(causal, MatMul(q, k^T) * scale, -1e9)), v)},
         * the causal mask a BOOL constant {@code [Lq, Lk]} broadcast over the leading axes (as JASG's composite masks,
         * so a masked key's weight is exactly 0). Half operands are cast to f32 first: JASG's result is f32.
         */
        private void attention(Op.Attention a, Node n, List<String> in, String out, String where) {
            DType t = n.dtype();
            List<String> qkv = new java.util.ArrayList<>(in);
            if (t != DType.F64) {
                for (int i = 0; i < 3; i++) qkv.set(i, op("Cast", List.of(qkv.get(i)), Map.of("to", TensorData.onnxType(DType.F32))));
            }
            int r = n.shape().rank();
            int[] perm = new int[r];
            for (int i = 0; i < r; i++) perm[i] = i;
            perm[r - 2] = r - 1;
            perm[r - 1] = r - 2;
            String kt = op("Transpose", List.of(qkv.get(1)), Map.of("perm", perm));
            String s = op("Mul", List.of(op("MatMul", List.of(qkv.get(0), kt), Map.of()), konst(t, new int[0], a.scale())), Map.of());
            if (a.causal()) {
                Shape qs = n.shape(), ks = graph.node(n.input(1)).shape();
                if (qs.isSymbolic(r - 2) || ks.isSymbolic(r - 2)) throw unsupported("causal attention with a symbolic sequence length", where);
                int lq = qs.dim(r - 2), lk = ks.dim(r - 2);
                double[] keep = new double[lq * lk];
                for (int i = 0; i < lq; i++) for (int j = 0; j <= Math.min(i, lk - 1); j++) keep[i * lk + j] = 1;
                s = op("Where", List.of(konst(DType.BOOL, new int[] {lq, lk}, keep), s, konst(t, new int[0], -1e9)), Map.of());
            }
            add("MatMul", List.of(op("Softmax", List.of(s), Map.of("axis", -1)), qkv.get(2)), Map.of(), out);
        }

        private static UnsupportedOpException unsupported(String op, String where) {
            return new UnsupportedOpException(op, where, "no ONNX export mapping");
        }

        /**
         * The INT64 shape vector of {@code target}: a constant when it is concrete, else the
         * concatenation of constant runs and each symbolic size read at run time from an input
         * that carries it ({@code Shape} with start/end).
         */
        private String shapeTensor(Shape target, String where) {
            if (target.isConcrete()) return ints(target.dims());
            List<String> parts = new java.util.ArrayList<>();
            List<Integer> run = new java.util.ArrayList<>();
            for (int i = 0; i < target.rank(); i++) {
                if (!target.isSymbolic(i)) {
                    run.add(target.dim(i));
                    continue;
                }
                if (!run.isEmpty()) parts.add(ints(run.stream().mapToInt(Integer::intValue).toArray()));
                run.clear();
                String sym = target.symbol(i);
                String v = symbolValues.get(sym);
                if (v == null) {
                    int[] at = symbols.get(sym);
                    if (at == null) throw unsupported("a shape with the symbolic size '" + sym + "' that no graph input carries", where);
                    v = op("Shape", List.of(name(at[0])), Map.of("start", at[1], "end", at[1] + 1));
                    symbolValues.put(sym, v);
                }
                parts.add(v);
            }
            if (!run.isEmpty()) parts.add(ints(run.stream().mapToInt(Integer::intValue).toArray()));
            return parts.size() == 1 ? parts.get(0) : op("Concat", parts, Map.of("axis", 0));
        }

        private void unary(Op.Unary u, String x, String out, String where) {
            switch (u.kind()) {
                case NEG -> add("Neg", List.of(x), Map.of(), out);
                case ABS -> add("Abs", List.of(x), Map.of(), out);
                case SIGN -> add("Sign", List.of(x), Map.of(), out);
                case EXP -> add("Exp", List.of(x), Map.of(), out);
                case LOG -> add("Log", List.of(x), Map.of(), out);
                case SQRT -> add("Sqrt", List.of(x), Map.of(), out);
                case RSQRT -> add("Reciprocal", List.of(op("Sqrt", List.of(x), Map.of())), Map.of(), out);
                case SIN -> add("Sin", List.of(x), Map.of(), out);
                case COS -> add("Cos", List.of(x), Map.of(), out);
                case ERF -> add("Erf", List.of(x), Map.of(), out);
                case RELU -> add("Relu", List.of(x), Map.of(), out);
                case SIGMOID -> add("Sigmoid", List.of(x), Map.of(), out);
                case TANH -> add("Tanh", List.of(x), Map.of(), out);
                case FLOOR -> add("Floor", List.of(x), Map.of(), out);
                case ROUND -> add("Round", List.of(x), Map.of(), out);
                case LEAKY_RELU -> add("LeakyRelu", List.of(x), Map.of("alpha", u.a()), out);
                case ELU -> add("Elu", List.of(x), Map.of("alpha", u.a()), out);
                case SILU -> add("Mul", List.of(x, op("Sigmoid", List.of(x), Map.of())), Map.of(), out);
                case GELU -> {
                    // 0.5 x (1 + erf(x / sqrt 2)): opset 17 has no Gelu
                    String h = op("Mul", List.of(x, op("Add", List.of(erfOfScaled(x), konst(DType.F32, new int[0], 1)), Map.of())), Map.of());
                    add("Mul", List.of(h, konst(DType.F32, new int[0], 0.5)), Map.of(), out);
                }
                case GELU_TANH -> {
                    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                    String th = geluTanhT(x, op("Mul", List.of(x, x), Map.of()));
                    String h = op("Mul", List.of(x, op("Add", List.of(th, konst(DType.F32, new int[0], 1)), Map.of())), Map.of());
                    add("Mul", List.of(h, konst(DType.F32, new int[0], 0.5)), Map.of(), out);
                }
                case GELU_DERIVATIVE -> {
                    // 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi)
                    String cdf = op("Mul", List.of(op("Add", List.of(erfOfScaled(x), konst(DType.F32, new int[0], 1)), Map.of()), konst(DType.F32, new int[0], 0.5)), Map.of());
                    String g = op("Exp", List.of(op("Mul", List.of(op("Mul", List.of(x, x), Map.of()), konst(DType.F32, new int[0], -0.5)), Map.of())), Map.of());
                    String pdf = op("Mul", List.of(g, konst(DType.F32, new int[0], 1 / Math.sqrt(2 * Math.PI))), Map.of());
                    add("Add", List.of(cdf, op("Mul", List.of(x, pdf), Map.of())), Map.of(), out);
                }
                case GELU_TANH_DERIVATIVE -> {
                    // 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3c x^2), t = tanh(k (x + c x^3))
                    String x2 = op("Mul", List.of(x, x), Map.of());
                    String t = geluTanhT(x, x2);
                    String half = op("Mul", List.of(op("Add", List.of(t, konst(DType.F32, new int[0], 1)), Map.of()), konst(DType.F32, new int[0], 0.5)), Map.of());
                    String sech2 = op("Sub", List.of(konst(DType.F32, new int[0], 1), op("Mul", List.of(t, t), Map.of())), Map.of());
                    String slope = op("Mul", List.of(op("Add", List.of(op("Mul", List.of(x2, konst(DType.F32, new int[0], 3 * 0.044715)), Map.of()),
                            konst(DType.F32, new int[0], 1)), Map.of()), konst(DType.F32, new int[0], 0.5 * Math.sqrt(2 / Math.PI))), Map.of());
                    add("Add", List.of(half, op("Mul", List.of(op("Mul", List.of(x, sech2), Map.of()), slope), Map.of())), Map.of(), out);
                }
                case CLAMP -> {
                    String lo = Double.isInfinite(u.a()) ? "" : konst(DType.F32, new int[0], u.a());
                    String hi = Double.isInfinite(u.b()) ? "" : konst(DType.F32, new int[0], u.b());
                    add("Clip", List.of(x, lo, hi), Map.of(), out);
                }
                default -> throw unsupported(u.kind().toString(), where);
            }
        }
    }
}
