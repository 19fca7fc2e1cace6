package dev.jasg.viewer.lab;

import java.util.Map;

/**
 * A layer of the session's model that {@link LayerResize} can edit. Immutable.
 *
 * @param scope    its module path, e.g. {@code 1} or {@code block.ff}
 * @param kind     its class, e.g. {@code Linear}
 * @param settings its editable settings and their current values, in the editor's order
 */
public record EditableLayer(String scope, String kind, Map<String, Integer> settings) {
    /** Copies the settings, keeping their order. */
    public EditableLayer {
        settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    }
}
