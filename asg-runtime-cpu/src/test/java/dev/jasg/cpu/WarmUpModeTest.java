package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The warm-up modes' switching rules, none of them timed: which values of {@code jasg.cpu.warmup} name which mode,
 * the GEMM sampling's route and its compiled test as tables, and in a JVM of each mode ({@link WarmUpModeMain}) which
 * kernels run before and after the first run: with {@code firstRun} (the default) the twins before and the vector
 * kernels after, with {@code false} the vector kernels throughout, with {@code compiled} the twins after the first run
 * too (until seen compiled), and without C2 the twins for good.
 */
class WarmUpModeTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "null, FIRST_RUN", "'', FIRST_RUN", "firstRun, FIRST_RUN", "first-run, FIRST_RUN", "FIRSTRUN, FIRST_RUN",
        "false, OFF", "off, OFF", "true, COMPILED", "compiled, COMPILED", "' Compiled ', COMPILED"})
    void propertyValuesNameModes(String value, WarmKernels.Mode mode) {
        assertEquals(mode, WarmKernels.Mode.parse(value));
    }

    @Test
    void anUnknownValueIsRefusedWithTheValuesThatAreKnown() {
        var e = assertThrows(IllegalArgumentException.class, () -> WarmKernels.Mode.parse("yes"));
        assertEquals("jasg.cpu.warmup=yes: expected firstRun (the default), compiled (or true) or false", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        // twin calls, vector ns, twin ns, budget, route
        "0, 0, 0, 1.0, TWIN",              // the twin first, until C1 has it
        "255, 0, 1000, 100.0, TWIN",
        "256, 0, 1000, 0.1, VECTOR",       // then a sample within the budget
        "256, 100, 1000, 0.1, VECTOR",
        "256, 101, 1000, 0.1, TWIN",       // over it: the twin
        "1000, 999, 1000, 1.0, VECTOR",
        "1000, 1001, 1000, 1.0, TWIN",
        "1000, 0, 1000, 0.0, TWIN"})       // a budget of 0 (no C2 in the JVM): none
    void gemmCallsAreSampledWithinTheBudget(int twinCalls, long vectorNanos, long twinNanos, double budget, String route) {
        int want = route.equals("TWIN") ? GemmWarm.TWIN_TIMED : GemmWarm.VECTOR_TIMED;
        assertEquals(want, GemmWarm.sampled(twinCalls, vectorNanos, twinNanos, budget));
    }

    @ParameterizedTest
    @CsvSource({
        // ns a unit of the sampled vector call, the twin's best, compiled?
        "0.05, 0.15, true",
        "0.09, 0.15, true",    // 0.6 of the twin: compiled
        "0.0901, 0.15, false", // slower: could be anything
        "1.5, 0.15, false",    // boxed
        "0.01, Infinity, false"}) // the twin not yet compiled itself: nothing to compare with
    void aGemmKernelCountsAsCompiledWhenWellUnderItsTwin(double perUnit, double twinBest, boolean compiled) {
        assertEquals(compiled, GemmWarm.runsCompiled(perUnit, twinBest));
    }

    /**
     * The hand-over's volume rule: 100 elements within 10 ns. Each row: the calls as {@code elements@time}, and whether
     * the last one reaches it.
     */
    @ParameterizedTest
    @CsvSource({
        "100@0, true",
        "99@0, false",
        "60@0 40@10, true",
        // the window restarts past 10 ns: what came before it no longer counts
        "60@0 40@11, false",
        "60@0 40@11 60@21, true",
        "60@0 40@11 60@22, false",
        "30@5 30@9 30@12 10@15, true",
        // once reached, for good: a later call past the window still says so
        "100@0 1@50, true"})
    void aKernelHandsOverOnceItsTwinDoesEnoughWithinTheWindow(String calls, boolean reached) {
        WarmKernels.Volume v = new WarmKernels.Volume(100, 10);
        boolean last = false;
        for (String call : calls.split(" ")) {
            String[] nt = call.split("@");
            last = v.reached(Long.parseLong(nt[0]), Long.parseLong(nt[1]));
        }
        assertEquals(reached, last, calls);
    }

    @ParameterizedTest
    @CsvSource({
        // jvm flag, mode, before gelu, before tile, after gelu, after tile, after: twins for good (no C2), later gelu (3 more
        // runs of 1536 elements): an elementwise kernel switches once its twin has done jasg.cpu.handOverElements (2^24)
        // since the hand-over, the GEMM tiles at the hand-over
        "-Djasg.cpu.warmup=firstRun, FIRST_RUN, false, false, false, true, false, false",
        "-Dunset.warmup=x, FIRST_RUN, false, false, false, true, false, false",
        "-Djasg.cpu.handOverElements=3000, FIRST_RUN, false, false, false, true, false, true",
        "-Djasg.cpu.warmup=false, OFF, true, true, true, true, false, true",
        // the probe thread starts on GELU when the first run ends: whether it is done when the child looks is a race
        "-Djasg.cpu.warmup=compiled, COMPILED, false, false, any, false, false, any",
        // no C2: the vector kernels would stay boxed, the twins stay
        "-XX:TieredStopAtLevel=1, FIRST_RUN, false, false, false, false, true, false"})
    void eachModeHandsOverWhenItSays(String flag, String mode, boolean beforeGelu, boolean beforeTile, String afterGelu, boolean afterTile,
                                     boolean twinsForGood, String laterGelu)
            throws IOException, InterruptedException {
        assumeTrue(Simd.ENABLED, "the Vector API is off in this JVM: no twins");
        Map<String, String> got = runChild(flag);
        assertEquals(mode, got.get("mode"), got.toString());
        assertEquals(String.valueOf(beforeGelu), got.get("before.gelu"), got.toString());
        assertEquals(String.valueOf(beforeTile), got.get("before.tile"), got.toString());
        if (!afterGelu.equals("any")) assertEquals(afterGelu, got.get("after.gelu"), got.toString());
        assertEquals(String.valueOf(afterTile), got.get("after.tile"), got.toString());
        assertEquals(String.valueOf(twinsForGood), got.get("after.twinsForGood"), got.toString());
        if (!laterGelu.equals("any")) assertEquals(laterGelu, got.get("later.gelu"), got.toString());
    }

    private static Map<String, String> runChild(String flag) throws IOException, InterruptedException {
        String out = ChildJvm.run(WarmUpModeMain.class, List.of("--add-modules", "jdk.incubator.vector", flag), false, 120);
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return kv;
    }
}
