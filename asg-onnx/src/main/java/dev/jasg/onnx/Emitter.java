package dev.jasg.onnx;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Pooling;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.onnx.proto.OnnxProto.AttributeProto;
import dev.jasg.onnx.proto.OnnxProto.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the JASG nodes of an imported ONNX graph on a {@link GraphBuilder}: one exhaustive
 * switch over the supported op types. Values known on the host (initializers that are not
 * trained, {@code Constant} nodes, {@code Shape} of static shapes and what is computed from them
 * by {@code Gather}, {@code Concat}, {@code Unsqueeze}, {@code Squeeze}, {@code Cast}) are folded
 * here, so that {@code Reshape} and friends see constant shapes.
 */
final class Emitter {
    /** Every ONNX op type (default domain) the importer maps; checked for the whole graph before building. */
    static final Set<String> SUPPORTED = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Relu",
            "Sigmoid", "Tanh", "Erf", "LeakyRelu", "Clip", "MatMul", "Gemm", "Conv", "MaxPool", "AveragePool",
            "GlobalAveragePool", "BatchNormalization", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat",
            "Softmax", "LogSoftmax", "Identity", "Dropout", "Constant", "Gather", "Shape", "ReduceMean", "ReduceSum", "Cast",
            "Reciprocal", "Max", "Min", "Sin", "Cos", "Floor", "Ceil", "Round", "Sign", "Elu", "Softplus", "Where", "Equal", "Less",
            "LessOrEqual", "Greater", "GreaterOrEqual", "ReduceMax", "ReduceMin", "Expand", "Slice", "Pad", "LayerNormalization", "CumSum",
            "Sum", "Mean", "HardSigmoid", "HardSwish", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare", "ReduceProd",
            "ReduceLogSum", "Split", "Tile", "Trilu", "Mod", "ArgMax", "ArgMin", "Size", "CastLike", "PRelu",
            "GatherElements", "ScatterElements", "Scatter", "Einsum", "Range", "ConstantOfShape",
            "Hardmax", "IsNaN", "IsInf", "Not", "And", "Or", "Xor", "DepthToSpace", "SpaceToDepth",
            "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss", "MeanVarianceNormalization", "Resize", "GatherND",
            "HannWindow", "HammingWindow", "BlackmanWindow", "LRN", "DequantizeLinear", "ScatterND", "RNN", "GRU", "LSTM", "QuantizeLinear");

    /** Ops that take a {@link Val#merged} value. */
    private static final Set<String> TAKES_MERGED = Set.of("Gemm", "Reshape", "Identity");

    /** A value: a graph tensor, a host constant, or both. {@code sym[i]} names a symbolic size held by a folded shape vector. */
    static final class Val {
        Tensor t;
        TensorData c;
        String[] sym;
        Shape shape;
        /**
         * When above 0: the ONNX value is {@code t} with its first {@code merged} axes flattened into one, a
         * {@code Reshape} to {@code [-1, ...]} over several symbolic sizes (B*T, which no single symbol names) kept
         * unflattened; only Gemm, Reshape and elementwise ops take it.
         */
        int merged;

        Val(Tensor t) {
            this.t = t;
            this.shape = t.shape();
        }

        Val(TensorData c, String[] sym) {
            this.c = c;
            this.sym = sym;
            this.shape = Shape.of(c.dims());
        }
    }

    private final GraphBuilder b;
    private final int opset;
    private final Map<String, Val> values = new HashMap<>();
    private NodeProto node;
    private String nodeName;

    private final Set<String> widened;
    private final Map<String, Integer> declared;

    Emitter(GraphBuilder b, int opset, Set<String> widened, Map<String, Integer> declared) {
        this.b = b;
        this.opset = opset;
        this.widened = widened;
        this.declared = declared;
    }

    void define(String name, Val v) {
        values.put(name, v);
    }

    Val value(String name) {
        return values.get(name);
    }

    /** Emits one node (its outputs become defined). Errors name the node and its op. */
    void emit(NodeProto n, String name) {
        this.node = n;
        this.nodeName = name;
        try {
            Val[] out = apply(n.getOpType());
            for (int i = 0; i < n.getOutputCount(); i++) {
                String o = n.getOutput(i);
                if (o.isEmpty()) continue;
                if (i >= out.length || out[i] == null) throw unsupported("output " + i + " ('" + o + "') is not computed by JASG's " + n.getOpType());
                values.put(o, out[i]);
            }
        } catch (OnnxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new OnnxException("ONNX node '" + name + "' (" + n.getOpType() + ", inputs " + n.getInputList() + "): " + e.getMessage(), e);
        }
    }

    private Val[] apply(String op) {
        return switch (op) {
            case "Add", "Sub", "Mul", "Div" -> arith(op);
            case "Pow" -> one(t(0).pow(t(1).cast(t(0).dtype())));
            case "Sqrt" -> one(t(0).sqrt());
            case "Exp" -> one(t(0).exp());
            case "Log" -> one(t(0).log());
            case "Neg", "Abs" -> {
                Val v = in(0);
                if (foldable(v) && v.sym == null && HostFold.integral(v.c.dtype())) {
                    // integer shape arithmetic (the expanded LayerNormalization negates its axis)
                    double[] r = v.c.values().clone();
                    for (int i = 0; i < r.length; i++) r[i] = op.equals("Neg") ? -r[i] : Math.abs(r[i]);
                    yield new Val[] {new Val(new TensorData(v.c.dtype(), v.c.dims(), r), null)};
                }
                yield one(op.equals("Neg") ? t(0).neg() : t(0).abs());
            }
            case "Relu" -> one(t(0).relu());
            case "Sigmoid" -> one(t(0).sigmoid());
            case "Tanh" -> one(t(0).tanh());
            case "Erf" -> one(t(0).erf());
            case "LeakyRelu" -> one(t(0).leakyRelu(attrF("alpha", 0.01f)));
            case "Clip" -> one(t(0).clamp(has(1) ? scalar(1) : Double.NEGATIVE_INFINITY, has(2) ? scalar(2) : Double.POSITIVE_INFINITY));
            case "MatMul" -> one(t(0).matmul(t(1)));
            case "Gemm" -> new Val[] {gemm()};
            case "Conv" -> one(conv());
            case "MaxPool" -> maxPool();
            case "AveragePool" -> one(avgPool());
            case "GlobalAveragePool" -> one(t(0).mean(range(2, t(0).rank()), true));
            case "BatchNormalization" -> attrI("training_mode", 0) != 0 ? batchNormTraining() : one(batchNorm());
            case "Flatten" -> one(flatten());
            case "Reshape" -> one(reshape());
            case "Transpose" -> one(transpose());
            case "Squeeze" -> one(squeeze());
            case "Unsqueeze" -> one(unsqueeze());
            case "Concat" -> one(concat());
            case "Softmax" -> one(t(0).softmax((int) attrI("axis", -1)));
            case "LogSoftmax" -> one(t(0).logSoftmax((int) attrI("axis", -1)));
            case "Identity" -> new Val[] {in(0)};
            case "Dropout" -> dropout();
            case "Constant" -> new Val[] {constant()};
            case "Gather" -> one(gather());
            case "Shape" -> new Val[] {shapeOf()};
            case "ReduceMean", "ReduceSum" -> one(reduce(op.equals("ReduceMean")));
            case "Cast" -> one(cast());
            case "Reciprocal" -> one(t(0).reciprocal());
            case "Max", "Min" -> one(variadic(op.equals("Max")));
            case "Sin" -> one(t(0).sin());
            case "Cos" -> one(t(0).cos());
            case "Floor" -> one(t(0).floor());
            case "Ceil" -> one(t(0).ceil());
            case "Round" -> one(t(0).round());
            case "Sign" -> one(t(0).sign());
            case "Elu" -> one(t(0).elu(attrF("alpha", 1f)));
            case "Softplus" -> one(t(0).softplus(1, Double.POSITIVE_INFINITY));
            case "Where" -> where();
            case "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual" -> arith(op);
            case "ReduceMax", "ReduceMin" -> one(reduceMaxMin(op.equals("ReduceMax")));
            case "Expand" -> one(expand());
            case "Slice" -> new Val[] {slice()};
            case "Pad" -> one(pad());
            case "Sum", "Mean" -> {
                Tensor y = t(0);
                for (int i = 1; i < node.getInputCount(); i++) y = y.add(t(i));
                yield one(op.equals("Mean") ? y.div(node.getInputCount()) : y);
            }
            case "HardSigmoid" -> one(t(0).mul(attrF("alpha", 0.2f)).add(attrF("beta", 0.5f)).clamp(0, 1));
            case "HardSwish" -> one(t(0).hardswish());
            case "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare", "ReduceProd", "ReduceLogSum" -> one(reduceOther(op));
            case "Split" -> split();
            case "Tile" -> {
                long[] r = c(1).longs("node '" + nodeName + "' repeats");
                int[] d = new int[r.length];
                for (int i = 0; i < d.length; i++) d[i] = Math.toIntExact(r[i]);
                Tensor x = t(0);
                if (x.rank() <= 3) yield one(x.tile(d));
                // one broadcast over 2 x rank axes exceeds what the Vulkan kernels take: repeat axis by axis instead
                for (int a = 0; a < d.length; a++) {
                    if (d[a] == 1) continue;
                    Tensor[] copies = new Tensor[d[a]];
                    Arrays.fill(copies, x);
                    x = d[a] == 0 ? x.slice(a, 0, 0) : Tensor.concat(a, copies);
                }
                yield one(x);
            }
            case "Trilu" -> one(trilu());
            case "Mod" -> one(attrI("fmod", 0) != 0 ? t(0).fmod(t(1)) : t(0).remainder(t(1)));
            case "ArgMax", "ArgMin" -> {
                int axis = (int) attrI("axis", 0);
                boolean keep = attrI("keepdims", 1) != 0;
                if (attrI("select_last_index", 0) != 0) {
                    // the last extreme: a reverse running count of the extremes is 1 there; its coordinate is summed out
                    Tensor x = t(0);
                    int a = norm(axis, x.rank(), op);
                    Tensor m = x.eq(op.equals("ArgMax") ? x.max(a, true) : x.min(a, true)).cast(DType.F32);
                    Tensor last = m.mul(m.cumsum(a, true).eq(1).cast(DType.F32));
                    Tensor coord = m.mul(0).add(1).cumsum(a).sub(1);
                    yield one(last.mul(coord).sum(new int[] {a}, keep).cast(DType.I32));
                }
                yield one(op.equals("ArgMax") ? t(0).argmax(axis, keep) : t(0).argmin(axis, keep));
            }
            case "Size" -> {
                Shape sh = in(0).shape;
                if (!sh.isConcrete()) throw unsupported("Size of a tensor with a symbolic size " + sh);
                yield new Val[] {new Val(new TensorData(DType.I64, new int[0], new double[] {sh.size()}), null)};
            }
            case "CastLike" -> {
                if (widened.contains(node.getInput(1))) throw unsupported("a cast to a 16-bit float (JASG has no such dtype to round to)");
                Val v = in(0);
                DType dt = in(1).t != null ? in(1).t.dtype() : in(1).c.dtype();
                yield new Val[] {v.c != null && v.t == null ? new Val(new TensorData(dt, v.c.dims(), v.c.values()), v.sym) : new Val(tensor(v).cast(dt))};
            }
            case "PRelu" -> {
                Tensor x = t(0), slope = t(1);
                yield one(x.lt(0).where(x.mul(slope), x));
            }
            case "CumSum" -> one(cumsum());
            case "HannWindow", "HammingWindow", "BlackmanWindow" -> new Val[] {window(op)};
            case "LRN" -> one(lrn());
            case "DequantizeLinear" -> one(dequantize());
            case "QuantizeLinear" -> one(quantize());
            case "ScatterND" -> one(scatterNd());
            case "RNN", "GRU", "LSTM" -> recurrent(op);
            case "LayerNormalization" -> layerNorm();
            case "Hardmax" -> {
                Tensor x = t(0);
                int axis = norm((int) attrI("axis", -1), x.rank(), "Hardmax");
                Tensor m = x.eq(x.max(axis, true)).cast(DType.F32);
                yield one(m.mul(m.cumsum(axis).eq(1).cast(DType.F32)).cast(x.dtype())); // the first maximum only
            }
            case "IsNaN" -> one(t(0).isnan());
            case "IsInf" -> {
                Tensor x = t(0);
                boolean pos = attrI("detect_positive", 1) != 0, neg = attrI("detect_negative", 1) != 0;
                if (pos && neg) yield one(x.isinf());
                if (!pos && !neg) throw unsupported("detect_positive=0 with detect_negative=0");
                yield one(x.eq(pos ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY));
            }
            case "Not" -> one(t(0).cast(DType.F32).eq(0));
            case "And" -> one(t(0).cast(DType.F32).mul(t(1).cast(DType.F32)).ne(0));
            case "Or" -> one(t(0).cast(DType.F32).add(t(1).cast(DType.F32)).ne(0));
            case "Xor" -> one(t(0).cast(DType.F32).ne(t(1).cast(DType.F32)));
            case "DepthToSpace", "SpaceToDepth" -> one(depthSpace(op.equals("DepthToSpace")));
            case "NegativeLogLikelihoodLoss" -> one(nll(t(0), t(1), has(2) ? t(2) : null));
            case "SoftmaxCrossEntropyLoss" -> {
                Tensor logProb = t(0).logSoftmax(1);
                yield new Val[] {new Val(nll(logProb, t(1), has(2) ? t(2) : null)), new Val(logProb)};
            }
            case "MeanVarianceNormalization" -> {
                Tensor x = t(0);
                int[] axes = attrInts("axes", new int[] {0, 2, 3});
                Tensor c = x.sub(x.mean(axes, true));
                yield one(c.div(c.square().mean(axes, true).sqrt().add(1e-9)));
            }
            case "Resize" -> one(resize());
            case "GatherND" -> one(gatherNd());
            case "GatherElements" -> {
                Tensor x = t(0);
                int axis = norm((int) attrI("axis", 0), x.rank(), "GatherElements");
                yield one(x.gather(axis, elementIndex(x, axis)));
            }
            case "ScatterElements", "Scatter" -> {
                Tensor x = t(0);
                int axis = norm((int) attrI("axis", 0), x.rank(), op);
                String red = attrS("reduction", "none");
                Tensor idx = elementIndex(x, axis), src = t(2).cast(x.dtype());
                yield switch (red) {
                    case "none" -> one(x.scatter(axis, idx, src));
                    case "add" -> one(x.scatterAdd(axis, idx, src));
                    default -> throw unsupported("reduction='" + red + "' (none and add are supported)");
                };
            }
            case "Einsum" -> {
                String eq = attrS("equation", "").replace(" ", "");
                if (eq.contains("...")) throw unsupported("equation '" + eq + "' has an ellipsis");
                Tensor[] ops = new Tensor[node.getInputCount()];
                for (int i = 0; i < ops.length; i++) ops[i] = t(i);
                yield one(Tensor.einsum(eq, ops));
            }
            case "Range" -> {
                TensorData start = c(0);
                double s0 = scalar(0), lim = scalar(1), d = scalar(2);
                if (in(0).sym != null || in(2).sym != null) throw unsupported("a symbolic start or delta");
                if (in(1).sym != null && in(1).sym[0] != null) {
                    // arange(T): the positions of a sequence of symbolic length
                    if (s0 != 0 || d != 1) throw unsupported("the symbolic limit '" + in(1).sym[0] + "' with start " + s0 + " and delta " + d + " (start 0, delta 1 is supported)");
                    yield one(coordinates(in(1).sym[0]).cast(start.dtype()));
                }
                if (d == 0) throw new IllegalArgumentException("Range: delta is 0");
                long n = Math.max((long) Math.ceil((lim - s0) / d), 0);
                if (n > TensorData.MAX_ELEMENTS) throw new IllegalArgumentException("Range: " + n + " elements");
                double[] v = new double[(int) n];
                for (int i = 0; i < v.length; i++) v[i] = s0 + i * d;
                yield new Val[] {new Val(new TensorData(start.dtype(), new int[] {v.length}, v), null)};
            }
            case "ConstantOfShape" -> {
                Val sv = in(0);
                long[] dl = c(0).longs("node '" + nodeName + "' shape");
                AttributeProto va0 = attr("value");
                if (sv.sym != null) {
                    // a symbolic shape: the fill value broadcast at run time
                    TensorData f0 = va0 == null ? new TensorData(DType.F32, new int[0], new double[] {0})
                            : TensorData.decode(va0.getT(), null, "ConstantOfShape node '" + nodeName + "'");
                    if (f0.size() != 1) throw new IllegalArgumentException("ConstantOfShape: value holds " + f0.size() + " elements, not 1");
                    Object[] parts = new Object[dl.length];
                    for (int i = 0; i < dl.length; i++) parts[i] = sv.sym[i] != null ? sv.sym[i] : (Object) Math.toIntExact(dl[i]);
                    yield one(b.scalar(f0.values()[0], f0.dtype()).broadcastTo(Shape.symbolic(parts)));
                }
                int[] dims = new int[dl.length];
                long count = 1;
                for (int i = 0; i < dims.length; i++) {
                    if (dl[i] < 0) throw new IllegalArgumentException("ConstantOfShape: negative size " + dl[i]);
                    dims[i] = Math.toIntExact(dl[i]);
                    count *= dims[i];
                    if (count > TensorData.MAX_ELEMENTS) throw new IllegalArgumentException("ConstantOfShape: more than " + TensorData.MAX_ELEMENTS + " elements");
                }
                AttributeProto va = attr("value");
                TensorData fill = va == null ? new TensorData(DType.F32, new int[0], new double[] {0})
                        : TensorData.decode(va.getT(), null, "ConstantOfShape node '" + nodeName + "'");
                if (fill.size() != 1) throw new IllegalArgumentException("ConstantOfShape: value holds " + fill.size() + " elements, not 1");
                double[] v = new double[(int) count];
                Arrays.fill(v, fill.values()[0]);
                yield new Val[] {new Val(new TensorData(fill.dtype(), dims, v), null)};
            }
            default -> throw unsupported("no mapping");
        };
    }

    // ---- helpers ---------------------------------------------------------------------------

    private UnsupportedOpException unsupported(String why) {
        return new UnsupportedOpException(node.getOpType(), nodeName, why);
    }

    private static Val[] one(Object v) {
        return new Val[] {v instanceof Val val ? val : new Val((Tensor) v)};
    }

    private boolean has(int i) {
        return i < node.getInputCount() && !node.getInput(i).isEmpty();
    }

    private Val in(int i) {
        if (!has(i)) throw new OnnxException("ONNX node '" + nodeName + "' (" + node.getOpType() + "): input " + i + " is missing");
        Val v = values.get(node.getInput(i));
        if (v == null) throw new OnnxException("ONNX node '" + nodeName + "' (" + node.getOpType() + "): input '" + node.getInput(i) + "' is not defined before it");
        if (v.merged > 0 && !TAKES_MERGED.contains(node.getOpType())) {
            throw unsupported("input '" + node.getInput(i) + "' is a reshape of " + v.t.shape() + " to [-1, ...], whose first axis is a product of "
                    + "symbolic sizes; only Gemm and Reshape take such a value");
        }
        return v;
    }

    /** Input {@code i} as a graph tensor (a folded constant becomes a constant node). */
    private Tensor t(int i) {
        return tensor(in(i));
    }

    private Tensor tensor(Val v) {
        if (v.t == null) {
            if (v.sym != null) for (String s : v.sym) if (s != null) {
                throw new OnnxException("ONNX node '" + nodeName + "' (" + node.getOpType() + "): a shape holding the symbolic size '" + s
                        + "' is used as data; only Reshape and the shape folding of Gather, Concat, Unsqueeze, Squeeze and Cast can take it");
            }
            v.t = b.constant(v.c.toHost());
        }
        return v.t;
    }

    /** Input {@code i} as a host constant. */
    private TensorData c(int i) {
        Val v = in(i);
        if (v.c == null) throw unsupported("input " + i + " ('" + node.getInput(i) + "') must be a constant (an initializer, a Constant or a folded static shape)");
        return v.c;
    }

    private double scalar(int i) {
        TensorData d = c(i);
        if (d.size() != 1) throw new OnnxException("ONNX node '" + nodeName + "': input " + i + " must hold one value, holds " + d.size());
        return d.values()[0];
    }

    private AttributeProto attr(String name) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private long attrI(String name, long dflt) {
        AttributeProto a = attr(name);
        return a == null ? dflt : a.getI();
    }

    private float attrF(String name, float dflt) {
        AttributeProto a = attr(name);
        return a == null ? dflt : a.getF();
    }

    private String attrS(String name, String dflt) {
        AttributeProto a = attr(name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    private int[] attrInts(String name, int[] dflt) {
        AttributeProto a = attr(name);
        if (a == null) return dflt;
        int[] r = new int[a.getIntsCount()];
        for (int i = 0; i < r.length; i++) r[i] = Math.toIntExact(a.getInts(i));
        return r;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    private static int[] filled(int n, int v) {
        int[] r = new int[n];
        Arrays.fill(r, v);
        return r;
    }

    private int[] axesOf(int input, String attrName) {
        if (has(input)) {
            long[] l = c(input).longs("node '" + nodeName + "' axes");
            int[] r = new int[l.length];
            for (int i = 0; i < r.length; i++) r[i] = Math.toIntExact(l[i]);
            return r;
        }
        return attrInts(attrName, null);
    }

    private static int norm(int axis, int rank, String what) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException(what + ": axis " + axis + " is outside rank " + rank);
        return a;
    }

    // ---- ops -------------------------------------------------------------------------------

    /** Input 1 as the I32 index of GatherElements/ScatterElements, negative values counting from the end of {@code axis}. */
    private Tensor elementIndex(Tensor x, int axis) {
        Tensor i = t(1).cast(DType.I32);
        if (!x.shape().isSymbolic(axis)) i = i.lt(0).where(i.add(x.shape().dim(axis)), i);
        return i;
    }

    private Val gemm() {
        Val av = in(0);
        Tensor a = t(0), w = t(1);
        if (attrI("transA", 0) != 0) {
            if (av.merged > 0) throw unsupported("transA=1 on a reshape over several symbolic sizes");
            a = a.transpose(0, 1);
        }
        if (attrI("transB", 0) != 0) w = w.transpose(0, 1);
        Tensor y = a.matmul(w);
        double alpha = attrF("alpha", 1f), beta = attrF("beta", 1f);
        if (alpha != 1) y = y.mul(alpha);
        if (has(2)) {
            Tensor c = t(2);
            y = y.add(beta == 1 ? c : c.mul(beta));
        }
        Val r = new Val(y);
        r.merged = av.merged; // [B, T, k] x [k, n] is the row-wise product of the flattened [B*T, k]
        return r;
    }

    /** Pads {@code [begin..., end...]} for spatial sizes {@code n} from auto_pad or the pads attribute. */
    private int[] pads(int[] n, int[] k, int[] s, int[] d) {
        int sp = k.length;
        String auto = attrS("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                return attrInts("pads", filled(2 * sp, 0));
            }
            case "VALID" -> {
                return filled(2 * sp, 0);
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] p = new int[2 * sp];
                for (int i = 0; i < sp; i++) {
                    if (n[i] < 0) throw unsupported("auto_pad " + auto + " needs a concrete spatial size");
                    int out = (n[i] + s[i] - 1) / s[i];
                    int total = Math.max(0, (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - n[i]);
                    int small = total / 2, big = total - small;
                    p[i] = auto.equals("SAME_UPPER") ? small : big;
                    p[i + sp] = auto.equals("SAME_UPPER") ? big : small;
                }
                return p;
            }
            default -> throw unsupported("auto_pad '" + auto + "'");
        }
    }

    private int[] spatial(Tensor x, int sp) {
        int[] n = new int[sp];
        for (int i = 0; i < sp; i++) n[i] = x.shape().isSymbolic(2 + i) ? -1 : x.shape().dim(2 + i);
        return n;
    }

    private Tensor conv() {
        Tensor x = t(0), w = t(1);
        int sp = w.rank() - 2;
        if (sp != 1 && sp != 2) throw unsupported(sp + "-d convolution (1-d and 2-d are supported)");
        int[] k = new int[sp];
        for (int i = 0; i < sp; i++) k[i] = w.shape().dim(2 + i);
        int[] s = attrInts("strides", filled(sp, 1)), d = attrInts("dilations", filled(sp, 1));
        int[] p = pads(spatial(x, sp), k, s, d);
        int groups = (int) attrI("group", 1);
        ConvGeometry g;
        if (sp == 1) {
            x = x.unsqueeze(2);
            w = w.unsqueeze(2);
            g = new ConvGeometry(1, s[0], 0, 0, p[0], p[1], 1, d[0], groups);
        } else {
            g = new ConvGeometry(s[0], s[1], p[0], p[2], p[1], p[3], d[0], d[1], groups);
        }
        Tensor y = x.conv2d(w, g);
        if (sp == 1) y = y.squeeze(2);
        if (has(2)) {
            Tensor bias = t(2);
            int[] shape = filled(y.rank(), 1);
            shape[1] = bias.shape().dim(0);
            y = y.add(bias.reshape(shape));
        }
        return y;
    }

    private record Window(int[] k, int[] s, int[] p, int[] d) {}

    private Window window(Tensor x) {
        if (x.rank() != 4) throw unsupported("pooling over a rank-" + x.rank() + " input (2-d NCHW pooling is supported)");
        int[] k = attrInts("kernel_shape", null);
        if (k == null || k.length != 2) throw unsupported("kernel_shape " + Arrays.toString(k) + " (two sizes are needed)");
        int[] s = attrInts("strides", filled(2, 1)), d = attrInts("dilations", filled(2, 1));
        int[] p = pads(spatial(x, 2), k, s, d);
        if (p[0] != p[2] || p[1] != p[3]) throw unsupported("asymmetric pads " + Arrays.toString(p));
        return new Window(k, s, p, d);
    }

    private Val[] maxPool() {
        if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) throw unsupported("the Indices output");
        Tensor x = t(0);
        Window w = window(x);
        boolean ceil = attrI("ceil_mode", 0) != 0;
        return one(x.maxPool2d(new PoolWindow.Fixed(w.k[0], w.k[1], w.s[0], w.s[1], w.p[0], w.p[1], w.d[0], w.d[1], ceil)));
    }

    private Tensor avgPool() {
        Tensor x = t(0);
        Window w = window(x);
        if (w.d[0] != 1 || w.d[1] != 1) throw unsupported("dilations " + Arrays.toString(w.d));
        return Pooling.avgPool2d(x, w.k[0], w.k[1], w.s[0], w.s[1], w.p[0], w.p[1], attrI("ceil_mode", 0) != 0,
                attrI("count_include_pad", 0) != 0, 0);
    }

    private Tensor batchNorm() {
        if (attrI("training_mode", 0) != 0) throw unsupported("training_mode=1 (inference BatchNormalization only)");
        for (int i = 1; i < node.getOutputCount(); i++) if (!node.getOutput(i).isEmpty()) throw unsupported("the running-statistics outputs");
        Tensor x = t(0);
        int[] shape = filled(x.rank(), 1);
        shape[1] = x.shape().dim(1);
        Tensor scale = t(1).reshape(shape), bias = t(2).reshape(shape), mean = t(3).reshape(shape), var = t(4).reshape(shape);
        double eps = attrF("epsilon", 1e-5f);
        return x.sub(mean).mul(var.add(eps).rsqrt()).mul(scale).add(bias);
    }

    private Tensor flatten() {
        Tensor x = t(0);
        int r = x.rank();
        int axis = (int) attrI("axis", 1);
        if (axis < 0) axis += r;
        if (axis < 0 || axis > r) throw new IllegalArgumentException("Flatten: axis " + attrI("axis", 1) + " outside rank " + r);
        if (axis == 0) return x.flatten().unsqueeze(0);
        if (axis == r) return x.flatten().unsqueeze(1);
        return x.flatten(axis, r - 1).flatten(0, axis - 1);
    }

    private Val reshape() {
        Val v = in(0);
        Val sv = in(1);
        if (sv.c == null) throw unsupported("a shape input that is not constant (only static or symbolic-batch shapes fold)");
        long[] spec = sv.c.longs("node '" + nodeName + "' shape");
        boolean allowZero = attrI("allowzero", 0) != 0;
        List<Object> in = v.shape.parts();
        if (v.merged > 0) {
            for (int i = 0; i < spec.length; i++) if (spec[i] == 0 && !allowZero && (sv.sym == null || sv.sym[i] == null)) throw unsupported("a 0 (copy) in the shape of a reshape over several symbolic sizes");
        }
        Object[] o = new Object[spec.length];
        for (int i = 0; i < spec.length; i++) {
            if (sv.sym != null && sv.sym[i] != null) o[i] = sv.sym[i];
            else if (spec[i] == 0 && !allowZero) {
                if (i >= in.size()) throw new IllegalArgumentException("Reshape: 0 at position " + i + " copies an axis the input " + v.shape + " lacks");
                o[i] = in.get(i);
            } else o[i] = Math.toIntExact(spec[i]);
        }
        if (v.c != null && v.t == null) {
            // fold: a host constant keeps its values (and symbols) under the new (concrete) shape
            Shape target = dev.jasg.core.ShapeRules.resolveReshape(v.shape, o);
            return new Val(new TensorData(v.c.dtype(), target.dims(), v.c.values()), v.sym);
        }
        int lead = in.size() - (o.length - 1);
        if (v.merged == 0 && o.length >= 1 && Integer.valueOf(-1).equals(o[0]) && lead >= 2
                && in.subList(lead, in.size()).equals(Arrays.asList(o).subList(1, o.length))) {
            int symbols = 0;
            for (int i = 0; i < lead; i++) if (v.shape.isSymbolic(i)) symbols++;
            if (symbols >= 2) {
                // [B, T, k] -> [-1, k]: B*T is no single symbol, so the leading axes stay apart (Gemm and Reshape take it)
                Val r = new Val(tensor(v));
                r.merged = lead;
                return r;
            }
        }
        return new Val(tensor(v).reshapeSymbolic(o));
    }

    private Tensor transpose() {
        Tensor x = t(0);
        int[] perm = attrInts("perm", null);
        if (perm == null) {
            perm = new int[x.rank()];
            for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
        }
        return x.permute(perm);
    }

    private Val squeeze() {
        Val v = in(0);
        int[] axes = axesOf(1, "axes");
        int r = v.shape.rank();
        if (v.c != null && v.t == null) {
            List<Integer> dims = new ArrayList<>();
            Set<Integer> drop = new java.util.HashSet<>();
            if (axes == null) { for (int i = 0; i < r; i++) if (v.shape.dim(i) == 1) drop.add(i); }
            else for (int a : axes) drop.add(norm(a, r, "Squeeze"));
            for (int i = 0; i < r; i++) if (!drop.contains(i)) dims.add(v.shape.dim(i));
            return new Val(new TensorData(v.c.dtype(), dims.stream().mapToInt(Integer::intValue).toArray(), v.c.values()), v.sym);
        }
        Tensor x = tensor(v);
        if (axes == null) return new Val(x.squeeze());
        int[] n = new int[axes.length];
        for (int i = 0; i < n.length; i++) n[i] = norm(axes[i], r, "Squeeze");
        Arrays.sort(n);
        for (int i = n.length - 1; i >= 0; i--) x = x.squeeze(n[i]);
        return new Val(x);
    }

    private Val unsqueeze() {
        Val v = in(0);
        int[] axes = axesOf(1, "axes");
        if (axes == null) throw new IllegalArgumentException("Unsqueeze: no axes");
        int r = v.shape.rank() + axes.length;
        int[] n = new int[axes.length];
        for (int i = 0; i < n.length; i++) n[i] = norm(axes[i], r, "Unsqueeze");
        Arrays.sort(n);
        if (v.c != null && v.t == null) {
            List<Integer> dims = new ArrayList<>();
            for (int i = 0; i < v.shape.rank(); i++) dims.add(v.shape.dim(i));
            for (int a : n) dims.add(a, 1);
            return new Val(new TensorData(v.c.dtype(), dims.stream().mapToInt(Integer::intValue).toArray(), v.c.values()), v.sym);
        }
        Tensor x = tensor(v);
        for (int a : n) x = x.unsqueeze(a);
        return new Val(x);
    }

    private Val concat() {
        int k = node.getInputCount();
        int axis = (int) attrI("axis", 0);
        boolean allConst = true;
        for (int i = 0; i < k; i++) allConst &= in(i).c != null && in(i).t == null;
        if (allConst && in(0).shape.rank() == 1) {
            List<Double> vals = new ArrayList<>();
            List<String> syms = new ArrayList<>();
            boolean anySym = false;
            for (int i = 0; i < k; i++) {
                Val v = in(i);
                for (int j = 0; j < v.c.size(); j++) {
                    vals.add(v.c.values()[j]);
                    String s = v.sym == null ? null : v.sym[j];
                    syms.add(s);
                    anySym |= s != null;
                }
            }
            return new Val(new TensorData(in(0).c.dtype(), new int[] {vals.size()}, vals.stream().mapToDouble(Double::doubleValue).toArray()),
                    anySym ? syms.toArray(new String[0]) : null);
        }
        Tensor[] ts = new Tensor[k];
        for (int i = 0; i < k; i++) ts[i] = t(i);
        return new Val(Tensor.concat(axis, ts));
    }

    private Val[] dropout() {
        if (has(2) && scalar(2) != 0) {
            // training mode: JASG's dropout mask, drawn from the seed attribute (0 when absent), so the same on every run
            Tensor x = t(0);
            double ratio = has(1) ? scalar(1) : 0.5;
            if (!(ratio >= 0 && ratio < 1)) throw new IllegalArgumentException("Dropout: ratio " + ratio + " outside [0, 1)");
            if (ratio == 0) return new Val[] {in(0), new Val(x.eq(x).where(x.scalarLike(1), x.scalarLike(1)).ne(0))};
            Tensor m = x.dropoutMask(ratio, 0, b.scalar(attrI("seed", 0), DType.I32));
            return new Val[] {new Val(x.mul(m.cast(x.dtype()))), new Val(m.ne(0))};
        }
        if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) {
            Tensor x = t(0);
            return new Val[] {in(0), new Val(x.eq(x).where(x.scalarLike(1), x.scalarLike(1)).ne(0))}; // inference: the mask is all true
        }
        return new Val[] {in(0)};
    }

    private Val constant() {
        for (AttributeProto a : node.getAttributeList()) {
            switch (a.getName()) {
                case "value" -> {
                    return new Val(TensorData.decode(a.getT(), null, "Constant node '" + nodeName + "'"), null);
                }
                case "value_float" -> {
                    return new Val(new TensorData(DType.F32, new int[0], new double[] {a.getF()}), null);
                }
                case "value_floats" -> {
                    return new Val(new TensorData(DType.F32, new int[] {a.getFloatsCount()}, a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray()), null);
                }
                case "value_int" -> {
                    return new Val(new TensorData(DType.I64, new int[0], new double[] {a.getI()}), null);
                }
                case "value_ints" -> {
                    return new Val(new TensorData(DType.I64, new int[] {a.getIntsCount()}, a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray()), null);
                }
                default -> throw unsupported("Constant attribute '" + a.getName() + "'");
            }
        }
        throw new IllegalArgumentException("Constant without a value");
    }

    private Val gather() {
        Val data = in(0);
        int r = data.shape.rank();
        int axis = norm((int) attrI("axis", 0), r, "Gather");
        if (in(1).c == null || (data.shape.isSymbolic(axis) && (data.c == null || data.t != null))) {
            // run-time indices (or constant ones on a symbolic axis, checked when the size is bound): the axis-0 table lookup (out-of-range indices are a FeedException when fed)
            Tensor i = t(1).cast(DType.I32);
            if (!data.shape.isSymbolic(axis)) i = i.lt(0).where(i.add(data.shape.dim(axis)), i); // negative indices count from the end
            if (axis == 0) return new Val(tensor(data).gather(i));
            // the axis moved first, the table lookup, and the index axes moved back to where the axis was
            int[] front = new int[r];
            front[0] = axis;
            for (int d = 0, k = 1; d < r; d++) if (d != axis) front[k++] = d;
            Tensor y = tensor(data).permute(front).gather(i);
            int ki = i.rank();
            int[] back = new int[y.rank()];
            int k = 0;
            for (int d = 0; d < axis; d++) back[k++] = ki + d;
            for (int d = 0; d < ki; d++) back[k++] = d;
            for (int d = ki + axis; d < y.rank(); d++) back[k++] = d;
            return new Val(y.permute(back));
        }
        TensorData idx = c(1);
        long[] ix = idx.longs("node '" + nodeName + "' indices");
        int n = data.shape.isSymbolic(axis) ? -1 : data.shape.dim(axis);
        int[] norm = new int[ix.length];
        for (int i = 0; i < ix.length; i++) {
            long v = ix[i] < 0 && n >= 0 ? ix[i] + n : ix[i];
            if (v < 0 || (n >= 0 && v >= n)) throw new IllegalArgumentException("Gather: index " + ix[i] + " is outside axis " + axis + " of size " + n);
            norm[i] = (int) v;
        }
        if (data.c != null && data.t == null && r == 1) {
            double[] out = new double[norm.length];
            String[] sym = data.sym == null ? null : new String[norm.length];
            for (int i = 0; i < norm.length; i++) {
                out[i] = data.c.values()[norm[i]];
                if (sym != null) sym[i] = data.sym[norm[i]];
            }
            return new Val(new TensorData(data.c.dtype(), idx.dims(), out), sym);
        }
        Tensor x = tensor(data);
        if (idx.dims().length == 0) return new Val(x.select(axis, norm[0]));
        Tensor y = x.indexSelect(axis, norm);
        if (idx.dims().length == 1) return new Val(y);
        List<Object> parts = new ArrayList<>(x.shape().parts());
        parts.remove(axis);
        for (int i = idx.dims().length - 1; i >= 0; i--) parts.add(axis, idx.dims()[i]);
        return new Val(y.reshapeSymbolic(parts.toArray()));
    }

    private Val shapeOf() {
        Shape s = in(0).shape;
        int r = s.rank();
        int start = (int) attrI("start", 0), end = (int) attrI("end", r);
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = Math.max(0, Math.min(r, start));
        end = Math.max(start, Math.min(r, end));
        double[] v = new double[end - start];
        String[] sym = new String[v.length];
        boolean anySym = false;
        for (int i = start; i < end; i++) {
            if (s.isSymbolic(i)) {
                sym[i - start] = s.symbol(i);
                anySym = true;
            } else v[i - start] = s.dim(i);
        }
        return new Val(new TensorData(DType.I64, new int[] {v.length}, v), anySym ? sym : null);
    }

    private Tensor reduce(boolean mean) {
        Tensor x = t(0);
        boolean keep = attrI("keepdims", 1) != 0;
        int[] axes = (mean && opset < 18) ? attrInts("axes", null) : axesOf(1, "axes");
        if (axes == null || axes.length == 0) {
            if (attrI("noop_with_empty_axes", 0) != 0) return x;
            axes = range(0, x.rank());
        }
        return mean ? x.mean(axes, keep) : x.sum(axes, keep);
    }

    private Tensor reduceOther(String op) {
        Tensor x = t(0);
        boolean keep = attrI("keepdims", 1) != 0;
        int[] axes = opset < 18 ? attrInts("axes", null) : axesOf(1, "axes");
        if (axes == null || axes.length == 0) {
            if (attrI("noop_with_empty_axes", 0) != 0) return x;
            axes = range(0, x.rank());
        }
        return switch (op) {
            case "ReduceL1" -> x.abs().sum(axes, keep);
            case "ReduceL2" -> x.square().sum(axes, keep).sqrt();
            case "ReduceLogSumExp" -> x.logsumexp(axes, keep);
            case "ReduceSumSquare" -> x.square().sum(axes, keep);
            case "ReduceProd" -> x.prod(axes, keep);
            default -> x.sum(axes, keep).log(); // ReduceLogSum
        };
    }

    private Val[] split() {
        Tensor x = t(0);
        int axis = norm((int) attrI("axis", 0), x.rank(), "Split");
        if (x.shape().isSymbolic(axis)) throw unsupported("splitting a symbolic axis");
        int n = x.shape().dim(axis), k = node.getOutputCount();
        int[] sizes;
        if (has(1)) {
            long[] l = c(1).longs("node '" + nodeName + "' split");
            sizes = new int[l.length];
            for (int i = 0; i < l.length; i++) sizes[i] = Math.toIntExact(l[i]);
        } else {
            int parts = (int) attrI("num_outputs", k);
            int each = (n + parts - 1) / parts;
            sizes = new int[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.max(0, Math.min(each, n - i * each));
        }
        List<Tensor> ts = x.split(sizes, axis);
        Val[] out = new Val[ts.size()];
        for (int i = 0; i < out.length; i++) out[i] = new Val(ts.get(i));
        return out;
    }

    private Tensor variadic(boolean max) {
        Tensor y = t(0);
        for (int i = 1; i < node.getInputCount(); i++) y = max ? y.maximum(t(i)) : y.minimum(t(i));
        return y;
    }

    private Tensor reduceMaxMin(boolean max) {
        Tensor x = t(0);
        boolean keep = attrI("keepdims", 1) != 0;
        int[] axes = opset < 18 ? attrInts("axes", null) : axesOf(1, "axes");
        if (axes == null || axes.length == 0) {
            if (attrI("noop_with_empty_axes", 0) != 0) return x;
            axes = range(0, x.rank());
        }
        return max ? x.max(axes, keep) : x.min(axes, keep);
    }

    /** Expand: a constant target shape, broadcast with the input's (a 1 keeps the input's size, also a symbolic one). */
    private Tensor expand() {
        Tensor x = t(0);
        long[] d = c(1).longs("node '" + nodeName + "' shape");
        String[] sym = in(1).sym;
        int r = Math.max(d.length, x.rank());
        Object[] target = new Object[r];
        List<Object> in = x.shape().parts();
        for (int i = 0; i < r; i++) {
            int di = i - (r - d.length), xi = i - (r - x.rank());
            Object xs = xi >= 0 ? in.get(xi) : Integer.valueOf(1);
            if (di >= 0 && sym != null && sym[di] != null) {
                target[i] = sym[di];
                continue;
            }
            long want = di >= 0 ? d[di] : 1;
            target[i] = want == 1 ? xs : (Object) Math.toIntExact(want);
        }
        return x.broadcastTo(Shape.symbolic(target));
    }

    /**
     * Slice: host constants (shape vectors, with their symbols) are sliced on the host; a tensor axis by
     * {@code Tensor.slice} (positive steps) or an index selection (negative steps); a slice from 0 to a symbolic
     * end {@code T} (a buffer cut to the sequence length) selects positions {@code 0..T-1} at run time.
     */
    private Val slice() {
        Val v = in(0), ev = in(2);
        String w = "node '" + nodeName + "' ";
        long[] starts = c(1).longs(w + "starts"), ends = c(2).longs(w + "ends");
        long[] axes = has(3) ? c(3).longs(w + "axes") : null, steps = has(4) ? c(4).longs(w + "steps") : null;
        if (in(1).sym != null) for (String sy : in(1).sym) if (sy != null) throw unsupported("a symbolic start '" + sy + "'");
        if (starts.length != ends.length) throw new IllegalArgumentException("Slice: " + starts.length + " starts, " + ends.length + " ends");
        int r = v.shape.rank();
        if (v.c != null && v.t == null && ev.sym == null) {
            TensorData c = v.c;
            String[] sym = v.sym;
            for (int i = 0; i < starts.length; i++) {
                int axis = norm(axes == null ? i : Math.toIntExact(axes[i]), r, "Slice");
                HostFold.Folded f = HostFold.take(c, sym, axis, HostFold.sliceIndices(c.dims()[axis], starts[i], ends[i], steps == null ? 1 : steps[i]));
                c = f.c();
                sym = f.sym();
            }
            return new Val(c, sym);
        }
        Tensor x = tensor(v);
        for (int i = 0; i < starts.length; i++) {
            int axis = norm(axes == null ? i : Math.toIntExact(axes[i]), x.rank(), "Slice");
            long step = steps == null ? 1 : steps[i];
            String endSym = ev.sym == null ? null : ev.sym[i];
            if (endSym != null) {
                if (starts[i] != 0 || step != 1) throw unsupported("a slice to the symbolic end '" + endSym + "' from " + starts[i] + " by " + step + " (from 0 by 1 is supported)");
                if (x.shape().isSymbolic(axis)) {
                    if (x.shape().symbol(axis).equals(endSym)) continue;
                    throw unsupported("slicing the symbolic axis " + axis + " of " + x.shape() + " to '" + endSym + "'");
                }
                // a run-time error where the bound size exceeds the axis; a bool table (a mask buffer) goes through f32
                x = x.dtype() == DType.BOOL ? x.cast(DType.F32).indexSelect(axis, coordinates(endSym)).ne(0) : x.indexSelect(axis, coordinates(endSym));
                continue;
            }
            if (x.shape().isSymbolic(axis)) {
                if (starts[i] == 0 && ends[i] >= Integer.MAX_VALUE && step == 1) continue; // the whole axis
                throw unsupported("slicing the symbolic axis " + axis + " of " + x.shape() + " (only whole)");
            }
            if (step > 0) {
                int st = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, starts[i]));
                int en = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, ends[i]));
                x = x.slice(axis, st, en, (int) step);
            } else {
                int[] idx = HostFold.sliceIndices(x.shape().dim(axis), starts[i], ends[i], step);
                x = idx.length == 0 ? x.slice(axis, 0, 0) : x.indexSelect(axis, idx);
            }
        }
        return new Val(x);
    }

    /** The I32 vector {@code [0, 1, .., T-1]} of the symbolic size {@code T}: a running sum of ones. */
    private Tensor coordinates(String symbol) {
        return b.scalar(1, DType.I32).broadcastTo(Shape.symbolic(symbol)).cumsum(0).sub(1);
    }

    /** The I32 positions along axis {@code a} of {@code s}, a vector (a constant for a concrete size). */
    private Tensor coordinates(Shape s, int a) {
        if (s.isSymbolic(a)) return coordinates(s.symbol(a));
        int[] v = new int[s.dim(a)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return b.constant(dev.jasg.core.HostTensor.ofInts(v, v.length));
    }

    private static boolean foldable(Val v) {
        return v.c != null && v.merged == 0 && v.c.size() <= HostFold.MAX_ELEMENTS;
    }

    /** Arithmetic and comparisons: folded on the host for integer constants and symbolic sizes (shape arithmetic), else graph nodes. */
    private Val[] arith(String op) {
        Val a = in(0), bv = in(1);
        // host constants that are no graph node yet (never a parameter) fold too: a window's size arithmetic
        if (foldable(a) && foldable(bv) && (a.sym != null || bv.sym != null || (HostFold.integral(a.c.dtype()) && HostFold.integral(bv.c.dtype()))
                || (a.t == null && bv.t == null))) {
            try {
                HostFold.Folded f = HostFold.binary(op, a.c, a.sym, bv.c, bv.sym);
                return new Val[] {new Val(f.c(), f.sym())};
            } catch (HostFold.SymbolicArithmetic e) {
                throw unsupported("shape arithmetic '" + e.getMessage() + "' on a symbolic size");
            }
        }
        Tensor x = t(0), y = t(1);
        return one(switch (op) {
            case "Add" -> x.add(y);
            case "Sub" -> x.sub(y);
            case "Mul" -> x.mul(y);
            case "Div" -> x.div(y);
            case "Equal" -> x.eq(y);
            case "Less" -> x.lt(y);
            case "LessOrEqual" -> x.le(y);
            case "Greater" -> x.gt(y);
            default -> x.ge(y); // GreaterOrEqual
        });
    }

    private Val[] where() {
        Val c = in(0), a = in(1), bv = in(2);
        if (foldable(c) && c.sym == null && foldable(a) && foldable(bv)
                && (a.sym != null || bv.sym != null || (HostFold.integral(a.c.dtype()) && HostFold.integral(bv.c.dtype())))) {
            HostFold.Folded f = HostFold.where(c.c, a.c, a.sym, bv.c, bv.sym);
            return new Val[] {new Val(f.c(), f.sym())};
        }
        return one(Tensor.where(t(0), t(1), t(2)));
    }

    /** Trilu; on a symbolic square (a causal mask over the sequence length) by comparing run-time row and column positions. */
    private Tensor trilu() {
        Tensor x = t(0);
        int k = has(1) ? (int) scalar(1) : 0;
        boolean upper = attrI("upper", 1) != 0;
        int r = x.rank();
        if (r < 2) throw new IllegalArgumentException("Trilu: rank " + r + " < 2");
        if (!x.shape().isSymbolic(r - 2) && !x.shape().isSymbolic(r - 1)) return upper ? x.triu(k) : x.tril(k);
        Tensor rows = coordinates(x.shape(), r - 2).unsqueeze(1), cols = coordinates(x.shape(), r - 1).unsqueeze(0);
        Tensor d = cols.sub(rows); // j - i
        Tensor keep = upper ? d.ge(k) : d.le(k);
        if (x.dtype() == DType.BOOL) return keep.cast(DType.F32).mul(x.cast(DType.F32)).ne(0);
        return Tensor.where(keep, x, x.scalarLike(0));
    }

    /** Pad: ONNX's {@code [begin..., end...]} pads (constant) become PyTorch-order pads of {@code Tensor.pad}. */
    private Tensor pad() {
        Tensor x = t(0);
        int r = x.rank();
        long[] p = c(1).longs("node '" + nodeName + "' pads");
        int[] axes = has(3) ? axesOf(3, "axes") : range(0, r);
        if (p.length != 2 * axes.length) throw new IllegalArgumentException("Pad: " + p.length + " pads for " + axes.length + " axes");
        int[] begin = new int[r], end = new int[r];
        for (int i = 0; i < axes.length; i++) {
            int a = norm(axes[i], r, "Pad");
            begin[a] = Math.toIntExact(p[i]);
            end[a] = Math.toIntExact(p[i + axes.length]);
        }
        double value = has(2) ? scalar(2) : 0;
        String mode = switch (attrS("mode", "constant")) {
            case "constant" -> "constant";
            case "reflect" -> "reflect";
            case "edge" -> "replicate";
            case "wrap" -> "circular";
            default -> throw unsupported("mode '" + attrS("mode", "") + "'");
        };
        boolean any = false;
        int[] torch = new int[2 * r];
        for (int i = 0; i < r; i++) {
            int a = r - 1 - i;
            torch[2 * i] = begin[a];
            torch[2 * i + 1] = end[a];
            any |= begin[a] != 0 || end[a] != 0;
        }
        return any ? x.pad(torch, mode, value) : x;
    }

    private Val[] layerNorm() {
        Tensor x = t(0);
        int axis = norm((int) attrI("axis", -1), x.rank(), "LayerNormalization");
        float eps = attrF("epsilon", 1e-5f);
        Tensor y = x.layerNorm(x.rank() - axis, t(1), has(2) ? t(2) : null, eps);
        int[] axes = range(axis, x.rank());
        Tensor mean = x.mean(axes, true);
        Tensor invStd = x.sub(mean).square().mean(axes, true).add(eps).sqrt().reciprocal();
        return new Val[] {new Val(y), new Val(mean), new Val(invStd)};
    }

    /**
     * ONNX's NegativeLogLikelihoodLoss on log-probabilities {@code x [N, C, d...]} and I64 classes {@code target [N, d...]}:
     * {@code loss = -x[n, target, d] * weight[target]}, 0 where {@code target == ignore_index}; reduced by none, sum, or
     * mean (the sum divided by the sum of the weights that count).
     */
    private Tensor nll(Tensor x, Tensor target, Tensor weight) {
        String red = attrS("reduction", "mean");
        if (!Set.of("none", "sum", "mean").contains(red)) throw unsupported("reduction='" + red + "'");
        Tensor tg = target.cast(DType.I32);
        AttributeProto ii = attr("ignore_index");
        Tensor mask = null;
        if (ii != null) {
            Tensor ignored = tg.eq((double) ii.getI());
            mask = ignored.where(x.scalarLike(0), x.scalarLike(1));
            tg = ignored.where(tg.scalarLike(0), tg);
        }
        Tensor picked = x.gather(1, tg.unsqueeze(1)).squeeze(1).neg();
        Tensor w = weight == null ? mask : mask == null ? weight.gather(tg) : weight.gather(tg).mul(mask);
        Tensor loss = w == null ? picked : picked.mul(w);
        return switch (red) {
            case "none" -> loss;
            case "sum" -> loss.sum();
            default -> w == null ? loss.mean() : loss.sum().div(w.sum());
        };
    }

    /**
     * Resize in the nearest, linear and cubic modes, axis by axis: the source coordinate of every output position is
     * computed on the host (coordinate_transformation_mode, nearest_mode) and the rows are picked with indexSelect; linear
     * mixes the two neighbours and cubic the four around it with constant weights (cubic_coeff_a, exclude_outside).
     * tf_crop_and_resize takes its source coordinates from the roi and gives extrapolation_value outside; antialias,
     * axes and keep_aspect_ratio_policy are refused.
     */
    private Tensor resize() {
        String mode = attrS("mode", "nearest"), ct = attrS("coordinate_transformation_mode", "half_pixel"), nm = attrS("nearest_mode", "round_prefer_floor");
        if (!Set.of("nearest", "linear", "cubic").contains(mode)) throw unsupported("mode='" + mode + "'");
        if (!Set.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nearest", "tf_crop_and_resize").contains(ct)) {
            throw unsupported("coordinate_transformation_mode='" + ct + "'");
        }
        if (!Set.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(nm)) throw unsupported("nearest_mode='" + nm + "'");
        if (attrI("antialias", 0) != 0) throw unsupported("antialias=1");
        boolean exclude = attrI("exclude_outside", 0) != 0;
        if (exclude && !mode.equals("cubic")) throw unsupported("exclude_outside=1 with mode='" + mode + "'");
        double cubicA = attrF("cubic_coeff_a", -0.75f);
        if (attr("axes") != null) throw unsupported("the axes attribute");
        if (!attrS("keep_aspect_ratio_policy", "stretch").equals("stretch")) throw unsupported("keep_aspect_ratio_policy");
        Tensor x = t(0);
        if (!x.shape().isConcrete()) throw unsupported("input " + x.shape() + " with symbolic sizes");
        int r = x.rank();
        double[] scales = has(2) && c(2).size() > 0 ? c(2).values() : null;
        long[] sizes = has(3) && c(3).size() > 0 ? c(3).longs("node '" + nodeName + "' sizes") : null;
        if ((scales == null) == (sizes == null)) throw new IllegalArgumentException("Resize needs exactly one of scales and sizes");
        if ((scales != null ? scales.length : sizes.length) != r) throw unsupported("scales/sizes of a length other than the rank " + r);
        boolean crop = ct.equals("tf_crop_and_resize");
        double[] roi = crop && has(1) ? c(1).values() : null;
        if (crop && (roi == null || roi.length != 2 * r)) throw new IllegalArgumentException("Resize: tf_crop_and_resize needs a roi of " + 2 * r + " values");
        double extrapolation = attrF("extrapolation_value", 0f);
        for (int a = 0; a < r; a++) {
            int n = x.shape().dim(a);
            double sc = scales != null ? scales[a] : (double) sizes[a] / n;
            int m = scales != null ? (int) Math.floor(n * sc) : Math.toIntExact(sizes[a]);
            if (m == n && sc == 1 && !crop) continue;
            if (m <= 0) throw new IllegalArgumentException("Resize: output size " + m + " on axis " + a);
            double[] src = new double[m];
            double lr = n * sc;
            for (int i = 0; i < m; i++) {
                src[i] = switch (ct) {
                    case "half_pixel" -> (i + 0.5) / sc - 0.5;
                    case "pytorch_half_pixel" -> m > 1 ? (i + 0.5) / sc - 0.5 : 0;
                    case "align_corners" -> lr == 1 ? 0 : i * (n - 1.0) / (lr - 1); // ONNX uses the unrounded output length n * scale
                    case "asymmetric" -> i / sc;
                    case "tf_crop_and_resize" -> m > 1 ? roi[a] * (n - 1) + i * (roi[a + r] - roi[a]) * (n - 1) / (m - 1) : 0.5 * (roi[a] + roi[a + r]) * (n - 1);
                    default -> (i + 0.5) / sc; // tf_half_pixel_for_nearest
                };
            }
            if (mode.equals("nearest")) {
                int[] idx = new int[m];
                for (int i = 0; i < m; i++) {
                    double v = src[i], f = Math.floor(v);
                    long k = switch (nm) {
                        case "round_prefer_floor" -> v - f == 0.5 ? (long) f : Math.round(v);
                        case "round_prefer_ceil" -> v - f == 0.5 ? (long) f + 1 : Math.round(v);
                        case "floor" -> (long) f;
                        default -> (long) Math.ceil(v);
                    };
                    idx[i] = (int) Math.max(0, Math.min(n - 1, k));
                }
                x = x.indexSelect(a, idx);
            } else if (mode.equals("cubic")) {
                x = cubic(x, a, src, n, cubicA, exclude);
            } else {
                int[] i0 = new int[m], i1 = new int[m];
                double[] w1 = new double[m];
                for (int i = 0; i < m; i++) {
                    double v = Math.max(0, Math.min(n - 1, src[i]));
                    i0[i] = (int) Math.floor(v);
                    i1[i] = Math.min(i0[i] + 1, n - 1);
                    w1[i] = v - i0[i];
                }
                int[] wd = filled(r, 1);
                wd[a] = m;
                Tensor w = tensor(new Val(new TensorData(DType.F32, wd, w1), null)).cast(x.dtype());
                Tensor lo = x.indexSelect(a, i0), hi = x.indexSelect(a, i1);
                x = lo.add(hi.sub(lo).mul(w));
            }
            if (crop) {
                // positions whose source lies outside the axis take extrapolation_value
                double[] inside = new double[m];
                boolean anyOutside = false;
                for (int i = 0; i < m; i++) {
                    inside[i] = src[i] < 0 || src[i] > n - 1 ? 0 : 1;
                    anyOutside |= inside[i] == 0;
                }
                if (anyOutside) {
                    int[] md = filled(r, 1);
                    md[a] = m;
                    x = Tensor.where(tensor(new Val(new TensorData(DType.BOOL, md, inside), null)), x, x.scalarLike(extrapolation));
                }
            }
        }
        return x;
    }

    /**
     * Cubic interpolation along axis {@code a} (Keys' kernel with coefficient {@code A}): the four taps around each source
     * coordinate, clamped to the edge, mixed with constant weights; with {@code exclude} the taps outside the axis get
     * weight 0 and the rest are renormalised.
     */
    private Tensor cubic(Tensor x, int a, double[] src, int n, double A, boolean exclude) {
        int m = src.length;
        Tensor y = null;
        double[][] w = new double[4][m];
        int[][] idx = new int[4][m];
        for (int i = 0; i < m; i++) {
            double f = Math.floor(src[i]), s = src[i] - f;
            double[] c = {((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A, ((A + 2) * s - (A + 3)) * s * s + 1,
                    ((A + 2) * (1 - s) - (A + 3)) * (1 - s) * (1 - s) + 1, ((A * (2 - s) - 5 * A) * (2 - s) + 8 * A) * (2 - s) - 4 * A};
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                long at = (long) f - 1 + k;
                if (exclude && (at < 0 || at >= n)) c[k] = 0;
                sum += c[k];
                idx[k][i] = (int) Math.max(0, Math.min(n - 1, at));
            }
            for (int k = 0; k < 4; k++) w[k][i] = exclude ? c[k] / sum : c[k];
        }
        int[] wd = filled(x.rank(), 1);
        wd[a] = m;
        for (int k = 0; k < 4; k++) {
            Tensor term = x.indexSelect(a, idx[k]).mul(tensor(new Val(new TensorData(DType.F32, wd, w[k]), null)).cast(x.dtype()));
            y = y == null ? term : y.add(term);
        }
        return y;
    }

    /**
     * GatherND with batch_dims 0: the last axis of the indices [..., k] addresses the first k axes of the data; the
     * flat position over them (negative indices counting from the end) picks rows of the data viewed as [n0 * .. * nk-1, rest...].
     */
    private Tensor gatherNd() {
        if (attrI("batch_dims", 0) != 0) throw unsupported("batch_dims=" + attrI("batch_dims", 0) + " (0 is supported)");
        Tensor data = t(0), ix = t(1).cast(DType.I32);
        if (!data.shape().isConcrete() || !ix.shape().isConcrete()) throw unsupported("symbolic sizes");
        int last = ix.rank() - 1, k = ix.shape().dim(last);
        if (k > data.rank()) throw new IllegalArgumentException("GatherND: index depth " + k + " exceeds the data rank " + data.rank());
        return data.reshape(ndTable(data, k)).gather(ndFlatIndex(data, ix));
    }

    /** The data of GatherND/ScatterND viewed as {@code [n0 * .. * nk-1, rest...]}. */
    private static int[] ndTable(Tensor data, int k) {
        int[] table = new int[data.rank() - k + 1];
        table[0] = 1;
        for (int d = 0; d < k; d++) table[0] *= data.shape().dim(d);
        for (int d = k; d < data.rank(); d++) table[d - k + 1] = data.shape().dim(d);
        return table;
    }

    /** The row of {@link #ndTable} each index tuple {@code ix[..., :]} addresses (negative indices count from the end). */
    private static Tensor ndFlatIndex(Tensor data, Tensor ix) {
        int last = ix.rank() - 1, k = ix.shape().dim(last);
        Tensor flat = null;
        int stride = 1;
        for (int j = k - 1; j >= 0; j--) {
            int n = data.shape().dim(j);
            Tensor ij = ix.select(last, j);
            ij = ij.lt(0).where(ij.add(n), ij);
            Tensor term = stride == 1 ? ij : ij.mul(stride);
            flat = flat == null ? term : flat.add(term);
            stride *= n;
        }
        return flat;
    }

    /** ScatterND (reduction none or add) on concrete shapes: the rows of {@link #ndTable} addressed by the index tuples are replaced (or added to). */
    private Tensor scatterNd() {
        String red = attrS("reduction", "none");
        if (!red.equals("none") && !red.equals("add")) throw unsupported("reduction='" + red + "' (none and add are supported)");
        Tensor data = t(0), ix = t(1).cast(DType.I32), upd = t(2).cast(data.dtype());
        if (!data.shape().isConcrete() || !ix.shape().isConcrete()) throw unsupported("symbolic sizes");
        int k = ix.shape().dim(ix.rank() - 1);
        if (k > data.rank()) throw new IllegalArgumentException("ScatterND: index depth " + k + " exceeds the data rank " + data.rank());
        int[] table = ndTable(data, k);
        int m = 1;
        for (int d = 0; d < ix.rank() - 1; d++) m *= ix.shape().dim(d);
        int[] rows = table.clone();
        rows[0] = m;
        int[] col = filled(table.length, 1);
        col[0] = m;
        Tensor flat = ndFlatIndex(data, ix).reshape(col).broadcastTo(Shape.of(rows));
        Tensor t = data.reshape(table), u = upd.reshape(rows);
        Tensor y = red.equals("add") ? t.scatterAdd(0, flat, u) : t.scatter(0, flat, u);
        return y.reshape(data.shape().dims());
    }

    /**
     * RNN, GRU and LSTM unrolled over a concrete sequence length: forward, reverse or bidirectional; layout 0 or 1;
     * biases, initial states, LSTM peepholes and GRU's linear_before_reset; the default activations only (no clip).
     * sequence_lens must be absent or a constant equal to the sequence length everywhere. Outputs Y, Y_h (and Y_c).
     */
    private Val[] recurrent(String op) {
        int gates = switch (op) {
            case "RNN" -> 1;
            case "GRU" -> 3;
            default -> 4;
        };
        List<String> defaults = switch (op) {
            case "RNN" -> List.of("Tanh");
            case "GRU" -> List.of("Sigmoid", "Tanh");
            default -> List.of("Sigmoid", "Tanh", "Tanh");
        };
        String dir = attrS("direction", "forward");
        int nd = dir.equals("bidirectional") ? 2 : 1;
        if (!Set.of("forward", "reverse", "bidirectional").contains(dir)) throw unsupported("direction='" + dir + "'");
        AttributeProto acts = attr("activations");
        if (acts != null) {
            for (int i = 0; i < acts.getStringsCount(); i++) {
                String a = acts.getStrings(i).toStringUtf8();
                if (!a.equalsIgnoreCase(defaults.get(i % defaults.size()))) throw unsupported("activations " + a + " (the defaults " + defaults + " are supported)");
            }
        }
        if (attr("clip") != null) throw unsupported("clip");
        boolean batchFirst = attrI("layout", 0) != 0;
        Tensor x = t(0);
        if (batchFirst) x = x.permute(1, 0, 2);
        if (x.shape().isSymbolic(0)) throw unsupported("a symbolic sequence length");
        int steps = x.shape().dim(0);
        if (has(4)) {
            for (long l : c(4).longs("node '" + nodeName + "' sequence_lens")) {
                if (l != steps) throw unsupported("sequence_lens " + l + " other than the sequence length " + steps);
            }
        }
        Tensor w = t(1), r = t(2);
        int h = (int) attrI("hidden_size", r.shape().dim(2));
        Tensor bias = has(3) ? t(3) : null, h0 = has(5) ? t(5) : null, c0 = gates == 4 && has(6) ? t(6) : null, p = gates == 4 && has(7) ? t(7) : null;
        if (batchFirst && h0 != null) h0 = h0.permute(1, 0, 2);
        if (batchFirst && c0 != null) c0 = c0.permute(1, 0, 2);
        Object batch = x.shape().parts().get(1);
        Tensor zeros = b.scalar(0, x.dtype()).broadcastTo(Shape.symbolic(batch, h));
        Tensor[] ys = new Tensor[nd], hs = new Tensor[nd], cs = new Tensor[nd];
        for (int d = 0; d < nd; d++) {
            boolean reverse = dir.equals("reverse") || d == 1;
            Tensor wT = w.select(0, d).transpose(0, 1), rT = r.select(0, d).transpose(0, 1); // [in, G*h], [h, G*h]
            Tensor xw = x.matmul(wT); // [T, batch, G*h]
            Tensor rb = null;
            if (bias != null) {
                Tensor bd = bias.select(0, d);
                xw = xw.add(bd.slice(0, 0, gates * h));
                rb = bd.slice(0, gates * h, 2 * gates * h);
            }
            Tensor hPrev = h0 != null ? h0.select(0, d) : zeros, cPrev = c0 != null ? c0.select(0, d) : zeros;
            Tensor[] out = new Tensor[steps];
            for (int s = 0; s < steps; s++) {
                int step = reverse ? steps - 1 - s : s;
                Tensor xt = xw.select(0, step);
                switch (op) {
                    case "RNN" -> {
                        Tensor hr = hPrev.matmul(rT);
                        hPrev = xt.add(rb == null ? hr : hr.add(rb)).tanh();
                    }
                    case "GRU" -> {
                        Tensor hr = hPrev.matmul(rT.slice(1, 0, 2 * h));
                        if (rb != null) hr = hr.add(rb.slice(0, 0, 2 * h));
                        Tensor z = xt.slice(1, 0, h).add(hr.slice(1, 0, h)).sigmoid(), rg = xt.slice(1, h, 2 * h).add(hr.slice(1, h, 2 * h)).sigmoid();
                        Tensor rh = rT.slice(1, 2 * h, 3 * h), rbh = rb == null ? null : rb.slice(0, 2 * h, 3 * h);
                        Tensor cand;
                        if (attrI("linear_before_reset", 0) != 0) {
                            Tensor lin = hPrev.matmul(rh);
                            cand = rg.mul(rbh == null ? lin : lin.add(rbh));
                        } else {
                            Tensor lin = rg.mul(hPrev).matmul(rh);
                            cand = rbh == null ? lin : lin.add(rbh);
                        }
                        Tensor hh = xt.slice(1, 2 * h, 3 * h).add(cand).tanh();
                        hPrev = z.neg().add(1).mul(hh).add(z.mul(hPrev)); // (1 - z) * hh + z * h
                    }
                    default -> { // LSTM, gates i, o, f, c
                        Tensor g = xt.add(hPrev.matmul(rT));
                        if (rb != null) g = g.add(rb);
                        Tensor i = g.slice(1, 0, h), o = g.slice(1, h, 2 * h), f = g.slice(1, 2 * h, 3 * h), cc = g.slice(1, 3 * h, 4 * h).tanh();
                        Tensor pd = p == null ? null : p.select(0, d);
                        if (pd != null) {
                            i = i.add(pd.slice(0, 0, h).mul(cPrev));
                            f = f.add(pd.slice(0, 2 * h, 3 * h).mul(cPrev));
                        }
                        cPrev = f.sigmoid().mul(cPrev).add(i.sigmoid().mul(cc));
                        if (pd != null) o = o.add(pd.slice(0, h, 2 * h).mul(cPrev));
                        hPrev = o.sigmoid().mul(cPrev.tanh());
                    }
                }
                out[step] = hPrev;
            }
            ys[d] = Tensor.stack(0, out); // [T, batch, h]
            hs[d] = hPrev;
            cs[d] = cPrev;
        }
        Tensor y = Tensor.stack(1, ys), yh = Tensor.stack(0, hs), yc = Tensor.stack(0, cs); // [T, nd, batch, h], [nd, batch, h]
        if (batchFirst) {
            y = y.permute(2, 0, 1, 3);
            yh = yh.permute(1, 0, 2);
            yc = yc.permute(1, 0, 2);
        }
        return gates == 4 ? new Val[] {new Val(y), new Val(yh), new Val(yc)} : new Val[] {new Val(y), new Val(yh)};
    }

    /** {@code x} with {@code before} and {@code after} zeros on axis {@code axis}. */
    private static Tensor padAxis(Tensor x, int axis, int before, int after) {
        int[] p = new int[2 * x.rank()];
        p[2 * (x.rank() - 1 - axis)] = before;
        p[2 * (x.rank() - 1 - axis) + 1] = after;
        return x.pad(p, "constant", 0);
    }

    /** CumSum, inclusive or exclusive (the inclusive sums shifted by one along the axis, a zero entering), forward or reverse. */
    private Tensor cumsum() {
        Tensor x = t(0);
        int axis = norm((int) scalar(1), x.rank(), "CumSum");
        boolean reverse = attrI("reverse", 0) != 0;
        Tensor y = x.cumsum(axis, reverse);
        if (attrI("exclusive", 0) == 0) return y;
        if (x.shape().isSymbolic(axis)) throw unsupported("exclusive=1 on a symbolic axis");
        int n = x.shape().dim(axis);
        if (n == 0) return y;
        return reverse ? padAxis(y.slice(axis, 1, n), axis, 0, 1) : padAxis(y.slice(axis, 0, n - 1), axis, 1, 0);
    }

    /** Hann, Hamming and Blackman windows of a constant size, computed on the host (periodic or symmetric). */
    private Val window(String op) {
        double size = scalar(0);
        if (!(size >= 0 && size <= TensorData.MAX_ELEMENTS) || size != Math.rint(size)) throw new IllegalArgumentException(op + ": size " + size);
        int n = (int) size;
        DType dt = TensorData.dtypeOf((int) attrI("output_datatype", TensorData.FLOAT));
        if (dt == null) throw unsupported("output_datatype " + attrI("output_datatype", 0));
        double den = attrI("periodic", 1) != 0 ? n : n - 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / den;
            v[i] = switch (op) {
                case "HannWindow" -> 0.5 - 0.5 * Math.cos(a);
                case "HammingWindow" -> 25.0 / 46 - 21.0 / 46 * Math.cos(a);
                default -> 0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a); // BlackmanWindow
            };
        }
        return new Val(new TensorData(dt, new int[] {n}, v), null);
    }

    /** LRN across channels: {@code y = x / (bias + alpha / size * sum of x^2 over the size channels around c)^beta}. */
    private Tensor lrn() {
        Tensor x = t(0);
        int size = (int) attrI("size", 0);
        if (size <= 0) throw new IllegalArgumentException("LRN: size " + size);
        if (x.rank() < 3 || x.shape().isSymbolic(1)) throw unsupported("input " + x.shape() + " (N, C, ... with a concrete C)");
        double alpha = attrF("alpha", 1e-4f), beta = attrF("beta", 0.75f), bias = attrF("bias", 1f);
        int c = x.shape().dim(1);
        Tensor sq = padAxis(x.square(), 1, (size - 1) / 2, size / 2);
        Tensor sum = sq.slice(1, 0, c);
        for (int k = 1; k < size; k++) sum = sum.add(sq.slice(1, k, k + c));
        return x.div(sum.mul(alpha / size).add(bias).pow(beta));
    }

    /**
     * QuantizeLinear to uint8 or int8 (the zero point's declared type; uint8 without one):
     * {@code saturate(round_half_to_even(x / scale) + zero_point)}, per tensor or per axis; I32 values.
     */
    private Tensor quantize() {
        int type = has(2) ? declared.getOrDefault(node.getInput(2), -1) : TensorData.UINT8;
        double lo, hi;
        if (type == TensorData.UINT8) {
            lo = 0;
            hi = 255;
        } else if (type == TensorData.INT8) {
            lo = -128;
            hi = 127;
        } else {
            throw unsupported("a zero point of ONNX data type " + type + " (uint8 and int8 are supported)");
        }
        Tensor x = t(0).cast(DType.F32), scale = t(1).cast(DType.F32);
        Tensor zp = has(2) ? t(2).cast(DType.F32) : null;
        if (scale.rank() == 1 && x.rank() > 0) {
            int axis = norm((int) attrI("axis", 1), x.rank(), "QuantizeLinear");
            int[] shape = filled(x.rank(), 1);
            shape[axis] = scale.shape().dim(0);
            scale = scale.reshape(shape);
            if (zp != null) zp = zp.reshape(shape);
        }
        Tensor q = x.div(scale).round();
        return (zp == null ? q : q.add(zp)).clamp(lo, hi).cast(DType.I32);
    }

    /** DequantizeLinear: {@code (x - zero_point) * scale}, per tensor or per axis. */
    private Tensor dequantize() {
        Tensor x = t(0).cast(DType.F32), scale = t(1);
        Tensor zp = has(2) ? t(2).cast(DType.F32) : null;
        if (scale.rank() == 1 && x.rank() > 0) {
            int axis = norm((int) attrI("axis", 1), x.rank(), "DequantizeLinear");
            int[] shape = filled(x.rank(), 1);
            shape[axis] = scale.shape().dim(0);
            scale = scale.reshape(shape);
            if (zp != null) zp = zp.reshape(shape);
        }
        return (zp == null ? x : x.sub(zp)).mul(scale);
    }

    /** BatchNormalization in training mode: normalised by the batch statistics (biased variance); the running statistics are updated with momentum. */
    private Val[] batchNormTraining() {
        Tensor x = t(0);
        int[] axes = new int[x.rank() - 1];
        for (int i = 0, k = 0; i < x.rank(); i++) if (i != 1) axes[k++] = i;
        int[] shape = filled(x.rank(), 1);
        shape[1] = x.shape().dim(1);
        Tensor mean = x.mean(axes, false), var = x.var(axes, false, false);
        double eps = attrF("epsilon", 1e-5f), momentum = attrF("momentum", 0.9f);
        Tensor y = x.sub(mean.reshape(shape)).mul(var.reshape(shape).add(eps).rsqrt()).mul(t(1).reshape(shape)).add(t(2).reshape(shape));
        Tensor runMean = t(3).mul(momentum).add(mean.mul(1 - momentum)), runVar = t(4).mul(momentum).add(var.mul(1 - momentum));
        return new Val[] {new Val(y), new Val(runMean), new Val(runVar)};
    }

    /** DepthToSpace (DCR or CRD mode) and SpaceToDepth on NCHW with concrete sizes: a reshape, a permute and a reshape. */
    private Tensor depthSpace(boolean toSpace) {
        Tensor x = t(0);
        if (x.rank() != 4 || !x.shape().isConcrete()) throw unsupported("input " + x.shape() + " (a concrete NCHW tensor is supported)");
        int bs = (int) attrI("blocksize", 0);
        if (bs <= 0) throw new IllegalArgumentException("blocksize " + bs + " must be positive");
        int n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        if (!toSpace) {
            return x.reshape(n, c, h / bs, bs, w / bs, bs).permute(0, 3, 5, 1, 2, 4).reshape(n, c * bs * bs, h / bs, w / bs);
        }
        int co = c / (bs * bs);
        String mode = attrS("mode", "DCR");
        return switch (mode) {
            case "DCR" -> x.reshape(n, bs, bs, co, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, co, h * bs, w * bs);
            case "CRD" -> x.reshape(n, co, bs, bs, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, co, h * bs, w * bs);
            default -> throw unsupported("mode='" + mode + "'");
        };
    }

    private Val cast() {
        int to = (int) attrI("to", 0);
        if (TensorData.widened(to)) throw unsupported("a cast to a 16-bit float (JASG has no such dtype to round to)");
        DType dt = TensorData.dtypeOf(to);
        if (dt == null) throw unsupported("cast to ONNX data type " + to);
        Val v = in(0);
        if (v.c != null && v.t == null) return new Val(new TensorData(dt, v.c.dims(), v.c.values()), v.sym);
        return new Val(tensor(v).cast(dt));
    }

    static Init init(TensorData d) {
        return new Init.Values(d.toHost());
    }
}
