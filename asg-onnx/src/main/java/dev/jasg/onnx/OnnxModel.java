package dev.jasg.onnx;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import dev.jasg.onnx.proto.OnnxProto.GraphProto;
import dev.jasg.onnx.proto.OnnxProto.NodeProto;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An imported ONNX model: its {@link #graph() graph} (inputs and outputs named as in the ONNX
 * graph), its initializers as {@link #parameters() parameters}, and {@link #asLayer()} to use it
 * inside a larger model or a {@code Trainer}. Made by {@link OnnxImport#read}, which has already
 * checked every node; building the graph again (on another builder) cannot meet an unsupported op.
 *
 * <p>Float initializers become trainable F32 parameters with the initializer's name and value as
 * their initial value ({@code Init.Values}), except the running mean and variance of a
 * {@code BatchNormalization}, which are non-trainable buffers; integer initializers (shapes,
 * axes, indices) are constants. float16 and bfloat16 inputs and initializers are widened to F32 (the model
 * computes in f32); a {@code Cast} to a 16-bit float is refused, as JASG has no such dtype to round to.
 */
public final class OnnxModel {
    /** A graph input: its ONNX name, dtype and shape ({@code dim_param} names are symbolic sizes). */
    public record Input(String name, DType dtype, Shape shape) {}

    private final GraphProto proto;
    private final int opset;
    private final List<Input> inputs;
    private final List<String> outputs;
    private final Map<String, TensorData> initializers;
    private final Set<String> buffers;
    private final Graph graph;
    /** Names of the float16/bfloat16 inputs and initializers, read as F32. */
    private final Set<String> widened = new java.util.HashSet<>();
    /** The declared ONNX data type of each graph input, initializer and Constant output (JASG's dtypes merge some). */
    private final Map<String, Integer> declared = new java.util.HashMap<>();

    OnnxModel(GraphProto proto, int opset, List<Input> inputs, List<String> outputs, Map<String, TensorData> initializers, Set<String> buffers) {
        this.proto = proto;
        this.opset = opset;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.initializers = initializers;
        this.buffers = buffers;
        for (var v : proto.getInputList()) if (v.getType().hasTensorType() && TensorData.widened(v.getType().getTensorType().getElemType())) widened.add(v.getName());
        for (var t : proto.getInitializerList()) if (TensorData.widened(t.getDataType())) widened.add(t.getName());
        for (var v : proto.getInputList()) if (v.getType().hasTensorType()) declared.put(v.getName(), v.getType().getTensorType().getElemType());
        for (var t : proto.getInitializerList()) declared.put(t.getName(), t.getDataType());
        for (var n : proto.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                for (var a : n.getAttributeList()) if (a.getName().equals("value")) declared.put(n.getOutput(0), a.getT().getDataType());
            }
        }
        GraphBuilder b = new GraphBuilder();
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Input i : inputs) in.put(i.name(), b.input(i.name(), i.dtype(), i.shape()));
        emit(b, in).forEach(b::output);
        this.graph = b.build();
    }

    /** The default-domain opset the model was exported with (13 to 18). */
    public int opset() {
        return opset;
    }

    /** The graph inputs (initializers excluded), in ONNX order. */
    public List<Input> inputs() {
        return inputs;
    }

    /** The graph output names, in ONNX order. */
    public List<String> outputNames() {
        return outputs;
    }

    /** The forward graph: inputs and outputs named as in the ONNX graph; parameters named as the initializers. */
    public Graph graph() {
        return graph;
    }

    /** The initializers that became parameters (float ones), by name, as host tensors. */
    public Map<String, HostTensor> parameters() {
        Map<String, HostTensor> r = new LinkedHashMap<>();
        initializers.forEach((k, v) -> {
            if (v.dtype() == DType.F32) r.put(k, v.toHost());
        });
        return Collections.unmodifiableMap(r);
    }

    /** Names of the parameters that are not trained (BatchNormalization running statistics). */
    public Set<String> buffers() {
        return Collections.unmodifiableSet(buffers);
    }

    /**
     * Builds the model's nodes on {@code b} from the given input tensors (by ONNX input name; all
     * inputs must be given) and returns the outputs by ONNX output name. Parameters are created on
     * {@code b} under the initializers' names (in {@code b}'s current scope).
     */
    public Map<String, Tensor> emit(GraphBuilder b, Map<String, Tensor> feeds) {
        Emitter e = new Emitter(b, opset, widened, declared);
        for (Input i : inputs) {
            Tensor t = feeds.get(i.name());
            if (t == null) throw new IllegalArgumentException("ONNX model: input '" + i.name() + "' is not given; inputs are " + feeds.keySet());
            e.define(i.name(), new Emitter.Val(t));
        }
        initializers.forEach((name, d) -> {
            Emitter.Val v = new Emitter.Val(d, null);
            if (d.dtype() == DType.F32) {
                v.t = b.parameter(name, Shape.of(d.dims()), DType.F32, new Init.Values(d.toHost()), !buffers.contains(name));
            }
            e.define(name, v);
        });
        for (int k = 0; k < proto.getNodeCount(); k++) {
            NodeProto n = proto.getNode(k);
            e.emit(n, OnnxImport.nodeName(n, k));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String o : outputs) {
            Emitter.Val v = e.value(o);
            if (v == null) throw new OnnxException("ONNX graph output '" + o + "' is not computed by any node");
            if (v.t == null) v.t = b.constant(v.c.toHost());
            out.put(o, v.t);
        }
        return out;
    }

    /**
     * The model as a {@link Layer} of one input and one output (the first of each), so that it can
     * be trained by {@code Trainer} or used inside a larger model. Its parameters are created on the
     * builder it is applied on, named as the initializers.
     */
    public Layer asLayer() {
        OnnxModel m = this;
        return new Layer() {
            @Override
            public Tensor forward(Tensor x) {
                return m.emit(x.builder(), Map.of(inputs.get(0).name(), x)).get(outputs.get(0));
            }

            @Override
            protected String extraRepr() {
                return "onnx: " + proto.getNodeCount() + " nodes, inputs " + inputs + ", outputs " + outputs;
            }
        };
    }
}
