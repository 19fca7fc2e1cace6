package dev.jasg.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.ILoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.slf4j.helpers.NOPLoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The missing-vector-module warning reaches stderr exactly when SLF4J fell back to NOP for want of a provider (issue 13 item 17). */
class SimdTest {
    /** A bound provider's factory (slf4j-simple, logback...): anything but NOPLoggerFactory. */
    private static final ILoggerFactory REAL = name -> NOPLogger.NOP_LOGGER;

    static Stream<Arguments> cases() {
        return Stream.of(
                // factory,                 provider on class path, printed
                Arguments.of(new NOPLoggerFactory(), false, true),   // no provider: SLF4J 2's NOP fallback
                Arguments.of(new NOPLoggerFactory(), true, false),   // slf4j-nop chosen on purpose
                Arguments.of(REAL, true, false),                     // logged for real
                Arguments.of(REAL, false, false));                   // provider named by -Dslf4j.provider
    }

    @ParameterizedTest(name = "{0} provider={1} -> printed={2}")
    @MethodSource("cases")
    void printsOnlyWhenNothingLogs(ILoggerFactory factory, boolean provider, boolean printed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean said = Simd.warnUnlogged(Simd.NO_VECTOR_MODULE, factory, provider, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(printed, said, "returned");
        assertEquals(printed, !out.isEmpty(), "stderr: " + out);
        if (printed) {
            assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
            assertEquals(1, out.lines().count(), "one line: " + out);
        }
    }
}
