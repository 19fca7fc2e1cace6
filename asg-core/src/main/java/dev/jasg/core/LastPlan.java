package dev.jasg.core;

import java.util.Map;
import java.util.function.Function;

/**
 * The plan an executable ran last and the plan cache it came from, for backends that keep their plans in caches keyed by
 * a binding's symbols (least recently used first): a run whose feeds {@linkplain Program#rebinds rebind} to the last plan
 * (names, shapes and dtypes; the values' declared ranges checked) takes it again without binding them, and a run that does
 * not still keeps the cache's order, the last plan touched before the lookup.
 *
 * <p>Not thread-safe: the executable's lock guards it, as it guards the caches.
 *
 * @param <P> the backend's plan
 */
public final class LastPlan<P> {
    private final Function<P, Program.Binding> bindingOf;
    private P plan;
    private Map<Map<String, Integer>, P> cache;

    /** {@code bindingOf} gives a plan's binding. */
    public LastPlan(Function<P, Program.Binding> bindingOf) {
        this.bindingOf = bindingOf;
    }

    /**
     * The last plan when it came from {@code cache} and {@code feeds} rebind to it, else null (then bind the feeds and
     * {@link #find} the plan).
     *
     * @throws FeedException when the feeds match the last plan but a value lies outside its input's declared range
     */
    public P again(Program program, Map<Map<String, Integer>, P> cache, Map<String, HostTensor> feeds) {
        return plan != null && this.cache == cache && program.rebinds(bindingOf.apply(plan), feeds) ? plan : null;
    }

    /**
     * The plan of {@code binding} in {@code cache}, or null; the last plan, run again before without a lookup, is touched
     * first, so the cache's least recently used order holds.
     */
    public P find(Map<Map<String, Integer>, P> cache, Program.Binding binding) {
        if (plan != null && this.cache == cache) cache.get(bindingOf.apply(plan).symbols());
        return cache.get(binding.symbols());
    }

    /** Records that {@code plan}, from {@code cache}, ran. */
    public void ran(P plan, Map<Map<String, Integer>, P> cache) {
        this.plan = plan;
        this.cache = cache;
    }

    /** The last plan that ran, or null before the first run and after {@link #clear}. */
    public P plan() {
        return plan;
    }

    /** Forgets {@code evicted} when it is the last plan (its cache closed it). */
    public void forget(P evicted) {
        if (plan == evicted) clear();
    }

    /** Forgets the last plan. */
    public void clear() {
        plan = null;
        cache = null;
    }
}
