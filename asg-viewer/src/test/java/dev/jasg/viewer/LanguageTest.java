package dev.jasg.viewer;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class LanguageTest {
    @Test
    void namesAndCodesInAnyCase() {
        for (String s : new String[] {"en", "EN", "English", "ENGLISH", " english "}) assertEquals(Optional.of(Language.EN), Language.parse(s), s);
        for (String s : new String[] {"ru", "RU", "Russian", "rUsSiAn", "русский"}) assertEquals(Optional.of(Language.RU), Language.parse(s), s);
        assertEquals(Optional.empty(), Language.parse("fr"));
        assertEquals(Optional.empty(), Language.parse(""));
        assertEquals(Optional.empty(), Language.parse(null));
    }
}
