package dev.jasg.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the JSON fixtures PyTorch wrote next to this package's tests, and checking that each has a case. */
final class Fixtures {
    private Fixtures() {
    }

    /** The JSON of resource {@code name} of this package ({@code optim_fixtures.json}). */
    static JsonNode read(String name) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Fails naming every field of {@code fixtures} that no name of {@code caseNames} covers. */
    static void assertEveryFixtureHasACase(JsonNode fixtures, Stream<String> caseNames) {
        TreeSet<String> names = new TreeSet<>();
        fixtures.fieldNames().forEachRemaining(names::add);
        caseNames.forEach(names::remove);
        assertTrue(names.isEmpty(), "fixtures without a case: " + names);
    }
}
