package dev.jasg.viewer.inspect;

import dev.jasg.core.Op;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * The stable name of an op's inspector text: the op's record name ({@code MatMul},
 * {@code Conv2d}), and for a record whose enum component {@code kind} names the function
 * ({@link Op.Unary}, {@link Op.Binary}, {@link Op.Compare}, {@link Op.Reduce}, {@link Op.ArgReduce})
 * the record and the constant, {@code Unary.RELU}.
 *
 * <p>Keys are derived by reflection over the sealed {@link Op} hierarchy rather than by a switch,
 * so {@link #all()} always lists every op the running asg-core has, and an op added there has a
 * key (and a failing completeness test) without any change here.
 */
public final class OpKey {
    private static final ClassValue<Method> KIND = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            if (!type.isRecord()) return null;
            for (RecordComponent c : type.getRecordComponents()) if (c.getName().equals("kind") && c.getType().isEnum()) return c.getAccessor();
            return null;
        }
    };

    private OpKey() {}

    /** The key of {@code op}, e.g. {@code Unary.GELU} or {@code MatMul}. */
    public static String of(Op op) {
        Class<?> type = op.getClass();
        Method kind = KIND.get(type);
        if (kind == null) return type.getSimpleName();
        try {
            return type.getSimpleName() + "." + ((Enum<?>) kind.invoke(op)).name();
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the kind of " + op, e);
        }
    }

    /** Every key of the op set: one per record of {@link Op}, or one per constant of its kind enum. */
    public static List<String> all() {
        List<String> keys = new ArrayList<>();
        for (Class<?> type : Op.class.getPermittedSubclasses()) {
            Method kind = KIND.get(type);
            if (kind == null) {
                keys.add(type.getSimpleName());
                continue;
            }
            for (Object constant : kind.getReturnType().getEnumConstants()) keys.add(type.getSimpleName() + "." + ((Enum<?>) constant).name());
        }
        return keys;
    }
}
