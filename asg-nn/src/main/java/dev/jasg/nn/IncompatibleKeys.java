package dev.jasg.nn;

import java.util.List;

/**
 * What {@link Layer#loadStateDict(java.util.Map, boolean)} found, as PyTorch's
 * {@code _IncompatibleKeys}: the layer's parameters and buffers the state dict did not hold
 * ({@code missing_keys}) and the state dict's entries the layer has no parameter or buffer for
 * ({@code unexpected_keys}), each in order. JASG adds {@link #conversions()}: one line per
 * loaded tensor whose dtype was converted, e.g. {@code "fc.weight: BF16 -> F32"}, the same lines
 * the load logs.
 *
 * @param missingKeys    dotted names of the layer that the state dict lacks
 * @param unexpectedKeys state dict keys that name nothing in the layer
 * @param conversions    {@code "key: FROM -> TO"} for each converted tensor
 */
public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys, List<String> conversions) {
    /** Copies the lists. */
    public IncompatibleKeys {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
        conversions = List.copyOf(conversions);
    }

    /** True when every key matched (nothing missing, nothing unexpected). */
    public boolean isEmpty() {
        return missingKeys.isEmpty() && unexpectedKeys.isEmpty();
    }

    @Override
    public String toString() {
        return "<IncompatibleKeys(missing_keys=" + missingKeys + ", unexpected_keys=" + unexpectedKeys + ")>";
    }
}
