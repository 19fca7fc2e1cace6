package dev.jasg.viewer;

import java.util.Locale;
import java.util.Optional;

/** The languages the viewer speaks: its menus, the node inspector and the demo's progress lines. */
public enum Language {
    /** English, the default. */
    EN(Locale.ENGLISH),
    /** Russian. */
    RU(Locale.of("ru"));

    private final Locale locale;

    Language(Locale locale) {
        this.locale = locale;
    }

    /** The locale of the resource bundles. */
    public Locale locale() {
        return locale;
    }

    /** The code used on the command line, {@code en} or {@code ru}. */
    public String code() {
        return locale.getLanguage();
    }

    /**
     * The language named {@code s}: {@code en}, {@code english}, {@code ru} or {@code russian},
     * in any case and with surrounding blanks ignored; empty for anything else.
     */
    public static Optional<Language> parse(String s) {
        if (s == null) return Optional.empty();
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "en", "english" -> Optional.of(EN);
            case "ru", "russian", "русский" -> Optional.of(RU);
            default -> Optional.empty();
        };
    }
}
