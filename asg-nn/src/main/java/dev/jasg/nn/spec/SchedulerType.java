package dev.jasg.nn.spec;

import dev.jasg.nn.optim.CosineAnnealingLR;
import dev.jasg.nn.optim.ExponentialLR;
import dev.jasg.nn.optim.LinearWarmupLR;
import dev.jasg.nn.optim.LrScheduler;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.optim.StepLR;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.jasg.nn.spec.Param.optFloat;
import static dev.jasg.nn.spec.Param.optString;
import static dev.jasg.nn.spec.Param.reqFloat;
import static dev.jasg.nn.spec.Param.reqInt;

/**
 * The learning-rate schedulers a spec may name, each built on the spec's optimizer (its first
 * constructor argument) with PyTorch's hyper-parameter names; every one also takes
 * {@code interval}, {@code "epoch"} (PyTorch's usual per-epoch {@code step()}, the default) or
 * {@code "step"}. Immutable.
 */
public enum SchedulerType {
    /** {@link StepLR}. */
    STEP_LR(StepLR.class, List.of(reqInt("step_size", 1), optFloat("gamma", 0.1, 0.0)), Arg.i("step_size"), Arg.d("gamma")),
    /** {@link ExponentialLR}. */
    EXPONENTIAL_LR(ExponentialLR.class, List.of(reqFloat("gamma", 0.0)), Arg.d("gamma")),
    /** {@link CosineAnnealingLR}. */
    COSINE_ANNEALING_LR(CosineAnnealingLR.class, List.of(reqInt("t_max", 1), optFloat("eta_min", 0.0, 0.0)), Arg.i("t_max"), Arg.d("eta_min")),
    /** {@link LinearWarmupLR}. */
    LINEAR_WARMUP_LR(LinearWarmupLR.class, List.of(reqInt("warmup_steps", 1)), Arg.i("warmup_steps"));

    /** The hyper-parameter every scheduler has: when it advances. */
    public static final Param INTERVAL = optString("interval", "epoch", "epoch", "step");

    private final Class<? extends LrScheduler> type;
    private final List<Param> params;
    private final List<Arg> args;
    private final Constructor<? extends LrScheduler> constructor;

    SchedulerType(Class<? extends LrScheduler> type, List<Param> params, Arg... args) {
        this.type = type;
        List<Param> all = new ArrayList<>(params);
        all.add(optString("interval", "epoch", "epoch", "step")); // INTERVAL (a static field cannot be read here)
        this.params = List.copyOf(all);
        this.args = List.of(args);
        Class<?>[] types = new Class<?>[args.length + 1];
        types[0] = Optimizer.class;
        for (int i = 0; i < args.length; i++) types[i + 1] = args[i].type();
        try {
            this.constructor = type.getConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("SchedulerType: no constructor for " + type.getSimpleName());
        }
    }

    /** The JSON name: PyTorch's class name ({@code "StepLR"}). */
    public String jsonName() {
        return type.getSimpleName();
    }

    /** The type named {@code json}. */
    public static Optional<SchedulerType> of(String json) {
        return Arrays.stream(values()).filter(t -> t.jsonName().equals(json)).findFirst();
    }

    /** The hyper-parameters, {@code interval} last. */
    public List<Param> params() {
        return params;
    }

    /** The scheduler class. */
    public Class<? extends LrScheduler> type() {
        return type;
    }

    /** A new scheduler of {@code optimizer} for resolved hyper-parameters {@code p}. */
    public LrScheduler create(Optimizer optimizer, Map<String, Object> p, String pointer) {
        Object[] values = new Object[args.size() + 1];
        values[0] = optimizer;
        for (int i = 0; i < args.size(); i++) values[i + 1] = args.get(i).value().apply(p);
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, jsonName() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #create}'s constructor call as Java source, on the variable {@code optimizer}. */
    public String javaNew(String optimizer, Map<String, Object> p) {
        StringBuilder sb = new StringBuilder("new ").append(type.getSimpleName()).append('(').append(optimizer);
        for (Arg a : args) sb.append(", ").append(a.java().apply(p));
        return sb.append(')').toString();
    }

    /** Whether resolved {@code p} steps the scheduler after every step rather than every epoch. */
    public static boolean perStep(Map<String, Object> p) {
        return "step".equals(p.get("interval"));
    }
}
