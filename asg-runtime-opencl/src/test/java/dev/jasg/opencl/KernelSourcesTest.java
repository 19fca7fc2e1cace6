package dev.jasg.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code .cl} file of the source tree builds on the device (every matmul variant too), the backend ships
 * exactly those files, and a build error names the file and the line.
 */
@Tag("opencl")
class KernelSourcesTest {
    /** The sources, from the module (Maven) or from the repository root (the GPU machine's test runs). */
    private static final Path SOURCES = Files.isDirectory(Path.of("src/main/resources/dev/jasg/opencl"))
            ? Path.of("src/main/resources/dev/jasg/opencl") : Path.of("asg-runtime-opencl/src/main/resources/dev/jasg/opencl");
    private static OpenClBackend ocl;

    @BeforeAll
    static void open() {
        ocl = Ocl.open();
    }

    @AfterAll
    static void close() {
        if (ocl != null) ocl.close();
    }

    static List<String> files() throws IOException {
        List<String> fs = new ArrayList<>();
        try (Stream<Path> s = Files.list(SOURCES)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cl")).sorted().forEach(fs::add);
        }
        return fs;
    }

    @Test
    void theBackendShipsEveryClFile() throws IOException {
        assertEquals(files(), Programs.FILES.stream().sorted().toList(), "Programs.FILES must list every .cl file under " + SOURCES);
    }

    @TestFactory
    Stream<DynamicTest> everyClFileBuilds() throws IOException {
        List<DynamicTest> ts = new ArrayList<>();
        for (String f : files()) {
            String body = Files.readString(SOURCES.resolve(f));
            List<String> variants = f.equals("matmul.cl")
                    ? List.of("-DBM=128 -DBN=128 -DBK=16 -DALIGNED=0 -DUNROLL=1", "-DBM=128 -DBN=128 -DBK=16 -DALIGNED=1 -DUNROLL=1",
                            "-DBM=64 -DBN=64 -DBK=16 -DALIGNED=0 -DUNROLL=0", "-DBM=64 -DBN=64 -DBK=16 -DALIGNED=1 -DUNROLL=0",
                            // the shapes bench/gpu-machine.sh tries on a GPU
                            "-DBM=128 -DBN=128 -DBK=8 -DALIGNED=1 -DUNROLL=1", "-DBM=128 -DBN=64 -DBK=16 -DALIGNED=1 -DUNROLL=1",
                            "-DBM=64 -DBN=128 -DBK=16 -DALIGNED=1 -DUNROLL=1")
                    : List.of("");
            for (String v : variants) ts.add(DynamicTest.dynamicTest(f + (v.isEmpty() ? "" : " " + v), () -> ocl.programs().check(f, body, v)));
        }
        return ts.stream();
    }

    @Test
    void aBuildErrorNamesTheFileAndLine() {
        String body = "// line 1\n__kernel void k(__global float* o) {\n    o[0] = undefined_name;\n}\n";
        KernelBuildException e = assertThrows(KernelBuildException.class, () -> ocl.programs().check("broken.cl", body, ""));
        assertTrue(e.getMessage().contains("broken.cl:3"), e.getMessage());
    }

    /** NVIDIA's compiler ignores #line and names lines of the assembled source: they are mapped back to the files. */
    @Test
    void rawSourceLinesAreMappedBackToTheFiles() {
        String src = "#line 1 \"common.h\"\na\nb\n\n#line 1 \"broken.cl\"\n// line 1\nk\n    o[0] = undefined_name;\n";
        String log = "<kernel>:8:12: error: use of undeclared identifier 'undefined_name'";
        org.junit.jupiter.api.Assertions.assertEquals("broken.cl:3:12: error: use of undeclared identifier 'undefined_name'", Programs.namePlaces(src, log));
        org.junit.jupiter.api.Assertions.assertEquals("common.h:2:1: x", Programs.namePlaces(src, "<kernel>:3:1: x"));
        org.junit.jupiter.api.Assertions.assertEquals("broken.cl:3:12: already named", Programs.namePlaces(src, "broken.cl:3:12: already named"));
    }
}
