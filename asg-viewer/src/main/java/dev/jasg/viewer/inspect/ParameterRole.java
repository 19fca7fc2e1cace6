package dev.jasg.viewer.inspect;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.viewer.Messages;

import java.util.Locale;
import java.util.Set;

/**
 * What a parameter does in its model. {@link #of(Graph, Node)} reads it from the op that consumes
 * the parameter (through transposes and reshapes): a weight feeding a matmul is a projection, a
 * table read by gather an embedding, a kernel of a convolution a kernel, a vector added a bias; the
 * name only refines that (which projection of an attention, a norm's gain) and names the state the
 * graph does not show (optimizer moments, running statistics). {@link #of(String, Shape)} reads
 * the name and shape alone, the way PyTorch's layers name them: {@code q_proj.weight} is a query projection, {@code norm1.weight} a LayerNorm gain,
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

    /**
     * The role of parameter node {@code param} of {@code g}, from the op that reads it, with its
     * name as a hint; a parameter nothing in {@code g} reads is judged by its name.
     */
    public static Role of(Graph g, Node param) {
        Op.Parameter p = (Op.Parameter) param.op();
        Shape shape = param.shape();
        Role byName = of(p.name(), shape);
        String k = byName.key();
        // Optimizer state, running statistics and seeds are defined by their names.
        if (k.startsWith("role.optim.") || k.startsWith("role.batchnorm.") || k.equals("role.dropout.seed")) return byName;
        String layer = layerOf(p.name());
        Use use = use(g, param.id());
        if (use == null) return byName;
        Node c = use.consumer();
        return switch (c.op()) {
            case Op.Gather gth -> use.slot() == 0 ? (k.equals("role.position") ? byName : new Role("role.embedding", layer, dims(shape)))
                    : new Role("role.custom", layer, dims(shape), c.op().label());
            case Op.MatMul mm -> {
                if (k.startsWith("role.attn.") || k.startsWith("role.ffn.") || k.equals("role.head")) yield byName;
                if (shape.rank() < 2) yield new Role("role.custom", layer, dims(shape), c.op().label());
                int a = shape.dim(shape.rank() - 2), b = shape.dim(shape.rank() - 1);
                // y = x Wᵀ (a Linear's [out, in] weight, transposed) or y = x W ([in, out]).
                boolean leftOperand = use.slot() == 0;
                int in = use.transposed() ? b : a, out = use.transposed() ? a : b;
                if (leftOperand) {
                    in = use.transposed() ? a : b;
                    out = use.transposed() ? b : a;
                }
                yield k.equals("role.linear.weight") ? new Role("role.linear.weight", layer, in, out) : new Role("role.projection", layer, in, out);
            }
            case Op.Conv2d cv -> shape.rank() == 4 ? new Role("role.conv.kernel", layer, shape.dim(0), shape.dim(1), shape.dim(2) + "×" + shape.dim(3))
                    : new Role("role.custom", layer, dims(shape), c.op().label());
            case Op.ConvTranspose2d cv -> shape.rank() == 4 ? new Role("role.conv.kernel", layer, shape.dim(1), shape.dim(0), shape.dim(2) + "×" + shape.dim(3))
                    : new Role("role.custom", layer, dims(shape), c.op().label());
            case Op.Binary b when b.kind() == BinaryOp.ADD -> k.equals("role.position") || k.equals("role.norm.beta") ? byName
                    : p.name().endsWith(".bias") || shape.rank() <= 1 ? new Role("role.bias", layer)
                    : k.equals("role.embedding") ? new Role("role.position", layer, dims(shape)) : new Role("role.bias", layer);
            case Op.Binary b when b.kind() == BinaryOp.MUL -> k.equals("role.norm.gamma") ? byName : new Role("role.scale", layer, dims(shape));
            default -> new Role("role.custom", layer, dims(shape), c.op().label());
        };
    }

    /** The first op reading parameter {@code id} past transposes, reshapes, casts and broadcasts; whether a transpose was passed; the input slot. */
    private record Use(Node consumer, int slot, boolean transposed) {}

    private static Use use(Graph g, int id) {
        // Every op reading the parameter past views, the most telling first: a lookup, a
        // projection, a convolution, then an addition or a product, then anything else.
        Use best = null;
        int bestRank = Integer.MAX_VALUE;
        java.util.ArrayDeque<int[]> todo = new java.util.ArrayDeque<>();
        todo.add(new int[] {id, 0});
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            int[] at = todo.poll();
            if (!seen.add(at[0]) || seen.size() > 64) continue;
            for (int cid : g.consumers(at[0])) {
                Node c = g.node(cid);
                int slot = 0;
                for (int i = 0; i < c.arity(); i++) if (c.input(i) == at[0]) slot = i;
                boolean transposed = at[1] == 1;
                switch (c.op()) {
                    case Op.Permute pm -> todo.add(new int[] {cid, transposed ? 0 : 1});
                    case Op.Reshape r -> todo.add(new int[] {cid, at[1]});
                    case Op.Cast ct -> todo.add(new int[] {cid, at[1]});
                    case Op.Expand e -> todo.add(new int[] {cid, at[1]});
                    default -> {
                        int rank = switch (c.op()) {
                            case Op.Gather gth -> slot == 0 ? 0 : 9;
                            case Op.MatMul mm -> 1;
                            case Op.Conv2d cv -> 2;
                            case Op.ConvTranspose2d cv -> 2;
                            case Op.Binary b when b.kind() == BinaryOp.ADD || b.kind() == BinaryOp.MUL -> 3;
                            default -> 9;
                        };
                        if (rank < bestRank) {
                            bestRank = rank;
                            best = new Use(c, slot, transposed);
                        }
                    }
                }
            }
        }
        return best;
    }

    private static String layerOf(String name) {
        int i = name.lastIndexOf('.');
        return i < 0 ? name : name.substring(0, i);
    }

    /** The text of the role of parameter node {@code param} of {@code g} in {@code m}'s language. */
    public static String describe(Messages m, Graph g, Node param) {
        Role r = of(g, param);
        return m.format(r.key(), r.args());
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
