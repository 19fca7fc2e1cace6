package dev.jasg.viewer.inspect;

import dev.jasg.core.Shape;
import dev.jasg.viewer.Messages;

import java.util.Locale;
import java.util.Set;

/**
 * What a parameter does in its model, read from its dotted name and shape the way PyTorch's layers
 * name them: {@code q_proj.weight} is a query projection, {@code norm1.weight} a LayerNorm gain,
 * a rank-4 {@code weight} a convolution kernel, {@code optim.exp_avg.fc1.weight} Adam's first moment
 * of {@code fc1.weight}. The texts are the {@code role.*} messages.
 */
public final class ParameterRole {
    private static final Set<String> PROJECTIONS = Set.of("q_proj", "k_proj", "v_proj", "out_proj");
    private static final Set<String> OPTIMIZER_STATE = Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "square_avg", "grad_avg");

    private ParameterRole() {}

    /**
     * The key of the role of parameter {@code name} of {@code shape}, and the arguments of its text:
     * {@code {0}} the owning layer's path, {@code {1}} the parameter a state belongs to or the
     * shape's sizes.
     *
     * @param key  the message key, e.g. {@code role.attn.q_proj}
     * @param args the values for its placeholders
     */
    public record Role(String key, Object... args) {}

    /** The role of parameter {@code name} with {@code shape}. */
    public static Role of(String name, Shape shape) {
        String[] parts = name.split("\\.");
        String last = parts[parts.length - 1];
        String owner = parts.length >= 2 ? parts[parts.length - 2] : "";
        String layer = parts.length >= 2 ? name.substring(0, name.length() - last.length() - 1) : "";
        String lowOwner = owner.toLowerCase(Locale.ROOT);
        if (parts[0].equals("optim") && parts.length >= 2) {
            if (parts[1].equals("step")) return new Role("role.optim.step");
            String of = parts.length > 2 ? name.substring("optim.".length() + parts[1].length() + 1) : "";
            return OPTIMIZER_STATE.contains(parts[1]) ? new Role("role.optim." + parts[1], layer, of) : new Role("role.optim.other", parts[1], of);
        }
        switch (last) {
            case "seed" -> { return new Role("role.dropout.seed", layer); }
            case "running_mean", "running_var", "num_batches_tracked" -> { return new Role("role.batchnorm." + last, layer); }
            default -> { }
        }
        if (PROJECTIONS.contains(owner)) return new Role(last.equals("bias") ? "role.attn.bias" : "role.attn." + owner, parent(layer), layer);
        if (lowOwner.contains("norm") || lowOwner.startsWith("ln") || lowOwner.startsWith("bn")) {
            return new Role(last.equals("bias") ? "role.norm.beta" : "role.norm.gamma", layer);
        }
        if (lowOwner.contains("pos")) return new Role("role.position", layer, dims(shape));
        if (lowOwner.contains("emb")) return new Role("role.embedding", layer, dims(shape));
        if (last.equals("weight") && shape.rank() == 4) {
            return new Role("role.conv.kernel", layer, shape.dim(0), shape.dim(1), shape.dim(2) + "×" + shape.dim(3));
        }
        if (last.equals("weight") && shape.rank() == 2) {
            String key = owner.equals("linear1") ? "role.ffn.linear1" : owner.equals("linear2") ? "role.ffn.linear2"
                    : owner.equals("head") || owner.equals("classifier") || owner.equals("fc_out") ? "role.head" : "role.linear.weight";
            return new Role(key, layer, shape.dim(1), shape.dim(0));
        }
        if (last.equals("bias")) return new Role("role.bias", layer);
        return new Role("role.generic", layer.isEmpty() ? name : layer);
    }

    /** The text of the role of parameter {@code name} in {@code m}'s language. */
    public static String describe(Messages m, String name, Shape shape) {
        Role r = of(name, shape);
        return m.format(r.key(), r.args());
    }

    private static String parent(String layer) {
        int i = layer.lastIndexOf('.');
        return i < 0 ? layer : layer.substring(0, i);
    }

    private static String dims(Shape s) {
        return s.toString();
    }
}
