package dev.jasg.spark;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import dev.jasg.nn.optim.Optimizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task's model replica, split where data parallelism needs it: one executable computes the
 * loss and the gradients of a batch (forward and gradient graphs, the forward graph's assignments
 * such as running statistics applied), a second applies gradients given from outside with the
 * optimizer's own update graph. The second chain starts from a graph that declares the trainable
 * parameters and feeds each gradient as the input {@code grad:<name>} (and outputs it under the
 * name the optimizer reads), so the optimizer code is asg-nn's, unchanged. Both run over one
 * parameter store seeded with the run's seed, which is how every replica starts equal.
 *
 * <p>Vectors: the gradient vector is the trainable parameters' gradients in name order, followed
 * by the model's buffers (non-trainable parameters outside the optimizer's scope, e.g. BatchNorm's
 * running statistics) as the forward pass left them; the state vector is every stored tensor in
 * name order (weights, buffers and optimizer state). Not thread-safe: one task's thread uses it.
 */
final class Replica implements AutoCloseable {
    private final Backend backend;
    private final Parameters store;
    private final Executable gradients;
    private final Executable apply;
    private final List<String> trainable;
    private final List<String> buffers;
    private final List<String> state;
    private final Map<String, Shape> shapes = new HashMap<>();
    private final String inputName;
    private final String targetName;
    private final double lr;
    private final int gradientLength;
    private final int stateLength;

    Replica(RunPlan plan) {
        this.backend = Backends.create(plan.backend());
        try {
            Layer model = plan.model().create();
            model.train();
            this.inputName = plan.input().name();
            this.targetName = plan.target().name();
            GraphBuilder g = new GraphBuilder();
            Tensor x = g.input(inputName, plan.input().dtype(), plan.input().batchShape());
            Tensor y = g.input(targetName, plan.target().dtype(), plan.target().batchShape());
            Tensor loss = plan.loss().apply(model.apply(x), y);
            if (loss == null || !loss.shape().isConcrete() || loss.shape().size() != 1 || !loss.dtype().isFloat()) {
                throw new IllegalArgumentException("SparkTrainer: the loss function must return a float scalar, got " + (loss == null ? "null" : loss.node()));
            }
            g.output("loss", loss);
            Graph forward = g.build();
            Map<String, Node> params = forward.parameters();
            this.trainable = params.keySet().stream().filter(k -> ((Op.Parameter) params.get(k).op()).trainable()).sorted().toList();
            if (trainable.isEmpty()) throw new IllegalArgumentException("SparkTrainer: the model has no trainable parameters:\n" + model);
            this.buffers = params.keySet().stream().filter(k -> !((Op.Parameter) params.get(k).op()).trainable()).sorted().toList();
            Graph grads = Autograd.gradients(forward, "loss", trainable);
            this.store = backend.newParameters(plan.seed());
            this.gradients = backend.compile(store, forward, grads);

            GraphBuilder a = new GraphBuilder();
            for (String name : trainable) {
                Node p = params.get(name);
                a.parameter(name, p.shape(), p.dtype(), ((Op.Parameter) p.op()).init(), true);
                a.output("grad:" + name, a.input("grad:" + name, p.dtype(), p.shape()));
            }
            Graph fed = a.build();
            Optimizer optimizer = plan.optimizer().create();
            this.lr = optimizer.lr();
            this.apply = backend.compile(store, fed, optimizer.update(fed));
            this.state = store.names().stream().sorted().toList();
            for (String name : state) shapes.put(name, store.get(name).shape());
            this.gradientLength = length(trainable) + length(buffers);
            this.stateLength = length(state);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private int length(List<String> names) {
        long n = 0;
        for (String name : names) n += shapes.get(name).size();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("SparkTrainer: the model's " + n + " values do not fit one Java array");
        return (int) n;
    }

    int gradientLength() {
        return gradientLength;
    }

    int stateLength() {
        return stateLength;
    }

    /** Runs the forward and gradient graphs on {@code batch}; writes the gradient vector into {@code into}; returns the loss. */
    double gradients(Map<String, HostTensor> batch, float[] into) {
        Outputs o = gradients.run(batch);
        int at = 0;
        for (String name : trainable) at = put(o.get("grad:" + name), into, at);
        for (String name : buffers) at = put(store.get(name), into, at);
        return o.scalar("loss");
    }

    /** Applies the trainable part of gradient vector {@code grads} with the optimizer and sets the buffers from its tail. */
    void apply(float[] grads) {
        Map<String, HostTensor> feeds = new HashMap<>();
        int at = 0;
        for (String name : trainable) {
            Shape s = shapes.get(name);
            feeds.put("grad:" + name, HostTensor.of(dev.jasg.core.DType.F32, s, slice(grads, at, s)));
            at += s.sizeInt();
        }
        for (String name : buffers) {
            Shape s = shapes.get(name);
            store.set(name, HostTensor.of(dev.jasg.core.DType.F32, s, slice(grads, at, s)));
            at += s.sizeInt();
        }
        feeds.put(Optimizer.LR_INPUT, HostTensor.scalar((float) lr));
        apply.run(feeds);
    }

    /** The state vector (every stored tensor in name order). */
    float[] state() {
        float[] out = new float[stateLength];
        int at = 0;
        for (String name : state) at = put(store.get(name), out, at);
        return out;
    }

    /** Overwrites every stored tensor from state vector {@code v}. */
    void setState(float[] v) {
        int at = 0;
        for (String name : state) {
            Shape s = shapes.get(name);
            store.set(name, HostTensor.of(dev.jasg.core.DType.F32, s, slice(v, at, s)));
            at += s.sizeInt();
        }
    }

    /** A host copy of every stored tensor, by name in name order. */
    Map<String, HostTensor> snapshot() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : state) out.put(name, store.get(name));
        return out;
    }

    /** Loads a {@link #snapshot()}; it must hold exactly this replica's tensors. */
    void load(Map<String, HostTensor> snapshot) {
        if (!snapshot.keySet().equals(new java.util.HashSet<>(state))) {
            List<String> missing = new ArrayList<>(state);
            missing.removeAll(snapshot.keySet());
            List<String> extra = new ArrayList<>(snapshot.keySet());
            extra.removeAll(state);
            throw new IllegalArgumentException("SparkTrainer: the checkpoint does not match the model: missing " + missing + ", unexpected " + extra);
        }
        for (var e : snapshot.entrySet()) store.set(e.getKey(), e.getValue());
    }

    String inputName() {
        return inputName;
    }

    String targetName() {
        return targetName;
    }

    private static int put(HostTensor t, float[] into, int at) {
        float[] f = t.floats();
        System.arraycopy(f, 0, into, at, f.length);
        return at + f.length;
    }

    private static float[] slice(float[] v, int at, Shape s) {
        float[] out = new float[s.sizeInt()];
        System.arraycopy(v, at, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        try {
            gradients.close();
            apply.close();
        } finally {
            backend.close();
        }
    }
}
