package dev.jasg.viewer.inspect;

import dev.jasg.core.Op;
import dev.jasg.viewer.Language;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inspector's explanation of every op, in English and Russian, from the bundles
 * {@code dev/jasg/viewer/optexts_en} and {@code optexts_ru}: four texts per {@link OpKey},
 * {@code <key>.name}, {@code .what}, {@code .formula} and {@code .why}.
 */
public final class OpTexts {
    /** Base name of the bundles. */
    public static final String BUNDLE = "dev.jasg.viewer.optexts";
    /** The four texts each op has. */
    public static final List<String> FIELDS = List.of("name", "what", "formula", "why");
    private static final Map<Language, ResourceBundle> BUNDLES = new ConcurrentHashMap<>();

    private OpTexts() {}

    /** The bundle of {@code language}. */
    public static ResourceBundle bundle(Language language) {
        return BUNDLES.computeIfAbsent(language, l -> ResourceBundle.getBundle(BUNDLE, l.locale(),
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES)));
    }

    /** The texts for the op with {@code key} in {@code language}, or empty when any of the four is missing or blank. */
    public static Optional<OpText> find(Language language, String key) {
        ResourceBundle b = bundle(language);
        String[] v = new String[FIELDS.size()];
        for (int i = 0; i < v.length; i++) {
            String k = key + "." + FIELDS.get(i);
            if (!b.containsKey(k) || b.getString(k).isBlank()) return Optional.empty();
            v[i] = b.getString(k).strip();
        }
        return Optional.of(new OpText(v[0], v[1], v[2], v[3]));
    }

    /** The texts for {@code op} in {@code language}, or empty when there are none. */
    public static Optional<OpText> find(Language language, Op op) {
        return find(language, OpKey.of(op));
    }
}
