package dev.jasg.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pt2safetensors command (issue 15): exit codes, messages, and the tensors it writes. */
class Pt2SafeTensorsTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Pt2SafeTensors.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String res(String name) {
        return TorchCheckpointTest.resource(name).toString();
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new String[] {}, 2, "expected IN and OUT, got 0"),
                Arguments.of(new String[] {"a.pt"}, 2, "expected IN and OUT, got 1"),
                Arguments.of(new String[] {"a", "b", "c"}, 2, "got 3"),
                Arguments.of(new String[] {"--bogus", "a", "b"}, 2, "unknown option --bogus"),
                Arguments.of(new String[] {"a", "b", "--key"}, 2, "--key needs a PATH"),
                Arguments.of(new String[] {"/nonexistent/in.pt", "OUT"}, 1, "no such file"),
                Arguments.of(new String[] {res("hostile_zip.pt"), "OUT"}, 1, "global 'posix.system' is not allowed"),
                Arguments.of(new String[] {res("two_models.pt"), "OUT"}, 1, "pick one with stateDict(path)"),
                Arguments.of(new String[] {"--key", "nope", res("nested.pt"), "OUT"}, 1, "has nothing at 'nope'"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void badArgumentsAndBadFilesExitNonZeroWithAMessage(String[] args, int code, String fragment) {
        String[] a = args.clone();
        Path out = tmp.resolve("out.safetensors");
        for (int i = 0; i < a.length; i++) if (a[i].equals("OUT")) a[i] = out.toString();
        Run r = run(a);
        assertEquals(code, r.code(), r.err());
        assertTrue(r.err().contains(fragment), r.err());
        if (code == 2) assertTrue(r.err().contains("usage: pt2safetensors"), r.err());
        assertFalse(Files.exists(out), "nothing is written on failure");
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: pt2safetensors"));
    }

    static Stream<Arguments> conversions() {
        return Stream.of(Arguments.of("sequential.pt", null, null), Arguments.of("dtypes.pt", null, null),
                Arguments.of("views.pt", null, null), Arguments.of("nested.pt", null, "model"),
                Arguments.of("nested.pt", "model", "model"), Arguments.of("two_models.pt", "b", "b"));
    }

    @ParameterizedTest
    @MethodSource("conversions")
    void convertsTheStateDictKeepingDtypesAndValues(String name, String key, String path) throws IOException {
        Path out = tmp.resolve("out.safetensors");
        Run r = key == null ? run(res(name), out.toString()) : run("--key", key, res(name), out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote"), r.out());
        TorchCheckpoint ck = TorchCheckpoint.read(TorchCheckpointTest.resource(name));
        Map<String, TorchTensor> expected = path == null ? ck.stateDict() : ck.stateDict(path);
        try (SafeTensorsFile f = SafeTensorsFile.open(out)) {
            assertEquals(expected.keySet(), new java.util.HashSet<>(f.names()));
            assertEquals(Map.of("format", "pt"), f.metadata());
            for (Map.Entry<String, TorchTensor> e : expected.entrySet()) {
                assertEquals(e.getValue().dtype(), f.info(e.getKey()).dtype(), e.getKey());
                assertArrayEquals(e.getValue().value().toDoubles(), f.read(e.getKey()).toDoubles(), e.getKey());
                assertArrayEquals(e.getValue().value().shape().dims(), f.read(e.getKey()).shape().dims(), e.getKey());
            }
        }
    }
}
