package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A layer or a model, as {@code torch.nn.Module}: it owns parameters and child modules, both
 * registered by name, and builds its computation on a {@link Tensor} in {@link #forward}.
 *
 * <p>It is named {@code Layer}, not {@code Module}, so that {@code import dev.jasg.nn.*;} compiles:
 * a {@code Module} there would be ambiguous with {@code java.lang.Module}, which every Java file
 * imports implicitly.
 *
 * <p>Callers apply a module with {@link #apply(Tensor)}, PyTorch's {@code module(x)}: it opens a
 * scope named after the name the module was registered under on the tensor's
 * {@link GraphBuilder}, so its nodes carry that scope and its parameters come out as dotted paths
 * ({@code fc1.weight}, {@code 0.bias}); the root module opens no scope. Subclasses override
 * {@link #forward} and read their parameters there with {@link #parameter(Tensor, String)}.
 *
 * <pre>{@code
 * class Mlp extends Layer {
 *     final Linear fc1 = register("fc1", new Linear(784, 128));
 *     final Linear fc2 = register("fc2", new Linear(128, 10));
 *     public Tensor forward(Tensor x) { return fc2.apply(fc1.apply(x).relu()); }
 * }
 * }</pre>
 *
 * <p>Weight sharing: a module applied twice on one builder makes its parameter nodes once and
 * reuses them the second time, so both applications read (and train) the same weights. The
 * parameter tensors are cached per builder; a new builder (an eval graph, say) makes new
 * parameter nodes with the same names, which the backend's parameter store resolves to the same
 * values.
 *
 * <p>{@link #train()} and {@link #eval()} set the mode of the module and all its descendants;
 * layers whose computation differs between the two (dropout, batch norm) read
 * {@link #isTraining()} when the graph is built, so a training graph and an eval graph are two
 * graphs built in the two modes.
 */
public abstract class Layer {
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private final Map<String, ParameterSpec> ownParameters = new LinkedHashMap<>();
    private final Set<String> nonPersistent = new java.util.HashSet<>();
    // Weak keys: a builder that is dropped takes its cached parameter handles with it.
    private final Map<GraphBuilder, Map<String, Tensor>> built = new WeakHashMap<>();
    private String name;
    private boolean training = true;

    /** A module with no parameters or children yet. */
    protected Layer() {}

    /**
     * The computation of this module on {@code x}. Call {@link #apply(Tensor)} rather than this
     * from outside, so that the module's scope is opened.
     */
    public abstract Tensor forward(Tensor x);

    /**
     * Applies the module to {@code x} (PyTorch's {@code module(x)}): runs {@link #forward} in a
     * scope named after the module's registered name, or in the caller's scope for a root module.
     */
    public final Tensor apply(Tensor x) {
        return inScope(x.builder(), () -> forward(x));
    }

    /**
     * Runs {@code body} in this module's scope on {@code b} (the caller's scope for a root
     * module): what {@link #apply} does for {@link #forward}, for modules whose forward takes
     * more arguments than one tensor.
     */
    @SuppressWarnings("try") // the scope is entered for its effect on the builder
    protected final Tensor inScope(dev.jasg.core.GraphBuilder b, java.util.function.Supplier<Tensor> body) {
        if (name == null) return body.get();
        try (var scope = b.scope(name)) {
            return body.get();
        }
    }

    // ---- registration --------------------------------------------------------------------

    /**
     * Registers {@code child} under {@code name} (a non-empty name free of '.' and '/') and returns
     * it. A child may be shared (registered in several places); it may not contain this module,
     * which would make the tree a cycle: that throws {@link IllegalArgumentException} naming both
     * modules, the registration name and where this module sits inside {@code child}.
     */
    protected final <M extends Layer> M register(String name, M child) {
        checkName(name);
        if (children.containsKey(name) || ownParameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a child or parameter named '" + name + "'");
        }
        String inside = pathTo(child, this);
        if (inside != null) {
            // The tree must stay a tree (sharing is fine, a loop is not): every walk over it
            // (parameters, modes, printing, apply) would recurse forever.
            throw new IllegalArgumentException(describe(this) + " cannot register " + describe(child) + " as child '" + name + "': "
                    + (child == this ? "a module cannot be its own child" : describe(this) + " is inside it, at path '" + inside + "'")
                    + ", so this would make a cycle");
        }
        children.put(name, child);
        // A module registered twice (shared) keeps its first name, so it opens one scope wherever it is applied.
        Layer m = child;
        if (m.name == null) m.name = name;
        child.train(training);
        return child;
    }

    // The dotted path from `from` down to `target` ("" when they are the same module), or null
    // when `target` is not in `from`'s subtree. Each module is visited once, so shared children cost nothing extra.
    private static String pathTo(Layer from, Layer target) {
        return pathTo(from, target, "", Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static String pathTo(Layer from, Layer target, String path, Set<Layer> seen) {
        if (from == target) return path;
        if (!seen.add(from)) return null;
        for (var e : from.children.entrySet()) {
            String p = pathTo(e.getValue(), target, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), seen);
            if (p != null) return p;
        }
        return null;
    }

    private static String describe(Layer m) {
        return m.getClass().getSimpleName() + (m.name == null ? " (a root module)" : " '" + m.name + "'");
    }

    /** Registers a trainable F32 parameter {@code name} of {@code shape}, initialised by {@code init}. */
    protected final void registerParameter(String name, Initializers.Initializer init, int... shape) {
        registerParameter(name, Shape.of(shape), DType.F32, init.forShape(shape.clone()), true);
    }

    /**
     * Registers parameter {@code name}: a weight when {@code trainable}, a buffer (state that is
     * saved and restored but not trained, such as a running mean) otherwise.
     */
    protected final void registerParameter(String name, Shape shape, DType dtype, Init init, boolean trainable) {
        checkName(name);
        if (children.containsKey(name) || ownParameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a child or parameter named '" + name + "'");
        }
        ownParameters.put(name, new ParameterSpec(name, shape, dtype, init, trainable));
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".") || name.contains("/")) {
            throw new IllegalArgumentException("a module or parameter name must be non-empty and free of '.' and '/': '" + name + "'");
        }
    }

    /**
     * The node of this module's parameter {@code name} on {@code x}'s builder: made on first use
     * in the current scope (the module's), reused afterwards on the same builder.
     */
    protected final Tensor parameter(Tensor x, String name) {
        return parameter(x.builder(), name);
    }

    /** The node of this module's parameter {@code name} on builder {@code b}; see {@link #parameter(Tensor, String)}. */
    protected final Tensor parameter(GraphBuilder b, String name) {
        ParameterSpec spec = ownParameters.get(name);
        if (spec == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'; it has " + ownParameters.keySet());
        }
        Map<String, Tensor> made = built.computeIfAbsent(b, k -> new LinkedHashMap<>());
        Tensor t = made.get(name);
        if (t == null) {
            t = b.parameter(name, spec.shape(), spec.dtype(), spec.init(), spec.trainable());
            made.put(name, t);
        }
        return t;
    }

    // ---- introspection -------------------------------------------------------------------

    /** The name this module was first registered under, or null for a root module. */
    public final String name() {
        return name;
    }

    /** Direct children by registered name, in registration order. */
    public final Map<String, Layer> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** Direct children in registration order. */
    public final List<Layer> children() {
        return List.copyOf(children.values());
    }

    /**
     * Every trainable parameter of this module and its descendants by dotted name
     * ({@code fc1.weight}, {@code 0.bias}), own parameters first, then each child's in
     * registration order; a module reached twice (shared) is listed once, under its first path,
     * as {@code named_parameters()}. Usable without building a graph.
     */
    public final Map<String, ParameterSpec> namedParameters() {
        return collect(true);
    }

    /** The trainable parameters, in {@link #namedParameters()} order. */
    public final List<ParameterSpec> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** Every non-trainable parameter (buffer) of this module and its descendants by dotted name. */
    public final Map<String, ParameterSpec> namedBuffers() {
        return collect(false);
    }

    /**
     * The buffers that belong in a state dict: {@link #namedBuffers()} without those marked
     * {@link #markNonPersistent non-persistent} (PyTorch's {@code register_buffer(..., persistent=False)}),
     * such as a dropout layer's random seed, which a PyTorch checkpoint does not hold.
     */
    public final Map<String, ParameterSpec> namedPersistentBuffers() {
        Map<String, ParameterSpec> out = new LinkedHashMap<>();
        collectPersistent("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return Collections.unmodifiableMap(out);
    }

    private void collectPersistent(String prefix, Map<String, ParameterSpec> out, Set<Layer> seen) {
        if (!seen.add(this)) return;
        for (ParameterSpec p : ownParameters.values()) {
            if (!p.trainable() && !nonPersistent.contains(p.name())) {
                out.put(prefix + p.name(), prefix.isEmpty() ? p : p.prefixed(prefix.substring(0, prefix.length() - 1)));
            }
        }
        for (var e : children.entrySet()) e.getValue().collectPersistent(prefix + e.getKey() + ".", out, seen);
    }

    /**
     * Marks this module's own buffer {@code name} as not part of its state dict (PyTorch's
     * {@code persistent=False}): {@link #loadStateDict} neither expects nor writes it.
     */
    protected final void markNonPersistent(String name) {
        ParameterSpec p = ownParameters.get(name);
        if (p == null || p.trainable()) throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer named '" + name + "'");
        nonPersistent.add(name);
    }

    /** Number of trainable scalars. */
    public final long parameterCount() {
        long n = 0;
        for (ParameterSpec p : namedParameters().values()) n += p.shape().size();
        return n;
    }

    private Map<String, ParameterSpec> collect(boolean trainable) {
        Map<String, ParameterSpec> out = new LinkedHashMap<>();
        collect("", trainable, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, boolean trainable, Map<String, ParameterSpec> out, Set<Layer> seen) {
        if (!seen.add(this)) return;
        for (ParameterSpec p : ownParameters.values()) {
            if (p.trainable() == trainable) out.put(prefix + p.name(), prefix.isEmpty() ? p : p.prefixed(prefix.substring(0, prefix.length() - 1)));
        }
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", trainable, out, seen);
    }

    // ---- state dicts -----------------------------------------------------------------------

    /**
     * Loads {@code stateDict} (PyTorch's {@code load_state_dict}): each entry whose key is the
     * dotted name of one of this module's parameters or buffers ({@link #namedParameters()},
     * {@link #namedBuffers()}) becomes that parameter's initial value ({@link Init.Values}), so
     * every graph built from this module afterwards, and every parameter store that first meets
     * it (a {@code Trainer} built afterwards, {@code backend.compile} of a new graph), starts from
     * the loaded values:
     *
     * <pre>{@code
     * model.loadStateDict(StateDict.load(Path.of("model.safetensors")), true);
     * Trainer t = Trainer.builder(backend, model)...build();   // trains from the loaded weights
     * }</pre>
     *
     * A store that already holds the parameters keeps its values; load into it with
     * {@link #loadStateDict(Map, boolean, Parameters)}. Graphs already built keep the initialiser
     * their parameter nodes were made with.
     *
     * <p>Shapes must match exactly: a mismatch is a {@link dev.jasg.core.ShapeException} naming
     * the key and both shapes, whatever {@code strict} says (as in PyTorch). Values are converted to
     * the parameter's dtype (an F64 or I64 tensor into an F32 weight, a float into an integer
     * buffer only when every value is an integer it holds exactly); each conversion is logged
     * ({@code "fc.weight: BF16 -> F32"}, naming the stored type when the map implements
     * {@link StoredDTypes}) and listed in the result.
     *
     * <p>With {@code strict}, a key of the module the dict lacks (missing) or a dict key naming
     * nothing in the module (unexpected) is an {@link IncompatibleKeysException} listing them;
     * without it they are returned. Unlike PyTorch, which copies what it can before raising, a
     * load that fails changes nothing. A module registered in two places is matched under its
     * first path only.
     *
     * @return the missing and unexpected keys ({@code _IncompatibleKeys}) and the conversions
     */
    public final IncompatibleKeys loadStateDict(Map<String, HostTensor> stateDict, boolean strict) {
        return StateDictLoading.load(this, stateDict, strict, null);
    }

    /**
     * {@link #loadStateDict(Map, boolean)}, and also writes each loaded value into {@code store}
     * where it already holds that parameter (a trainer's {@code parameters()}, a store an eval
     * executable was compiled over), so executables already compiled over it run with the loaded
     * values from their next call.
     */
    public final IncompatibleKeys loadStateDict(Map<String, HostTensor> stateDict, boolean strict, Parameters store) {
        if (store == null) throw new IllegalArgumentException("loadStateDict: the parameter store is null");
        return StateDictLoading.load(this, stateDict, strict, store);
    }

    /**
     * This module's state (PyTorch's {@code state_dict()}): every parameter and buffer by dotted
     * name, parameters first, with its current value in {@code store}. Optimizer state in the same
     * store is not included. One the store does not hold (a buffer an eval graph never reads, such
     * as {@code num_batches_tracked}) gets its initial value when that needs no seed (loaded, zeros,
     * a constant); a randomly initialised one the store lacks is an {@link IllegalArgumentException}
     * naming it (compile a graph of this module over the store first; a {@code Trainer} does).
     */
    public final Map<String, HostTensor> stateDict(Parameters store) {
        return StateDictLoading.stateDict(this, store);
    }

    // Installs `value` as the initial value of the parameter at dotted path `key` (checked by the caller).
    final void installInitialValue(String key, HostTensor value) {
        Layer owner = this;
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) owner = owner.children.get(parts[i]);
        String local = parts[parts.length - 1];
        ParameterSpec old = owner.ownParameters.get(local);
        owner.ownParameters.put(local, new ParameterSpec(local, old.shape(), old.dtype(), new Init.Values(value), old.trainable()));
    }

    // ---- modes -----------------------------------------------------------------------------

    /**
     * Sets training mode on this module and every descendant; returns this module as its own
     * type, so that {@code Linear l = new Linear(2, 3).train();} compiles.
     *
     * <p>{@code train()}, {@link #train(boolean)} and {@link #eval()} are generic in their result
     * rather than overridden covariantly in every layer, so that every subclass, a user's model
     * too, gets a typed result without writing anything. The type is what the call site asks for
     * ({@code L} is inferred from the assignment, {@code Layer} in a chain); asking for a type this
     * module is not compiles but throws {@link ClassCastException} at that line.
     *
     * @param <L> this module's type, as the caller uses it
     */
    public final <L extends Layer> L train() {
        return train(true);
    }

    /**
     * Sets training mode ({@code true}) or eval mode on this module and every descendant; returns
     * this module as its own type (see {@link #train()}). A subclass holding modules that are not
     * registered children overrides this to set their mode too, and returns {@code super.train(mode)}.
     *
     * @param <L> this module's type, as the caller uses it
     */
    @SuppressWarnings("unchecked") // L is this object's own type or a supertype of it; see train()
    public <L extends Layer> L train(boolean mode) {
        training = mode;
        for (Layer c : children.values()) c.train(mode);
        return (L) this;
    }

    /**
     * Sets eval mode on this module and every descendant; returns this module as its own type
     * (see {@link #train()}): {@code Linear l = new Linear(2, 3).eval();}.
     *
     * @param <L> this module's type, as the caller uses it
     */
    public final <L extends Layer> L eval() {
        return train(false);
    }

    /** True in training mode (the default). */
    public final boolean isTraining() {
        return training;
    }

    /** A one-line description of this module's configuration, e.g. {@code in_features=2, out_features=8}. */
    protected String extraRepr() {
        return "";
    }

    /** A tree listing as PyTorch prints a module. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            for (var e : children.entrySet()) {
                String child = e.getValue().toString().replace("\n", "\n  ");
                sb.append("  (").append(e.getKey()).append("): ").append(child).append('\n');
            }
        }
        return sb.append(')').toString();
    }
}
