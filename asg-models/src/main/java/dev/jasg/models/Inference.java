package dev.jasg.models;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference path: a model compiled forward-only, the JASG form of PyTorch's
 * {@code model.eval()} plus {@code with torch.no_grad(): model(x)}. The graph is built once in
 * eval mode (batch norm reads its running statistics, dropout is the identity), with no gradient
 * graph, no optimizer and no target, compiled by a {@link Backend} and run many times:
 * {@code y = model(x)}. The input is fed as {@code input}, the result fetched as {@code output}.
 *
 * <pre>{@code
 * try (Backend cpu = Backends.create("cpu");
 *      Inference net = Inference.compile(ResNet.resnet18(), cpu, 1, 3, 224, 224)) {
 *     net.load(weightsByName);              // e.g. a torchvision state_dict, by name
 *     HostTensor logits = net.run(image);   // [1, 1000]
 * }
 * }</pre>
 *
 * <p>The model's own train/eval mode is left as it was: {@link #compile} switches it to eval
 * only while it builds the graph. Parameters live in the executable's store on the backend;
 * {@link #load} overwrites them by name. Not thread-safe across {@link #load} and {@link #run}
 * (see {@link Executable}).
 */
public final class Inference implements AutoCloseable {
    /** The name of the fed input. */
    public static final String INPUT = "input";
    /** The name of the fetched output. */
    public static final String OUTPUT = "output";

    private static final Logger LOG = LoggerFactory.getLogger(Inference.class);

    private final String modelName;
    private final Graph graph;
    private final Executable executable;
    private final Map<String, ParameterSpec> declared;

    private Inference(String modelName, Graph graph, Executable executable, Map<String, ParameterSpec> declared) {
        this.modelName = modelName;
        this.graph = graph;
        this.executable = executable;
        this.declared = declared;
    }

    /**
     * Builds {@code model}'s forward graph in eval mode on an F32 input of {@code inputDims}
     * (sizes, or symbol names such as {@code "N"} for a batch bound at each run) and compiles it
     * on {@code backend} over a fresh parameter store. The parameters start at the model's
     * initial values; {@link #load} sets them.
     */
    public static Inference compile(Layer model, Backend backend, Object... inputDims) {
        return compile(model, backend, Shape.symbolic(inputDims));
    }

    /** {@link #compile(Layer, Backend, Object...)} with the input shape given as a {@link Shape}. */
    public static Inference compile(Layer model, Backend backend, Shape inputShape) {
        boolean wasTraining = model.isTraining();
        Graph graph;
        try {
            model.eval();
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input(INPUT, DType.F32, inputShape);
            b.output(OUTPUT, model.apply(x));
            graph = b.build();
        } finally {
            model.train(wasTraining);
        }
        Map<String, ParameterSpec> declared = new LinkedHashMap<>(model.namedParameters());
        declared.putAll(model.namedBuffers());
        Executable exe = backend.compile(backend.newParameters(0), graph);
        String name = model.getClass().getSimpleName();
        LOG.debug("compiled {} for inference on {}: input {}, {} nodes, {} parameters and buffers", name, backend.name(), inputShape,
                graph.nodes().size(), exe.parameters().names().size());
        return new Inference(name, graph, exe, Collections.unmodifiableMap(declared));
    }

    /**
     * Runs the model on {@code input} and returns {@code output}, copied to the host. The input
     * must match the compiled shape (symbolic sizes are bound by it).
     */
    public HostTensor run(HostTensor input) {
        return executable.run(Map.of(INPUT, input)).get(OUTPUT);
    }

    /**
     * Overwrites parameters and buffers by their dotted names ({@code layer1.0.conv1.weight},
     * {@code features.0.1.running_var}), converting each value to the parameter's dtype.
     * Names the model declares but the eval graph does not read ({@code num_batches_tracked})
     * are accepted and skipped. Returns the names the graph reads that {@code values} did not
     * give (they keep their current values), so a caller can insist on a complete load.
     *
     * @throws JasgException when a name is not a parameter or buffer of the model (naming it, the
     *     model and the declared names sharing its prefix)
     * @throws ShapeException when a value's shape differs from the parameter's (naming both)
     */
    public List<String> load(Map<String, HostTensor> values) {
        Parameters store = executable.parameters();
        for (var e : values.entrySet()) {
            String name = e.getKey();
            ParameterSpec spec = declared.get(name);
            if (spec == null) {
                throw new JasgException(modelName + ": '" + name + "' is not a parameter or buffer of the model; names sharing its prefix: " + similar(name));
            }
            if (!spec.shape().equals(e.getValue().shape())) {
                throw new ShapeException(modelName + ": parameter '" + name + "' has shape " + spec.shape() + "; the value given has shape "
                        + e.getValue().shape());
            }
            if (store.contains(name)) store.set(name, e.getValue());
        }
        List<String> missing = new ArrayList<>();
        for (String name : store.names()) if (!values.containsKey(name)) missing.add(name);
        return missing;
    }

    private List<String> similar(String name) {
        int dot = name.lastIndexOf('.');
        String prefix = dot < 0 ? "" : name.substring(0, dot + 1);
        List<String> out = new ArrayList<>();
        for (String d : declared.keySet()) {
            if (d.startsWith(prefix) && out.size() < 8) out.add(d);
        }
        return out;
    }

    /** The names of the parameters and buffers the compiled graph reads. */
    public Set<String> parameterNames() {
        return executable.parameters().names();
    }

    /** The backend's parameter store, to read or set a single parameter. */
    public Parameters parameters() {
        return executable.parameters();
    }

    /** The forward graph (eval mode, one input, one output). */
    public Graph graph() {
        return graph;
    }

    /** Frees the executable and its parameter store's use of it (not the backend). */
    @Override
    public void close() {
        executable.close();
    }
}
