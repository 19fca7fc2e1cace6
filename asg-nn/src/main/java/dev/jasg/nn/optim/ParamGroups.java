package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.WeakHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * PyTorch's {@code param_groups}: parameters matched by a group are updated by that group's
 * optimizer, every other parameter by the default one. A group is a predicate on the parameter
 * name (or a list of names) and an optimizer carrying the group's hyper-parameters, usually the
 * default's with some options overridden:
 * <pre>{@code
 * Optimizer opt = ParamGroups.of(new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01, false))
 *         .group(n -> n.endsWith(".bias") || n.contains("norm"), new AdamW(1e-3, 0.9, 0.999, 1e-8, 0, false));
 * }</pre>
 * is {@code AdamW([{"params": decayed}, {"params": biases_and_norms, "weight_decay": 0}], lr=1e-3)}.
 *
 * <p>The first group whose predicate matches a parameter takes it. The learning rate is one fed
 * scalar ({@value Optimizer#LR_INPUT}, what a scheduler sets): a group's rate is the fed rate
 * times {@code group.lr() / default.lr()}, so a group at half the default rate stays at half
 * under any schedule (PyTorch schedules each group's own base rate; for the multiplicative
 * schedules, which are all but {@link CyclicLR}'s and {@link OneCycleLR}'s absolute bounds, that
 * is the same). Groups may mix optimizer types; state names are unchanged
 * ({@code optim.<state>.<param>}), and every group shares the step counter.
 */
public final class ParamGroups extends Optimizer {
    private record Group(Predicate<String> match, Optimizer optimizer, String label) {}

    private final Optimizer defaults;
    private final List<Group> groups;

    private ParamGroups(Optimizer defaults, List<Group> groups) {
        super(defaults.lr());
        this.defaults = defaults;
        this.groups = List.copyOf(groups);
    }

    /** Every parameter in one group, updated by {@code defaults}; add groups with {@link #group}. */
    public static ParamGroups of(Optimizer defaults) {
        if (defaults == null) throw new IllegalArgumentException("ParamGroups: the default optimizer is null");
        return new ParamGroups(defaults, List.of());
    }

    /** A copy with one more group: the parameters whose name {@code match} accepts (and no earlier group took), updated by {@code optimizer}. */
    public ParamGroups group(Predicate<String> match, Optimizer optimizer) {
        return add(match, optimizer, "predicate");
    }

    /** A copy with one more group holding the parameters named in {@code names}. */
    public ParamGroups group(Set<String> names, Optimizer optimizer) {
        Set<String> copy = Set.copyOf(names);
        return add(copy::contains, optimizer, copy.toString());
    }

    private ParamGroups add(Predicate<String> match, Optimizer optimizer, String label) {
        if (match == null || optimizer == null) throw new IllegalArgumentException("ParamGroups.group: null predicate or optimizer");
        if (optimizer.lr() != 0 && defaults.lr() == 0) {
            throw new IllegalArgumentException("ParamGroups: group " + (groups.size() + 1) + " has lr " + optimizer.lr()
                    + " but the default optimizer's lr is 0, so the group's rate cannot be a multiple of the fed rate");
        }
        List<Group> next = new ArrayList<>(groups);
        next.add(new Group(match, optimizer, label));
        return new ParamGroups(defaults, next);
    }

    /** The optimizer that updates parameter {@code name}. */
    public Optimizer optimizerFor(String name) {
        for (Group g : groups) if (g.match().test(name)) return g.optimizer();
        return defaults;
    }

    // Each group has its own Step (so shared scalars such as Adam's bias corrections, which depend on the group's
    // betas, are not mixed up), with the fed rate scaled, and the common step counter.
    private final Map<Step, Map<Optimizer, Step>> steps = new WeakHashMap<>();

    /** True when every group's optimizer and the default have a momentum or beta1 (a schedule sets them all alike). */
    @Override
    public boolean hasMomentum() {
        if (!defaults.hasMomentum()) return false;
        for (Group g : groups) if (!g.optimizer().hasMomentum()) return false;
        return true;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor param, Tensor grad) {
        Optimizer o = optimizerFor(name);
        if (o == defaults) return defaults.updated(s, name, param, grad);
        Step groupStep = steps.computeIfAbsent(s, k -> new HashMap<>()).computeIfAbsent(o, k -> {
            Tensor lr = o.lr() == defaults.lr() ? s.lr() : s.lr().mul(o.lr() / defaults.lr());
            return s.withLr(lr);
        });
        return o.updated(groupStep, name, param, grad);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ParamGroups(default=").append(defaults);
        for (Group g : groups) b.append(", [").append(g.label()).append("]=").append(g.optimizer());
        return b.append(")").toString();
    }
}
