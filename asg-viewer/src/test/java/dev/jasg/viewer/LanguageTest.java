package dev.jasg.viewer;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
