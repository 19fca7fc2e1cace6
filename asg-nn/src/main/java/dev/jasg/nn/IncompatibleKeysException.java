package dev.jasg.nn;

import dev.jasg.core.JasgException;

/**
 * A strict {@link Layer#loadStateDict(java.util.Map, boolean) loadStateDict} found keys that do not
 * match: the message names the layer and lists the missing and unexpected keys, as PyTorch's
 * {@code Error(s) in loading state_dict for Net: Missing key(s) ... Unexpected key(s) ...}. Nothing
 * was loaded.
 */
public class IncompatibleKeysException extends JasgException {
    private static final long serialVersionUID = 1L;

    private final transient IncompatibleKeys keys;

    /** {@code keys} did not match the parameters and buffers of {@code layer} (its class name). */
    public IncompatibleKeysException(String layer, IncompatibleKeys keys) {
        super("Error(s) in loading state_dict for " + layer + ":"
                + (keys.missingKeys().isEmpty() ? "" : " Missing key(s) in state_dict: " + keys.missingKeys() + ".")
                + (keys.unexpectedKeys().isEmpty() ? "" : " Unexpected key(s) in state_dict: " + keys.unexpectedKeys() + ".")
                + " Nothing was loaded; loadStateDict(dict, false) loads the keys that match and returns the rest.");
        this.keys = keys;
    }

    /** The missing and unexpected keys. */
    public IncompatibleKeys keys() {
        return keys;
    }
}
