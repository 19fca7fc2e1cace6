package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.JasgException;
import dev.jasg.core.Parameters;
import dev.jasg.core.ShapeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The work behind {@link Layer#loadStateDict}: match keys, check shapes, convert dtypes, and
 * only when everything checks out install the values, so a failed load changes nothing.
 */
final class StateDictLoading {
    private static final Logger LOG = LoggerFactory.getLogger(StateDictLoading.class);

    private StateDictLoading() {}

    static IncompatibleKeys load(Layer layer, Map<String, HostTensor> dict, boolean strict, Parameters store) {
        if (dict == null) throw new IllegalArgumentException("loadStateDict: the state dict is null");
        String layerName = layer.getClass().getSimpleName();
        Map<String, ParameterSpec> targets = targets(layer);
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        for (String k : targets.keySet()) if (!dict.containsKey(k)) missing.add(k);
        for (String k : dict.keySet()) if (!targets.containsKey(k)) unexpected.add(k);
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IncompatibleKeysException(layerName, new IncompatibleKeys(missing, unexpected, List.of()));
        }
        StoredDTypes stored = dict instanceof StoredDTypes s ? s : null;
        Map<String, HostTensor> values = new LinkedHashMap<>();
        List<String> conversions = new ArrayList<>();
        for (var e : targets.entrySet()) {
            String key = e.getKey();
            if (!dict.containsKey(key)) continue;
            ParameterSpec spec = e.getValue();
            HostTensor v = dict.get(key);
            if (v == null) throw new IllegalArgumentException("loadStateDict for " + layerName + ": entry '" + key + "' is null");
            if (!v.shape().equals(spec.shape())) {
                throw new ShapeException("loadStateDict for " + layerName + ": size mismatch for " + key + ": the state dict holds shape "
                        + v.shape() + ", the " + (spec.trainable() ? "parameter" : "buffer") + " in the model has shape " + spec.shape()
                        + "; nothing was loaded");
            }
            String from = stored != null ? stored.storedDType(key) : v.dtype().name();
            String to = spec.dtype().name();
            values.put(key, convert(layerName, key, v, spec.dtype()));
            if (!from.equals(to)) conversions.add(key + ": " + from + " -> " + to);
        }
        // Everything checked: install.
        for (var e : values.entrySet()) {
            layer.installInitialValue(e.getKey(), e.getValue());
            if (store != null && store.contains(e.getKey())) store.set(e.getKey(), e.getValue());
        }
        for (String c : conversions) LOG.info("{}", c);
        LOG.info("loaded {} of {} tensors into {}{}: {} missing, {} unexpected, {} converted", values.size(), dict.size(), layerName,
                store == null ? "" : " and its parameter store", missing.size(), unexpected.size(), conversions.size());
        if (!missing.isEmpty()) LOG.warn("{}: missing keys {}", layerName, missing);
        if (!unexpected.isEmpty()) LOG.warn("{}: unexpected keys {}", layerName, unexpected);
        return new IncompatibleKeys(missing, unexpected, conversions);
    }

    /** Parameters then buffers, by dotted name. */
    static Map<String, ParameterSpec> targets(Layer layer) {
        Map<String, ParameterSpec> t = new LinkedHashMap<>(layer.namedParameters());
        t.putAll(layer.namedPersistentBuffers());
        return t;
    }

    private static HostTensor convert(String layer, String key, HostTensor v, DType to) {
        if (v.dtype() == to) return v;
        double[] d = v.toDoubles();
        if (!to.isFloat()) {
            for (int i = 0; i < d.length; i++) {
                double x = d[i];
                if (x != Math.rint(x) || Math.abs(x) > HostTensor.MAX_EXACT_INT || (to == DType.BOOL && x != 0 && x != 1)) {
                    throw new JasgException("loadStateDict for " + layer + ": " + key + " element " + i + " = " + x
                            + " cannot be converted from " + v.dtype().name() + " to " + to.name() + " exactly; nothing was loaded");
                }
            }
        }
        return HostTensor.fromDoubles(to, v.shape(), d);
    }

    /**
     * The layer's current state: every parameter and buffer from {@code store}, or, for one the
     * store does not hold (a buffer an eval graph never reads), its initial value when that does
     * not depend on a store's seed (loaded values, zeros, constants).
     */
    static Map<String, HostTensor> stateDict(Layer layer, Parameters store) {
        if (store == null) throw new IllegalArgumentException("stateDict: the parameter store is null");
        Map<String, HostTensor> out = new LinkedHashMap<>();
        List<String> absent = new ArrayList<>();
        for (var e : targets(layer).entrySet()) {
            String k = e.getKey();
            ParameterSpec s = e.getValue();
            if (store.contains(k)) out.put(k, store.get(k));
            else if (seedFree(s.init())) out.put(k, HostTensor.fromDoubles(s.dtype(), s.shape(), s.init().sample(s.shape(), 0, k)));
            else absent.add(k);
        }
        if (!absent.isEmpty()) {
            throw new IllegalArgumentException("stateDict of " + layer.getClass().getSimpleName() + ": the parameter store does not hold "
                    + absent + ", whose random initial values only a store draws; compile a graph of this model over the store first (a Trainer does)");
        }
        return out;
    }

    private static boolean seedFree(Init init) {
        return switch (init) {
            case Init.Zeros z -> true;
            case Init.Constant c -> true;
            case Init.Values v -> true;
            case Init.ZeroRow z -> seedFree(z.base());
            case Init.Uniform u -> false;
            case Init.Normal n -> false;
            case Init.Orthogonal o -> false;
        };
    }
}
