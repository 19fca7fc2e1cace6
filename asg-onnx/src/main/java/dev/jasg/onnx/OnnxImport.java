package dev.jasg.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.jasg.core.DType;
import dev.jasg.core.Shape;
import dev.jasg.onnx.proto.OnnxProto.GraphProto;
import dev.jasg.onnx.proto.OnnxProto.ModelProto;
import dev.jasg.onnx.proto.OnnxProto.NodeProto;
import dev.jasg.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.jasg.onnx.proto.OnnxProto.TensorProto;
import dev.jasg.onnx.proto.OnnxProto.TensorShapeProto;
import dev.jasg.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an ONNX model ({@code .onnx}, opsets 13 to 18 of the default domain) into an
 * {@link OnnxModel}: a JASG graph whose float initializers are trainable parameters.
 *
 * <p>Everything is checked before the graph is returned: the file must parse as an ONNX
 * {@code ModelProto}; every node's op must be one JASG maps ({@link UnsupportedOpException}
 * names the first that is not, with its node name); every tensor's declared size must match the
 * bytes present before anything is allocated from it; external data must lie inside the
 * model's folder. All such failures are {@link OnnxException}s.
 *
 * <pre>{@code
 * OnnxModel m = OnnxImport.read(Path.of("mlp.onnx"));
 * try (Backend cpu = Backends.create("cpu"); Executable ex = cpu.compile(m.graph())) {
 *     HostTensor y = ex.run(Map.of("input", x)).get("output");
 * }
 * }</pre>
 */
public final class OnnxImport {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxImport.class);
    /** Oldest default-domain opset read. */
    public static final int MIN_OPSET = 13;
    /** Newest default-domain opset read. */
    public static final int MAX_OPSET = 18;
    /** Largest model file read (protobuf's own limit is 2 GiB; larger weights belong in external data). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private OnnxImport() {}

    /** Reads and checks the model at {@code path}; external data is looked up next to it. */
    public static OnnxModel read(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new OnnxException("cannot read ONNX model " + path + ": " + e, e);
        }
        if (size > MAX_FILE_BYTES) throw new OnnxException("ONNX model " + path + " is " + size + " bytes; more than " + MAX_FILE_BYTES + " cannot be a protobuf (use external data)");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new OnnxException("cannot read ONNX model " + path + ": " + e, e);
        }
        Path dir = path.toAbsolutePath().getParent();
        try {
            return read(bytes, dir, path.toString());
        } catch (OnnxException e) {
            throw e;
        }
    }

    /** Reads a model from {@code bytes}; {@code dir} (may be null: then external data is refused) holds its external data. */
    public static OnnxModel read(byte[] bytes, Path dir, String what) {
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(64);
            m = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException("ONNX model " + what + " is not a valid ONNX protobuf (truncated or corrupted?): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OnnxException("cannot parse ONNX model " + what + ": " + e, e);
        }
        if (!m.hasGraph()) throw new OnnxException("ONNX model " + what + " has no graph (truncated, or not an ONNX file)");
        int opset = -1;
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = (int) Math.min(Integer.MAX_VALUE, o.getVersion());
        }
        if (opset < 0) throw new OnnxException("ONNX model " + what + " imports no default-domain opset");
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxException("ONNX model " + what + " uses opset " + opset + "; JASG reads opsets " + MIN_OPSET + " to " + MAX_OPSET);
        }
        GraphProto g = m.getGraph();
        // every op is checked before anything is built
        for (int k = 0; k < g.getNodeCount(); k++) {
            NodeProto n = g.getNode(k);
            String domain = n.getDomain();
            if (!domain.isEmpty() && !domain.equals("ai.onnx")) throw new UnsupportedOpException(n.getOpType(), nodeName(n, k), "domain '" + domain + "'");
            if (!Emitter.SUPPORTED.contains(n.getOpType())) throw new UnsupportedOpException(n.getOpType(), nodeName(n, k), "no mapping to JASG ops");
        }
        Map<String, TensorData> inits = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (inits.containsKey(t.getName())) throw new OnnxException("ONNX model " + what + ": initializer '" + t.getName() + "' is defined twice");
            inits.put(t.getName(), TensorData.decode(t, dir, "initializer '" + t.getName() + "'"));
        }
        Set<String> buffers = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("BatchNormalization")) {
                for (int i = 3; i < Math.min(5, n.getInputCount()); i++) if (inits.containsKey(n.getInput(i))) buffers.add(n.getInput(i));
            }
        }
        List<OnnxModel.Input> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (inits.containsKey(v.getName())) continue;
            inputs.add(input(v, what));
        }
        List<String> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) outputs.add(v.getName());
        if (outputs.isEmpty()) throw new OnnxException("ONNX model " + what + " has no graph outputs");
        try {
            OnnxModel model = new OnnxModel(g, opset, inputs, outputs, inits, buffers);
            LOG.debug("imported ONNX model {}: opset {}, {} nodes, {} initializers", what, opset, g.getNodeCount(), inits.size());
            return model;
        } catch (OnnxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new OnnxException("ONNX model " + what + ": " + e.getMessage(), e);
        }
    }

    private static OnnxModel.Input input(ValueInfoProto v, String what) {
        String name = v.getName();
        if (!v.hasType() || !v.getType().hasTensorType()) throw new OnnxException("ONNX model " + what + ": input '" + name + "' is not a tensor");
        var tt = v.getType().getTensorType();
        DType dt = TensorData.dtypeOf(tt.getElemType());
        if (dt == null) throw new OnnxException("ONNX model " + what + ": input '" + name + "' has unsupported data type " + tt.getElemType());
        if (!tt.hasShape()) throw new OnnxException("ONNX model " + what + ": input '" + name + "' has no shape (its rank is needed)");
        List<TensorShapeProto.Dimension> dims = tt.getShape().getDimList();
        Object[] d = new Object[dims.size()];
        for (int i = 0; i < d.length; i++) {
            var dim = dims.get(i);
            if (dim.hasDimValue()) {
                long n = dim.getDimValue();
                if (n < 0 || n > TensorData.MAX_ELEMENTS) throw new OnnxException("ONNX model " + what + ": input '" + name + "' axis " + i + " has size " + n);
                d[i] = (int) n;
            } else {
                String p = dim.getDimParam();
                d[i] = symbol(p.isEmpty() ? name + "_" + i : p);
            }
        }
        return new OnnxModel.Input(name, dt, Shape.symbolic(d));
    }

    /** A JASG symbol name for ONNX {@code dim_param} {@code p} (characters other than letters, digits and _ become _). */
    static String symbol(String p) {
        StringBuilder s = new StringBuilder();
        for (char c : p.toCharArray()) s.append(Character.isJavaIdentifierPart(c) ? c : '_');
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) s.insert(0, 'd');
        return s.toString();
    }

    static String nodeName(NodeProto n, int index) {
        return n.getName().isEmpty() ? "#" + index : n.getName();
    }
}
