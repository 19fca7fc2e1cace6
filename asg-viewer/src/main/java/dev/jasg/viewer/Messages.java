package dev.jasg.viewer;

import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The viewer's texts in one language, from the resource bundles {@code dev/jasg/viewer/messages_en}
 * and {@code messages_ru} (UTF-8 properties). Placeholders are {@code {0}}, {@code {1}}, ... and
 * are replaced literally, so texts need no MessageFormat quoting.
 */
public final class Messages {
    /** Base name of the UI bundles. */
    public static final String BUNDLE = "dev.jasg.viewer.messages";
    private static final Map<Language, Messages> CACHE = new ConcurrentHashMap<>();

    private final Language language;
    private final ResourceBundle bundle;

    private Messages(Language language) {
        this.language = language;
        this.bundle = ResourceBundle.getBundle(BUNDLE, language.locale(), ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    /** The texts of {@code language}. */
    public static Messages of(Language language) {
        return CACHE.computeIfAbsent(language, Messages::new);
    }

    /** The language. */
    public Language language() {
        return language;
    }

    /** The text of {@code key}; throws {@link MissingResourceException} when there is none. */
    public String get(String key) {
        return bundle.getString(key);
    }

    /** True when {@code key} has a text. */
    public boolean has(String key) {
        return bundle.containsKey(key);
    }

    /** The text of {@code key} with {@code {i}} replaced by {@code args[i]}. */
    public String format(String key, Object... args) {
        String s = get(key);
        for (int i = 0; i < args.length; i++) s = s.replace("{" + i + "}", String.valueOf(args[i]));
        return s;
    }

    /** The underlying bundle (its keys, for completeness tests). */
    public ResourceBundle bundle() {
        return bundle;
    }
}
