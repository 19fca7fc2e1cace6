package dev.jasg.viewer.lab;

import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.attention.FeedForward;
import dev.jasg.nn.attention.MultiHeadAttention;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parameter edit of a model being trained in the Model Lab (phase D): new settings for the layer
 * in scope {@code scope} (its dotted module path, e.g. {@code 0} or {@code block.ff}), by
 * PyTorch's setting names. The layers and settings that can be edited, in {@link #settingsOf}:
 *
 * <table>
 * <caption>Editable settings</caption>
 * <tr><th>layer</th><th>settings</th></tr>
 * <tr><td>{@link Linear}</td><td>{@code out_features}</td></tr>
 * <tr><td>{@link Conv2d}</td><td>{@code out_channels}, {@code kernel_size} (square), {@code stride}, {@code padding}, {@code dilation}, {@code groups}</td></tr>
 * <tr><td>{@link MultiHeadAttention}</td><td>{@code embed_dim}, {@code num_heads}</td></tr>
 * <tr><td>{@link FeedForward}</td><td>{@code hidden}</td></tr>
 * </table>
 *
 * <p>{@link LabSession#preview(LayerResize)} replays the model with the layer replaced by a new
 * one of these settings and, downstream, every layer whose parameters depend on the size of its
 * input (a {@code Linear}'s {@code in_features}, a {@code Conv2d}'s {@code in_channels}, a batch
 * or layer norm's features) replaced by one that fits; parameter-free layers (flatten, pooling,
 * activations) are applied again to their new input. The preview lists the parameters kept and
 * those re-initialised (with their layer's default initialiser); {@link LabSession#apply(LayerResize)}
 * commits the edit only when this cascade succeeds.
 *
 * <p>Immutable and thread-safe.
 *
 * @param scope    the layer's module path
 * @param settings the new values by setting name (a subset of {@link #settingsOf})
 */
public record LayerResize(String scope, Map<String, Integer> settings) {
    /** Copies the settings. */
    public LayerResize {
        Objects.requireNonNull(scope, "scope");
        if (scope.isEmpty()) throw new IllegalArgumentException("LayerResize: the scope must name a layer inside the model, not the model itself");
        if (settings.isEmpty()) throw new IllegalArgumentException("LayerResize: no setting to change for " + scope);
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** One setting of the layer at {@code scope}, e.g. {@code of("0", "out_features", 64)}. */
    public static LayerResize of(String scope, String setting, int value) {
        return new LayerResize(scope, Map.of(setting, value));
    }

    /** A short description for logs, e.g. {@code resize 0: out_features=64}. */
    public String describe() {
        StringBuilder sb = new StringBuilder("resize ").append(scope).append(':');
        settings.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * The editable settings of {@code layer} and their current values, in the editor's order; empty
     * when the layer cannot be edited.
     */
    public static Map<String, Integer> settingsOf(Layer layer) {
        Map<String, Integer> m = new LinkedHashMap<>();
        switch (layer) {
            case Linear l -> m.put("out_features", l.outFeatures());
            case Conv2d c -> {
                m.put("out_channels", c.outChannels());
                m.put("kernel_size", c.kernelSize()[0]);
                m.put("stride", c.geometry().strideH());
                m.put("padding", c.geometry().padTop());
                m.put("dilation", c.geometry().dilationH());
                m.put("groups", c.geometry().groups());
            }
            case MultiHeadAttention a -> {
                m.put("embed_dim", a.embedDim());
                m.put("num_heads", a.numHeads());
            }
            case FeedForward f -> m.put("hidden", f.hidden());
            default -> { }
        }
        return m;
    }

    /** The layer kinds that can be edited, for messages. */
    static final List<String> EDITABLE = List.of("Linear", "Conv2d", "MultiHeadAttention", "FeedForward");

    /**
     * A new layer like {@code layer} with these settings and fresh parameters. Throws
     * {@link IllegalArgumentException} for a layer that cannot be edited, a setting it does not
     * have, or values the layer refuses (its own message).
     */
    Layer resized(Layer layer) {
        Map<String, Integer> now = settingsOf(layer);
        if (now.isEmpty()) {
            throw refused(LabText.of("lab.reason.notEditableLayer", scope, layer.getClass().getSimpleName(), String.join(", ", EDITABLE)));
        }
        for (var e : settings.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                throw refused(LabText.of("lab.reason.noSetting", layer.getClass().getSimpleName(), scope, e.getKey(), now.keySet()));
            }
            if (e.getValue() == null || e.getValue() < (e.getKey().equals("padding") ? 0 : 1)) {
                throw refused(LabText.of(e.getKey().equals("padding") ? "lab.reason.settingNegative" : "lab.reason.settingNotPositive", e.getKey(), scope, e.getValue()));
            }
        }
        return switch (layer) {
            case Linear l -> new Linear(l.inFeatures(), get("out_features", now), l.hasBias());
            case Conv2d c -> {
                ConvOptions o = c.options();
                if (changes("stride", now)) o.stride(get("stride", now), get("stride", now));
                if (changes("padding", now)) o.padding(get("padding", now), get("padding", now));
                if (changes("dilation", now)) o.dilation(get("dilation", now), get("dilation", now));
                if (changes("groups", now)) o.groups(get("groups", now));
                int[] k = c.kernelSize();
                int kh = changes("kernel_size", now) ? get("kernel_size", now) : k[0];
                int kw = changes("kernel_size", now) ? get("kernel_size", now) : k[1];
                yield new Conv2d(c.inChannels(), get("out_channels", now), kh, kw, o);
            }
            case MultiHeadAttention a -> a.resized(get("embed_dim", now), get("num_heads", now));
            case FeedForward f -> f.withHidden(get("hidden", now));
            default -> throw new IllegalStateException("unreachable: " + layer);
        };
    }

    /** The English text as the message; the cause carries it in any language ({@link LabText#reason} finds it). */
    private IllegalArgumentException refused(LabText why) {
        return new IllegalArgumentException(why.english(), new GraphEditException(scope, List.of(), why, null));
    }

    private boolean changes(String setting, Map<String, Integer> now) {
        return settings.containsKey(setting) && !settings.get(setting).equals(now.get(setting));
    }

    private int get(String setting, Map<String, Integer> now) {
        return settings.getOrDefault(setting, now.get(setting));
    }
}
