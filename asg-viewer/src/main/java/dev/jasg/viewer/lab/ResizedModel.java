package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm1d;
import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.Layer;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Any model with some of its layers replaced by resized ones: the Model Lab's phase D
 * ({@link LayerResize}) without touching the model's classes, whose children are final fields.
 *
 * <p>With no resize, {@link #forward} is the wrapped model's own forward. With resizes, the model
 * is built on a scratch builder and replayed node by node onto the caller's builder, in the same
 * scopes: the nodes of a resized layer's scope are replaced by the new layer applied to the
 * scope's one data input, in that scope, so its parameters keep their names ({@code 0.weight}).
 * Downstream, a node whose input changed shape is replayed as is when it sits in a container (a
 * {@code Sequential}, a block: its elementwise ops and residual adds take the new shape or fail),
 * and its whole layer is applied again when it is a leaf layer: a new {@code Linear},
 * {@code Conv2d}, {@code BatchNorm1d/2d} or {@code LayerNorm} sized for the new input (fresh
 * parameters), any other leaf layer (flatten, pooling, activations, dropout) itself. The cascade
 * repeats until the graph builds or a node fails, which is a {@link GraphEditException} naming the
 * node and its input shapes.
 *
 * <p>A layer is only replaced where it was applied to one tensor as {@code layer.apply(x)}: its
 * scope's ops must be those the layer makes from that input alone (an attention called with masks
 * or causally, say, is refused rather than silently changed).
 *
 * <p>Not thread-safe: build graphs from it on one thread (the session's training thread).
 */
public final class ResizedModel extends Layer {
    private final Layer inner;
    private final Map<String, Layer> resized = new LinkedHashMap<>();
    private final Map<GraphBuilder, Map<String, Tensor>> parameters = new WeakHashMap<>();
    private Map<String, Layer> lastCascade = Map.of();

    /** Wraps {@code inner} (an unregistered root module) with no resizes. */
    public ResizedModel(Layer inner) {
        this.inner = inner;
    }

    /** The wrapped model. */
    public Layer inner() {
        return inner;
    }

    @Override
    public <L extends Layer> L train(boolean mode) {
        if (inner != null) inner.train(mode);
        if (resized != null) for (Layer l : resized.values()) l.train(mode);
        return super.train(mode);
    }

    /** The layer now at module path {@code scope}: a resized one, or the model's own; null when there is none. */
    public Layer layerAt(String scope) {
        Layer r = resized.get(scope);
        return r != null ? r : find(inner, scope);
    }

    /** The layers resized so far, by scope. */
    public Map<String, Layer> resizedLayers() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(resized));
    }

    /** The layers the last training build replaced downstream of the resized ones (new sizes, fresh parameters), by scope. */
    public Map<String, Layer> cascade() {
        return lastCascade;
    }

    /** Records {@code r} for the next build; returns the layer it replaces (for {@link #restore}). */
    Layer record(LayerResize r) {
        for (String s : resized.keySet()) {
            if (!s.equals(r.scope()) && (r.scope().startsWith(s + ".") || s.startsWith(r.scope() + "."))) {
                throw new GraphEditException(r.scope(), List.of(), r.scope().startsWith(s + ".") ? LabText.of("lab.reason.resizedAround", s)
                        : LabText.of("lab.reason.resizedInside", s), null);
            }
        }
        Layer now = layerAt(r.scope());
        if (now == null) throw new GraphEditException(r.scope(), List.of(), LabText.of("lab.reason.noLayer", r.scope()), null);
        Layer next;
        try {
            next = r.resized(now);
        } catch (IllegalArgumentException e) {
            LabText why = e.getCause() instanceof GraphEditException g ? g.text() : LabText.of("lab.reason.layerSettings", e.getMessage());
            throw new GraphEditException(r.scope() + " (" + now.getClass().getSimpleName() + ")", List.of(), why, e);
        }
        next.train(isTraining());
        Layer was = resized.put(r.scope(), next);
        return was;
    }

    /** Undoes a {@link #record}: puts {@code previous} (null: the model's own layer) back at {@code scope} and the cascade as it was. */
    void restore(String scope, Layer previous, Map<String, Layer> cascade) {
        if (previous == null) resized.remove(scope);
        else resized.put(scope, previous);
        lastCascade = cascade;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (resized.isEmpty()) {
            lastCascade = Map.of();
            return inner.apply(x);
        }
        GraphBuilder scratch = new GraphBuilder();
        String inputName = x.node().op() instanceof Op.Input in ? in.name() : "x";
        Tensor sx = scratch.input(inputName, x.dtype(), x.shape());
        Tensor sy = inner.apply(sx);
        Graph g = scratch.build();
        Map<String, Layer> plan = new LinkedHashMap<>(resized);
        // Find the cascade on throw-away builders, so the caller's builder gets one clean replay.
        for (int attempt = 0; ; attempt++) {
            GraphBuilder trial = new GraphBuilder();
            Tensor tx = trial.input(inputName, x.dtype(), x.shape());
            try {
                replay(trial, tx, g, sx.id(), sy.id(), plan, new HashMap<>());
                break;
            } catch (Cascade c) {
                if (plan.containsKey(c.scope) || attempt > g.size()) {
                    throw new GraphEditException(c.scope, List.of(c.input), LabText.of("lab.reason.cascadeMisfit", c.input), null);
                }
                plan.put(c.scope, c.layer);
            }
        }
        Map<String, Layer> cascade = new LinkedHashMap<>(plan);
        cascade.keySet().removeAll(resized.keySet());
        // A parameter-free leaf applied again as itself (a flatten, an activation) is no replacement.
        cascade.entrySet().removeIf(e -> e.getValue() == find(inner, e.getKey()));
        if (isTraining()) lastCascade = java.util.Collections.unmodifiableMap(cascade);
        Map<String, Tensor> params = parameters.computeIfAbsent(x.builder(), b -> new HashMap<>());
        return replay(x.builder(), x, g, sx.id(), sy.id(), plan, params);
    }

    /** Thrown during a trial replay: the leaf layer at {@code scope} must be applied again, as {@code layer}. */
    private static final class Cascade extends RuntimeException {
        final String scope;
        final transient Layer layer;
        final transient Shape input;

        Cascade(String scope, Layer layer, Shape input) {
            super(null, null, false, false);
            this.scope = scope;
            this.layer = layer;
            this.input = input;
        }
    }

    private Tensor replay(GraphBuilder real, Tensor x, Graph g, int sx, int sy, Map<String, Layer> plan, Map<String, Tensor> params) {
        Tensor[] replayed = new Tensor[g.size()];
        replayed[sx] = x;
        Map<String, Span> spans = new HashMap<>();
        for (String s : plan.keySet()) spans.put(s, span(g, s, sx, sy));
        for (Node n : g.nodes()) {
            if (n.id() == sx) continue;
            String in = planScopeOf(n.scope(), plan);
            if (in != null) {
                Span sp = spans.get(in);
                if (n.id() == sp.output()) replayed[n.id()] = applyLayer(real, in, plan.get(in), replayed[sp.input()]);
                continue;
            }
            Tensor t;
            if (n.op() instanceof Op.Parameter p) {
                t = params.get(p.name());
                if (t == null) {
                    t = parameterIn(real, n, p);
                    params.put(p.name(), t);
                }
            } else if (n.op() instanceof Op.Input inp) {
                t = real.input(inp.name(), n.dtype(), n.shape());
            } else {
                Tensor[] inputs = new Tensor[n.arity()];
                boolean changed = false;
                for (int i = 0; i < inputs.length; i++) {
                    inputs[i] = replayed[n.input(i)];
                    if (inputs[i] == null) throw new IllegalStateException("Model Lab: node " + n.path() + " reads a node of a replaced layer that is not its output");
                    changed |= !inputs[i].shape().equals(g.node(n.input(i)).shape());
                }
                if (changed) {
                    String leaf = leafLayerScope(n.scope());
                    if (leaf != null) {
                        Span sp = span(g, leaf, sx, sy);
                        Shape newInput = replayed[sp.input()].shape();
                        throw new Cascade(leaf, adapted(find(inner, leaf), newInput), newInput);
                    }
                }
                t = applyChecked(real, n, inputs);
            }
            replayed[n.id()] = t;
        }
        for (Graph.Assignment a : g.assignments()) {
            if (replayed[a.parameter()] == null || replayed[a.value()] == null) continue;
            real.assign(replayed[a.parameter()], replayed[a.value()]);
        }
        return replayed[sy];
    }

    /** The layer to apply again at a leaf scope whose input is now {@code input}: one sized for it, or the layer itself. */
    private static Layer adapted(Layer layer, Shape input) {
        int last = input.rank() > 0 && !input.isSymbolic(input.rank() - 1) ? input.dim(input.rank() - 1) : -1;
        int channels = input.rank() > 1 && !input.isSymbolic(1) ? input.dim(1) : -1;
        return switch (layer) {
            case Linear l when last > 0 && last != l.inFeatures() -> new Linear(last, l.outFeatures(), l.hasBias());
            case Conv2d c when channels > 0 && channels != c.inChannels() -> {
                int[] k = c.kernelSize();
                yield new Conv2d(channels, c.outChannels(), k[0], k[1], c.options());
            }
            case BatchNorm1d b when channels > 0 && channels != b.numFeatures() -> b.withNumFeatures(channels);
            case BatchNorm2d b when channels > 0 && channels != b.numFeatures() -> b.withNumFeatures(channels);
            case LayerNorm n when last > 0 -> {
                int[] s = n.normalizedShape();
                yield s[s.length - 1] == last ? n : n.withLastDim(last);
            }
            default -> layer;
        };
    }

    /** Applies {@code layer} in {@code scope}: a new (unregistered) layer opens no scope of its own, the model's own opens its name. */
    @SuppressWarnings("try")
    private Tensor applyLayer(GraphBuilder b, String scope, Layer layer, Tensor x) {
        String at = layer.name() == null ? scope : parentOf(scope);
        try {
            if (at.isEmpty()) return layer.apply(x);
            try (var s = b.scope(at)) {
                return layer.apply(x);
            }
        } catch (ShapeException | IllegalArgumentException e) {
            throw new GraphEditException(scope + " (" + layer.getClass().getSimpleName() + ")", List.of(x.shape()), LabText.reason(e), e);
        }
    }

    /** The one data input and the one output of the nodes in {@code scope}; refused unless the layer was applied to one tensor. */
    private Span span(Graph g, String scope, int sx, int sy) {
        List<Integer> inputs = new ArrayList<>();
        List<Integer> outputs = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.id() == sx || !within(n.scope(), scope)) continue;
            nodes.add(n);
            for (int i : n.inputs()) {
                Node src = g.node(i);
                if (within(src.scope(), scope) && src.id() != sx) continue;
                if (src.op() instanceof Op.Parameter || src.op() instanceof Op.Constant) continue;
                if (!inputs.contains(i)) inputs.add(i);
            }
            boolean out = n.id() == sy;
            for (int c : g.consumers(n.id())) out |= !within(g.node(c).scope(), scope);
            if (out) outputs.add(n.id());
        }
        if (nodes.isEmpty()) throw new GraphEditException(scope, List.of(), LabText.of("lab.reason.noNodesInScope", scope), null);
        if (inputs.size() != 1 || outputs.size() != 1) {
            throw new GraphEditException(scope, shapes(g, inputs), LabText.of("lab.reason.notSingleApply", inputs.size(), outputs.size()), null);
        }
        checkPlainApply(g, scope, nodes, g.node(inputs.get(0)));
        return new Span(inputs.get(0), outputs.get(0));
    }

    /** Throws unless the scope's ops are those the model's layer makes from its input alone (no masks, no other call). */
    @SuppressWarnings("try")
    private void checkPlainApply(Graph g, String scope, List<Node> nodes, Node input) {
        Layer layer = find(inner, scope);
        if (layer == null) throw new GraphEditException(scope, List.of(), LabText.of("lab.reason.noLayer", scope), null);
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", input.dtype(), input.shape());
        boolean mode = layer.isTraining();
        try {
            layer.train(isTraining());
            String parent = parentOf(scope);
            if (parent.isEmpty() || layer.name() == null) {
                layer.apply(x);
            } else {
                try (var s = b.scope(parent)) {
                    layer.apply(x);
                }
            }
        } catch (RuntimeException e) {
            throw new GraphEditException(scope, List.of(input.shape()), LabText.of("lab.reason.notAlone", input.shape(), LabText.reason(e)), e);
        } finally {
            layer.train(mode);
        }
        Graph alone = b.build();
        List<String> want = new ArrayList<>();
        for (Node n : alone.nodes()) if (!(n.op() instanceof Op.Input)) want.add(n.op().getClass().getSimpleName());
        List<String> have = new ArrayList<>();
        for (Node n : nodes) have.add(n.op().getClass().getSimpleName());
        if (!want.equals(have)) {
            throw new GraphEditException(scope, List.of(input.shape()), LabText.of("lab.reason.moreThanInput"), null);
        }
    }

    private static List<Shape> shapes(Graph g, List<Integer> ids) {
        List<Shape> out = new ArrayList<>();
        for (int i : ids) out.add(g.node(i).shape());
        return out;
    }

    private record Span(int input, int output) {}

    /** The planned scope containing {@code scope}, or null. */
    private static String planScopeOf(String scope, Map<String, Layer> plan) {
        for (String s : plan.keySet()) if (within(scope, s)) return s;
        return null;
    }

    /** The module path of the innermost leaf layer (no children) containing {@code scope}; null in a container or at the root. */
    private String leafLayerScope(String scope) {
        String path = scope;
        while (!path.isEmpty()) {
            Layer l = find(inner, path);
            if (l != null) return l.namedChildren().isEmpty() ? path : null;
            path = parentOf(path);
        }
        return null;
    }

    private static boolean within(String scope, String s) {
        return scope.equals(s) || scope.startsWith(s + ".");
    }

    private static String parentOf(String scope) {
        int dot = scope.lastIndexOf('.');
        return dot < 0 ? "" : scope.substring(0, dot);
    }

    /** The module at dotted path {@code path} under {@code root}, or null. */
    static Layer find(Layer root, String path) {
        Layer l = root;
        for (String part : path.split("\\.")) {
            l = l.namedChildren().get(part);
            if (l == null) return null;
        }
        return l;
    }

    private static Tensor applyChecked(GraphBuilder b, Node n, Tensor[] inputs) {
        try {
            return applyIn(b, n.scope(), n.op(), inputs);
        } catch (ShapeException | IllegalArgumentException e) {
            List<Shape> shapes = new ArrayList<>();
            for (Tensor t : inputs) shapes.add(t.shape());
            throw new GraphEditException(n.path(), shapes, LabText.reason(e), e);
        }
    }

    /** The parameter in its scope, so it is named as the model made it. */
    @SuppressWarnings("try")
    private static Tensor parameterIn(GraphBuilder b, Node n, Op.Parameter p) {
        String prefix = n.scope() + ".";
        if (n.scope().isEmpty() || !p.name().startsWith(prefix)) return b.parameter(p.name(), n.shape(), n.dtype(), p.init(), p.trainable());
        try (var s = b.scope(n.scope())) {
            return b.parameter(p.name().substring(prefix.length()), n.shape(), n.dtype(), p.init(), p.trainable());
        }
    }

    @SuppressWarnings("try")
    private static Tensor applyIn(GraphBuilder b, String scope, Op op, Tensor[] inputs) {
        if (scope.isEmpty()) return b.apply(op, inputs);
        try (var s = b.scope(scope)) {
            return b.apply(op, inputs);
        }
    }

    @Override
    public String toString() {
        return inner + (resized.isEmpty() ? "" : " with resized " + resized.keySet());
    }
}
