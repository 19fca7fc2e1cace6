package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * Any model with some of its ops replaced: the Model Lab's way to swap an activation or edit a
 * constant without touching the model's classes or the immutable graphs.
 *
 * <p>{@link #forward} builds the wrapped model on a scratch builder, then replays that graph node
 * by node onto the caller's builder, in the same order and scopes, with every edited node's op
 * replaced. Parameters keep their names, so a trainer built on this model over an existing
 * parameter store continues with the same weights. An op edit makes one node per scratch node, so
 * the model's nodes keep their ids. Every edit is keyed by its node's <em>key</em>,
 * {@code scope#k} (the k-th node the model makes in that scope), which stays valid across rebuilds
 * and in eval mode, where a layer such as Dropout makes fewer nodes; {@link #ordinalOf} gives a
 * node's position in the last training build (1 for the first node after the input).
 *
 * <p>Graph edits ({@link GraphEdit}, phase C) insert a layer in front of a node's input (the new
 * nodes come in the inserted layer's own scope, and later ids shift) or splice out a passthrough
 * subgraph. With no edits the replayed graph is the one the model would have built.
 */
public final class RewrittenModel extends Layer {
    private final Layer inner;
    // Every edit is keyed by its node's key, "scope#k" (the k-th node the model made in that scope):
    // stable across rebuilds, and across modes too where a layer makes other nodes in eval mode
    // (a Dropout makes none), which a global position would not be.
    private final Map<String, Op> edits = new TreeMap<>();
    // Parameters already replayed on a builder: a model applied twice on one graph shares them.
    private final Map<GraphBuilder, Map<String, Tensor>> parameters = new WeakHashMap<>();
    // Graph edits (GraphEdit): layers inserted on edges and passthrough subgraphs spliced out, by ordinal.
    private List<Insertion> insertions = new ArrayList<>();
    private List<Deletion> deletions = new ArrayList<>();
    private int insertCounter;
    // The last training build: its real node ids to ordinals, and nodes made by inserted layers.
    private Map<Integer, Integer> ordinalById = new HashMap<>();
    private List<String> keyByOrdinal = List.of();
    private Map<Integer, Insertion> insertedById = new HashMap<>();
    private int inputId = -1;
    private boolean built;

    /** Wraps {@code inner} (an unregistered root module) with no edits. */
    public RewrittenModel(Layer inner) {
        this.inner = inner;
    }

    /** The wrapped model. */
    public Layer inner() {
        return inner;
    }

    @Override
    public <L extends Layer> L train(boolean mode) {
        if (inner != null) inner.train(mode);
        if (insertions != null) for (Insertion i : insertions) i.layer().train(mode);
        return super.train(mode);
    }

    @Override
    public Tensor forward(Tensor x) {
        GraphBuilder real = x.builder();
        GraphBuilder scratch = new GraphBuilder();
        String inputName = x.node().op() instanceof Op.Input in ? in.name() : "x";
        Tensor sx = scratch.input(inputName, x.dtype(), x.shape());
        Tensor sy = inner.apply(sx);
        Graph g = scratch.build();
        Tensor[] replayed = new Tensor[g.size()];
        replayed[sx.id()] = x;
        Map<String, Tensor> params = parameters.computeIfAbsent(real, b -> new java.util.HashMap<>());
        Map<Integer, Integer> ordinals = new HashMap<>();
        Map<Integer, Insertion> inserted = new HashMap<>();
        Map<Insertion, Tensor> insertedValues = new HashMap<>();
        java.util.Set<Integer> removed = new java.util.HashSet<>();
        String[] keys = keys(g, sx.id());
        Map<String, Integer> idByKey = new HashMap<>();
        for (int i = 0; i < keys.length; i++) idByKey.put(keys[i], i);
        java.util.Set<String> removedKeys = new java.util.HashSet<>();
        Map<String, String> bypass = new HashMap<>();
        for (Deletion d : deletions) {
            removedKeys.addAll(d.removed());
            bypass.put(d.output(), d.input());
        }
        for (String k : removedKeys) if (idByKey.containsKey(k)) removed.add(idByKey.get(k));
        for (Node n : g.nodes()) {
            if (n.id() == sx.id()) continue;
            if (removed.contains(n.id())) {
                String from = bypass.get(keys[n.id()]);
                if (from != null) {
                    Integer src = idByKey.get(from);
                    if (src == null) throw new IllegalStateException("Model Lab: " + n.path() + " was deleted, but its input " + from + " is not in this build");
                    replayed[n.id()] = replayed[src];
                }
                continue;
            }
            Op op = edits.getOrDefault(keys[n.id()], n.op());
            Tensor t;
            if (op instanceof Op.Parameter p) {
                t = params.get(p.name());
                if (t == null) {
                    t = parameterIn(real, n, p);
                    params.put(p.name(), t);
                }
            } else if (op instanceof Op.Input in) {
                t = real.input(in.name(), n.dtype(), n.shape());
            } else {
                Tensor[] inputs = new Tensor[n.arity()];
                for (int i = 0; i < inputs.length; i++) {
                    int src = n.input(i);
                    Insertion ins = insertionOn(keys[n.id()], i);
                    if (ins == null) {
                        inputs[i] = replayed[src];
                    } else {
                        Tensor v = insertedValues.get(ins);
                        if (v == null) {
                            int before = real.size();
                            v = insertIn(real, ins, replayed[src]);
                            for (int id = before; id < real.size(); id++) inserted.put(id, ins);
                            insertedValues.put(ins, v);
                        }
                        inputs[i] = v;
                    }
                }
                t = applyChecked(real, n, op, inputs);
            }
            if (op != n.op() && (!t.shape().equals(n.shape()) || t.dtype() != n.dtype())) {
                throw new GraphEditException(n.path(), List.of(n.shape()), LabText.of("lab.reason.replaceShape", op.label(), t.dtype().label() + t.shape(), n.path(),
                        n.dtype().label() + n.shape()), null);
            }
            replayed[n.id()] = t;
            ordinals.put(t.id(), n.id());
        }
        for (Graph.Assignment a : g.assignments()) {
            if (removed.contains(a.parameter()) || removed.contains(a.value())) continue;
            real.assign(replayed[a.parameter()], replayed[a.value()]);
        }
        if (isTraining()) {
            ordinals.keySet().removeIf(id -> id < x.id() || id == x.id());
            ordinalById = ordinals;
            keyByOrdinal = List.of(keys);
            insertedById = inserted;
            inputId = x.id();
            built = true;
        }
        return replayed[sy.id()];
    }

    private Insertion insertionOn(String consumer, int slot) {
        for (Insertion i : insertions) if (i.consumer().equals(consumer) && i.slots().contains(slot)) return i;
        return null;
    }

    /** Each node's key, {@code scope#k}: the k-th node made in that scope; the input is {@code #input}. */
    private static String[] keys(Graph g, int input) {
        String[] keys = new String[g.size()];
        Map<String, Integer> counts = new HashMap<>();
        for (Node n : g.nodes()) {
            keys[n.id()] = n.id() == input ? "#input" : n.scope() + "#" + counts.merge(n.scope(), 1, Integer::sum);
        }
        return keys;
    }

    private String keyOf(int id) {
        return keyByOrdinal.get(ordinalOf(id));
    }

    /** Applies an inserted layer in its scope; a shape that does not fit names the layer and the shape it got. */
    @SuppressWarnings("try")
    private Tensor insertIn(GraphBuilder b, Insertion ins, Tensor x) {
        ins.layer().train(isTraining());
        try (var s = b.scope(ins.scope())) {
            return ins.layer().apply(x);
        } catch (ShapeException e) {
            throw new GraphEditException(ins.scope() + " (" + ins.what().title() + ")", List.of(x.shape()), LabText.reason(e), e);
        }
    }

    /** {@link #applyIn} that names the node and the shapes of its inputs when shape inference rejects them. */
    private static Tensor applyChecked(GraphBuilder b, Node n, Op op, Tensor[] inputs) {
        try {
            return applyIn(b, n.scope(), op, inputs);
        } catch (ShapeException e) {
            List<Shape> shapes = new ArrayList<>();
            for (Tensor t : inputs) shapes.add(t.shape());
            throw new GraphEditException(n.path(), shapes, LabText.reason(e), e);
        }
    }

    /** The parameter in its scope, so it is drawn and named as the model made it ({@code 3.weight} in scope {@code 3}). */
    @SuppressWarnings("try") // the scope is entered for its effect on the node's scope and name
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

    /**
     * The model position of node {@code id} of the last training graph built from this model; throws
     * when the node is not the model's (an input of the trainer, part of the loss, or made by an
     * inserted layer).
     */
    public int ordinalOf(int id) {
        if (!built) throw new IllegalStateException("Model Lab: no training graph has been built from this model yet");
        Integer ordinal = ordinalById.get(id);
        if (ordinal == null) {
            Insertion ins = insertedById.get(id);
            if (ins != null) {
                throw new IllegalArgumentException("Model Lab: node " + id + " belongs to the inserted layer " + ins.scope() + " (" + ins.what().title()
                        + "); delete the layer to undo it");
            }
            throw new IllegalArgumentException("Model Lab: node " + id + " is not part of the model; the inputs and the loss cannot be edited");
        }
        return ordinal;
    }

    /** True when node {@code id} of the last training graph belongs to the model (not to an inserted layer). */
    public boolean contains(int id) {
        return built && ordinalById.containsKey(id);
    }

    /**
     * Replaces the op of node {@code id} of the last training graph by {@code op} from the next
     * build on; returns the edit it overrides, or null.
     */
    public Op edit(int id, Op op) {
        // An IllegalArgumentException as before; its cause carries the text in any language (LabText.reason finds it).
        if (op instanceof Op.Input || op instanceof Op.Parameter) throw refused(new GraphEditException("node " + id, List.of(), LabText.of("lab.reason.replaceLeaf"), null));
        if (built && !ordinalById.containsKey(id)) throw refused(new GraphEditException("node " + id, List.of(), notInModel(id), null));
        return edits.put(keyOf(id), op);
    }

    private static IllegalArgumentException refused(GraphEditException why) {
        return new IllegalArgumentException(why.reason(), why);
    }

    /** Puts back {@code previous} (null: the model's own op) at node {@code id}, undoing an {@link #edit}. */
    public void restore(int id, Op previous) {
        if (previous == null) edits.remove(keyOf(id));
        else edits.put(keyOf(id), previous);
    }

    /** The op edits by node key, {@code scope#k} (the k-th node the model makes in that scope). */
    public Map<String, Op> edits() {
        return Collections.unmodifiableMap(new TreeMap<>(edits));
    }

    @Override
    public String toString() {
        return inner + (edits.isEmpty() ? "" : " with edits " + edits) + (insertions.isEmpty() ? "" : " with insertions " + insertions)
                + (deletions.isEmpty() ? "" : " with deletions " + deletions);
    }

    // ---- graph edits ---------------------------------------------------------------------------

    /**
     * A layer put in front of input slots {@code slots} of the model node keyed {@code consumer}, in
     * scope {@code scope}; keyed by the reader, so it stays in place in eval mode even where the
     * producer (a dropout, say) makes no node.
     */
    record Insertion(String consumer, java.util.Set<Integer> slots, Insert what, String scope, Layer layer) {
        @Override
        public String toString() {
            return scope + "=" + what.title() + " before " + consumer + slots;
        }
    }

    /** Model nodes {@code removed} (ordinals) spliced out: readers of {@code output} read {@code input} instead. */
    record Deletion(java.util.Set<String> removed, String input, String output, String what) {
        @Override
        public String toString() {
            return what;
        }
    }

    /** The graph edits, for undoing a preview. */
    record Snapshot(List<Insertion> insertions, List<Deletion> deletions, int insertCounter, Map<Integer, Integer> ordinalById,
                    List<String> keyByOrdinal, Map<Integer, Insertion> insertedById, int inputId, boolean built) {}

    Snapshot snapshot() {
        return new Snapshot(new ArrayList<>(insertions), new ArrayList<>(deletions), insertCounter, ordinalById, keyByOrdinal, insertedById, inputId, built);
    }

    void restore(Snapshot s) {
        insertions = new ArrayList<>(s.insertions());
        deletions = new ArrayList<>(s.deletions());
        // Insert numbers are never reused: a preview may have put its layer's parameters in the
        // store, and a later layer of another shape under the same name would clash with them.
        insertCounter = Math.max(insertCounter, s.insertCounter());
        ordinalById = s.ordinalById();
        keyByOrdinal = s.keyByOrdinal();
        insertedById = s.insertedById();
        inputId = s.inputId();
        built = s.built();
    }

    /**
     * Records {@code edit}, made against {@code forward} (the last training graph), for the next
     * build; returns a description such as {@code Dropout(p=0.3) inserted as ins1_Dropout between 1
     * and 2}. Throws {@link GraphEditException} when the edit does not make sense on this graph.
     */
    String record(GraphEdit edit, Graph forward) {
        if (!built) throw new IllegalStateException("Model Lab: no training graph has been built from this model yet");
        return switch (edit) {
            case GraphEdit.InsertBetween e -> recordInsert(e, forward);
            case GraphEdit.InsertBetweenScopes e -> recordInsert(edgeBetween(e, forward), forward);
            case GraphEdit.DeletePassthrough e -> recordDelete(e, forward);
            case GraphEdit.DeleteCascade e -> recordCascade(e, forward);
        };
    }

    private static boolean inScope(Node n, String scope) {
        return n.scope().equals(scope) || n.scope().startsWith(scope + ".");
    }

    /** The one data edge from scope {@code e.producer()} into scope {@code e.consumer()}. */
    private GraphEdit.InsertBetween edgeBetween(GraphEdit.InsertBetweenScopes e, Graph forward) {
        List<int[]> edges = new ArrayList<>();
        for (Node c : forward.nodes()) {
            if (!contains(c.id()) || !inScope(c, e.consumer())) continue;
            for (int in : c.inputs()) {
                Node p = forward.node(in);
                if (p.op() instanceof Op.Parameter || p.op() instanceof Op.Constant || inScope(p, e.consumer()) || !inScope(p, e.producer())) continue;
                edges.add(new int[] {p.id(), c.id()});
            }
        }
        if (edges.size() != 1) {
            StringBuilder sb = new StringBuilder();
            for (int[] ed : edges) sb.append(sb.length() == 0 ? "" : ", ").append(forward.node(ed[0]).path()).append(" -> ").append(forward.node(ed[1]).path());
            throw new GraphEditException(e.consumer(), List.of(), edges.isEmpty()
                    ? LabText.of("lab.reason.noScopeEdge", e.producer(), e.consumer())
                    : LabText.of("lab.reason.manyScopeEdges", edges.size(), e.producer(), e.consumer(), sb), null);
        }
        return new GraphEdit.InsertBetween(edges.get(0)[0], edges.get(0)[1], e.what());
    }

    private String recordInsert(GraphEdit.InsertBetween e, Graph forward) {
        Node producer = nodeOf(forward, e.producer(), "producer");
        Node consumer = nodeOf(forward, e.consumer(), "consumer");
        boolean reads = false;
        for (int in : consumer.inputs()) reads |= in == producer.id();
        if (!reads) {
            throw new GraphEditException(consumer.path(), List.of(), LabText.of("lab.reason.noEdge", producer.id(), producer.path(), consumer.id(), consumer.path()), null);
        }
        String c = keyByOrdinal.get(modelOrdinal(consumer, "consumer"));
        java.util.Set<Integer> slots = new java.util.TreeSet<>();
        for (int i = 0; i < consumer.arity(); i++) if (consumer.input(i) == producer.id()) slots.add(i);
        boolean taken = false;
        for (int slot : slots) taken |= insertionOn(c, slot) != null;
        if (taken) {
            throw new GraphEditException(consumer.path(), List.of(producer.shape()), LabText.of("lab.reason.edgeTaken", producer.path(), consumer.path()), null);
        }
        String parent = commonScope(producer.scope(), consumer.scope());
        int k = insertCounter + 1;
        String leaf = "ins" + k + "_" + e.what().kind();
        String scope = parent.isEmpty() ? leaf : parent + "." + leaf;
        Layer layer;
        try {
            layer = e.what().create(producer.shape());
        } catch (IllegalArgumentException ex) {
            throw new GraphEditException(scope + " (" + e.what().title() + ")", List.of(producer.shape()), LabText.of("lab.reason.layerSettings", ex.getMessage()), ex);
        }
        layer.train(isTraining());
        insertions.add(new Insertion(c, slots, e.what(), scope, layer));
        insertCounter = k;
        return e.what().title() + " inserted as " + scope + " between " + producer.path() + " and " + consumer.path();
    }

    private String recordDelete(GraphEdit.DeletePassthrough e, Graph forward) {
        if (e.scope() == null) {
            Node n = nodeOf(forward, e.node(), "node");
            Insertion ins = insertedById.get(n.id());
            if (ins != null) {
                if (!passthroughKind(ins.what())) {
                    throw new GraphEditException(ins.scope() + " (" + ins.what().title() + ")", List.of(), LabText.of("lab.reason.insertedNotPassthrough", ins.what().title()), null);
                }
                insertions.remove(ins);
                return "inserted " + ins.what().title() + " " + ins.scope() + " deleted";
            }
            return spliceOut(forward, java.util.Set.of(n.id()), n.path(), false);
        }
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        for (Node n : forward.nodes()) {
            if ((n.scope().equals(e.scope()) || n.scope().startsWith(e.scope() + ".")) && contains(n.id())) ids.add(n.id());
        }
        for (Map.Entry<Integer, Insertion> en : insertedById.entrySet()) {
            String s = en.getValue().scope();
            if (s.equals(e.scope()) || s.startsWith(e.scope() + ".")) {
                insertions.remove(en.getValue());
                return "inserted " + en.getValue().what().title() + " " + s + " deleted";
            }
        }
        if (ids.isEmpty()) throw new GraphEditException(e.scope(), List.of(), LabText.of("lab.reason.emptyScope", e.scope()), null);
        return spliceOut(forward, ids, e.scope(), false);
    }

    /** The node alone when it is a passthrough, else the innermost enclosing layer that is one (projections allowed). */
    private String recordCascade(GraphEdit.DeleteCascade e, Graph forward) {
        Node n = nodeOf(forward, e.node(), "node");
        Insertion ins = insertedById.get(n.id());
        if (ins != null) {
            insertions.remove(ins);
            return "inserted " + ins.what().title() + " " + ins.scope() + " deleted";
        }
        modelOrdinal(n, "node");
        GraphEditException first = null;
        if (!(n.op() instanceof Op.Parameter) && !(n.op() instanceof Op.Constant)) {
            try {
                return spliceOut(forward, java.util.Set.of(n.id()), n.path(), false);
            } catch (GraphEditException ex) {
                first = ex;
            }
        }
        List<String> scopes = new ArrayList<>(dev.jasg.viewer.graph.GraphModel.ancestors(n.scope()));
        Collections.reverse(scopes);
        for (String scope : scopes) {
            java.util.Set<Integer> ids = new java.util.TreeSet<>();
            for (Node m : forward.nodes()) if (inScope(m, scope) && contains(m.id())) ids.add(m.id());
            boolean holdsInsert = false;
            for (Insertion i : insertions) holdsInsert |= inScope(i.scope(), scope);
            if (ids.isEmpty() || holdsInsert) continue;
            try {
                return spliceOut(forward, ids, scope, true);
            } catch (GraphEditException ex) {
                if (first == null) first = ex;
            }
        }
        LabText why = first != null ? first.text() : LabText.of("lab.reason.noDataInput");
        LabText text = scopes.isEmpty() ? LabText.of("lab.reason.cannotDelete", n.path(), why)
                : LabText.of("lab.reason.cannotDeleteAround", n.path(), String.join(", ", scopes), why);
        throw new GraphEditException(first != null ? first.node() : n.path(), first != null ? first.shapes() : List.of(n.shape()), text, first);
    }

    private static boolean inScope(String s, String scope) {
        return s.equals(scope) || s.startsWith(scope + ".");
    }

    private static boolean passthroughKind(Insert what) {
        return !(what instanceof Insert.LinearInsert);
    }

    /** Splices out the nodes {@code ids} of {@code forward} when they form a passthrough: one data input, one output of its shape, no projection. */
    private String spliceOut(Graph forward, java.util.Set<Integer> ids, String what, boolean projections) {
        java.util.Set<String> removed = new java.util.TreeSet<>();
        for (int id : ids) removed.add(keyByOrdinal.get(modelOrdinal(forward.node(id), "node")));
        List<Integer> dataInputs = new ArrayList<>();
        for (int id : ids) {
            Node n = forward.node(id);
            if (!projections) switch (n.op()) {
                case Op.MatMul m -> throw notPassthrough(forward, n, what, LabText.of("lab.why.projection", n.op().label()));
                case Op.Conv2d c -> throw notPassthrough(forward, n, what, LabText.of("lab.why.convolution", n.op().label()));
                case Op.ConvTranspose2d c -> throw notPassthrough(forward, n, what, LabText.of("lab.why.convolution", n.op().label()));
                case Op.Gather gth -> throw notPassthrough(forward, n, what, LabText.of("lab.why.lookup", n.op().label()));
                default -> { }
            }
            for (int in : n.inputs()) {
                if (ids.contains(in)) continue;
                Op op = forward.node(in).op();
                if (op instanceof Op.Parameter || op instanceof Op.Constant) continue;
                if (!dataInputs.contains(in)) dataInputs.add(in);
            }
        }
        List<Integer> outputs = new ArrayList<>();
        for (int id : ids) {
            boolean used = forward.outputs().containsValue(id);
            for (int c : forward.consumers(id)) used |= !ids.contains(c);
            for (Graph.Assignment a : forward.assignments()) used |= a.value() == id && !ids.contains(a.parameter());
            if (used) outputs.add(id);
        }
        Node first = forward.node(ids.iterator().next());
        if (dataInputs.size() != 1 || outputs.size() != 1) {
            throw notPassthrough(forward, first, what, LabText.of("lab.why.arity", dataInputs.size(), dataInputs, outputs.size(), outputs));
        }
        Node in = forward.node(dataInputs.get(0));
        Node out = forward.node(outputs.get(0));
        if (!in.shape().equals(out.shape()) || in.dtype() != out.dtype()) {
            throw new GraphEditException(out.path(), List.of(in.shape(), out.shape()), LabText.of("lab.reason.changesShape", what, in.dtype().label() + in.shape(),
                    out.dtype().label() + out.shape()), null);
        }
        if (in.id() != inputId && !contains(in.id())) {
            throw notPassthrough(forward, first, what, LabText.of("lab.why.insertedInput", in.path()));
        }
        deletions.add(new Deletion(removed, in.id() == inputId ? "#input" : keyOf(in.id()), keyOf(out.id()), what));
        StringBuilder list = new StringBuilder();
        int listed = 0;
        for (int id : ids) {
            if (listed++ == 12) {
                list.append(", …");
                break;
            }
            Node n = forward.node(id);
            list.append(list.isEmpty() ? "" : ", ").append(n.op() instanceof Op.Parameter p ? p.name() : n.path());
        }
        return what + " deleted (" + ids.size() + " node" + (ids.size() == 1 ? "" : "s") + ": " + list + "), " + in.path() + " now feeds its readers";
    }

    private static GraphEditException notPassthrough(Graph forward, Node n, String what, LabText why) {
        List<Shape> shapes = new ArrayList<>();
        for (int in : n.inputs()) shapes.add(forward.node(in).shape());
        return new GraphEditException(n.path(), shapes, LabText.of("lab.reason.notPassthrough", what, why), null);
    }

    private static Node nodeOf(Graph forward, int id, String role) {
        if (id < forward.base() || id >= forward.size()) {
            throw new GraphEditException("node " + id, List.of(), LabText.of("lab.reason.noSuchNode", LabText.of("lab.role." + role), id, forward.base(),
                    forward.size() - 1), null);
        }
        return forward.node(id);
    }

    private int modelOrdinal(Node n, String role) {
        try {
            return ordinalOf(n.id());
        } catch (IllegalArgumentException ex) {
            throw new GraphEditException(n.path(), List.of(n.shape()), LabText.of("lab.reason.notEditable", LabText.of("lab.role." + role), notInModel(n.id())), ex);
        }
    }

    /** Why node {@code id} is not one of the model's: an inserted layer's, or the input's or the loss's. */
    private LabText notInModel(int id) {
        Insertion ins = insertedById.get(id);
        return ins != null ? LabText.of("lab.reason.inInsertedLayer", id, ins.scope(), ins.what().title()) : LabText.of("lab.reason.notInModel", id);
    }

    private static String commonScope(String a, String b) {
        String[] x = a.isEmpty() ? new String[0] : a.split("\\.");
        String[] y = b.isEmpty() ? new String[0] : b.split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) sb.append(sb.length() == 0 ? "" : ".").append(x[i]);
        return sb.toString();
    }

    /** The graph edits applied, in order, as text (for the log and the viewer). */
    public List<String> graphEdits() {
        List<String> out = new ArrayList<>();
        for (Insertion i : insertions) out.add(i.toString());
        for (Deletion d : deletions) out.add("-" + d);
        return out;
    }
}
