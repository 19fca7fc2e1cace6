package dev.jasg.nn.spec;

import dev.jasg.nn.optim.Adagrad;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.optim.RMSprop;
import dev.jasg.nn.optim.SGD;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.jasg.nn.spec.Param.optBool;
import static dev.jasg.nn.spec.Param.optFloat;

/**
 * The optimizers a spec's training settings may name ({@code "sgd"}, {@code "adam"}, ...), with
 * PyTorch's hyper-parameter names and defaults; built and exported through one constructor each,
 * as {@link LayerType}. Immutable.
 */
public enum OptimizerType {
    /** {@link SGD}. */
    SGD(dev.jasg.nn.optim.SGD.class, List.of(optFloat("lr", 0.01, 0.0), optFloat("momentum", 0.0, 0.0), optFloat("dampening", 0.0, 0.0),
            optFloat("weight_decay", 0.0, 0.0), optBool("nesterov", false)),
            Arg.d("lr"), Arg.d("momentum"), Arg.d("dampening"), Arg.d("weight_decay"), Arg.b("nesterov")),
    /** {@link Adam}. */
    ADAM(Adam.class, adamParams(1e-3, 0.0), Arg.d("lr"), Arg.d("beta1"), Arg.d("beta2"), Arg.d("eps"), Arg.d("weight_decay"), Arg.b("amsgrad")),
    /** {@link AdamW}. */
    ADAMW(AdamW.class, adamParams(1e-3, 0.01), Arg.d("lr"), Arg.d("beta1"), Arg.d("beta2"), Arg.d("eps"), Arg.d("weight_decay"), Arg.b("amsgrad")),
    /** {@link RMSprop}. */
    RMSPROP(RMSprop.class, List.of(optFloat("lr", 0.01, 0.0), optFloat("alpha", 0.99, 0.0), optFloat("eps", 1e-8, 0.0), optFloat("weight_decay", 0.0, 0.0),
            optFloat("momentum", 0.0, 0.0), optBool("centered", false)),
            Arg.d("lr"), Arg.d("alpha"), Arg.d("eps"), Arg.d("weight_decay"), Arg.d("momentum"), Arg.b("centered")),
    /** {@link Adagrad}. */
    ADAGRAD(Adagrad.class, List.of(optFloat("lr", 0.01, 0.0), optFloat("lr_decay", 0.0, 0.0), optFloat("weight_decay", 0.0, 0.0),
            optFloat("initial_accumulator_value", 0.0, 0.0), optFloat("eps", 1e-10, 0.0)),
            Arg.d("lr"), Arg.d("lr_decay"), Arg.d("weight_decay"), Arg.d("initial_accumulator_value"), Arg.d("eps"));

    private final Class<? extends Optimizer> type;
    private final List<Param> params;
    private final List<Arg> args;
    private final Constructor<? extends Optimizer> constructor;

    OptimizerType(Class<? extends Optimizer> type, List<Param> params, Arg... args) {
        this.type = type;
        this.params = params;
        this.args = List.of(args);
        try {
            this.constructor = type.getConstructor(Arrays.stream(args).map(Arg::type).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("OptimizerType: no constructor for " + type.getSimpleName());
        }
    }

    private static List<Param> adamParams(double lr, double weightDecay) {
        return List.of(optFloat("lr", lr, 0.0), optFloat("beta1", 0.9, 0.0), optFloat("beta2", 0.999, 0.0), optFloat("eps", 1e-8, 0.0),
                optFloat("weight_decay", weightDecay, 0.0), optBool("amsgrad", false));
    }

    /** The JSON name: lower case ({@code "adamw"}). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code json}. */
    public static Optional<OptimizerType> of(String json) {
        return Arrays.stream(values()).filter(t -> t.jsonName().equals(json)).findFirst();
    }

    /** The hyper-parameters. */
    public List<Param> params() {
        return params;
    }

    /** The optimizer class. */
    public Class<? extends Optimizer> type() {
        return type;
    }

    /** A new optimizer for resolved hyper-parameters {@code p}. */
    public Optimizer create(Map<String, Object> p, String pointer) {
        try {
            return constructor.newInstance(args.stream().map(a -> a.value().apply(p)).toArray());
        } catch (InvocationTargetException e) {
            throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, jsonName() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #create}'s constructor call as Java source. */
    public String javaNew(Map<String, Object> p) {
        StringBuilder sb = new StringBuilder("new ").append(type.getSimpleName()).append('(');
        for (int i = 0; i < args.size(); i++) sb.append(i == 0 ? "" : ", ").append(args.get(i).java().apply(p));
        return sb.append(')').toString();
    }
}
