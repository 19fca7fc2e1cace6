package dev.jasg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Allocations}: the warm bytes a call allocates, and where a call that does allocate allocates. */
class AllocationsTest {
    private static volatile Object kept;

    private static void allocating() {
        kept = new long[512];
    }

    private static void quiet() {
        kept = null;
    }

    @Test
    void countsWhatACallAllocatesOnTheCallingThread() {
        assertTrue(Allocations.warmBytesPerCall(AllocationsTest::allocating, 50, 50, 0, Duration.ofMillis(200)) >= 4096,
                "a long[512] a call is at least 4 KiB");
        assertEquals(0, Allocations.warmBytesPerCall(AllocationsTest::quiet, 50, 50, 0, Duration.ofSeconds(10)));
    }

    @Test
    void namesTheMethodThatAllocates() {
        String sites = Allocations.topAllocationSites(AllocationsTest::allocating, 20_000, 3);
        assertTrue(sites.contains("AllocationsTest.allocating") && sites.contains("long[]"), sites);
        // 80 MB in 20,000 calls fills many TLABs, whose events are not throttled; the heaviest site's frames say how each ran
        assertTrue(sites.contains("new TLABs and allocations outside them:\n  "), sites);
        assertTrue(sites.matches("(?s).*frames of the heaviest site:\n    dev\\.jasg\\.testkit\\.AllocationsTest\\.allocating:\\d+ \\((Interpreted|JIT compiled|Inlined)\\).*"), sites);
        assertTrue(Allocations.topAllocationSites(AllocationsTest::quiet, 20_000, 3).startsWith("no allocation samples"));
    }

    @Test
    void writesArrayClassesAsJavaDoes() {
        assertEquals("long[]", Allocations.readable("[J"));
        assertEquals("float[][]", Allocations.readable("[[F"));
        assertEquals("java.lang.String[]", Allocations.readable("[Ljava.lang.String;"));
        assertEquals("jdk.incubator.vector.Float512Vector", Allocations.readable("jdk.incubator.vector.Float512Vector"));
    }
}
