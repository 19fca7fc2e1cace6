package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The order a plan records its steps in ({@link Phases}) as a table: each row is a list of steps over byte ranges of one
 * buffer (fills, copies, a host step) and the phases and order expected; then random step lists, where every
 * conflicting pair must keep its order. No device: the views' buffer is null, one buffer for all.
 */
class PhasesTest {
    /** {@code [from, from + bytes)} of the one buffer. */
    static View r(long from, long bytes) {
        return new View(null, from, bytes);
    }

    static final View A = r(0, 64), B = r(64, 64), C = r(128, 64), D = r(192, 64), E = r(256, 64);

    static Step fill(View v) {
        return new Step.Fill(v);
    }

    static Step copy(View from, View to) {
        return new Step.Copy(from, to);
    }

    static Step host(View in, View out) {
        return new Step.Host(null, null, new int[][] {{16}}, new int[] {16}, out, new View[] {in});
    }

    record Row(String name, List<Step> steps, int[] phases, int[] order) {}

    static List<Row> rows() {
        return List.of(
                new Row("independent chains share their phases (one parameter's update, then the next's)",
                        List.of(fill(A), copy(A, B), fill(C), copy(C, D)), new int[] {0, 1, 0, 1}, new int[] {0, 2, 1, 3}),
                new Row("a write after a read waits for the read (a range reused)",
                        List.of(fill(A), copy(A, B), fill(A), copy(A, C)), new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3}),
                new Row("two writes of one range keep their order", List.of(fill(A), fill(A)), new int[] {0, 1}, new int[] {0, 1}),
                new Row("two reads of one range do not conflict", List.of(fill(A), copy(A, B), copy(A, C)), new int[] {0, 1, 1},
                        new int[] {0, 1, 2}),
                new Row("ranges that share a byte conflict", List.of(fill(r(0, 65)), fill(r(64, 64))), new int[] {0, 1}, new int[] {0, 1}),
                new Row("ranges that only touch do not", List.of(fill(r(0, 64)), fill(r(64, 64))), new int[] {0, 0}, new int[] {0, 1}),
                new Row("a step waits for the latest of several", List.of(fill(A), copy(A, B), copy(B, C), fill(D), copy(D, E), copy(C, E)),
                        new int[] {0, 1, 2, 0, 1, 3}, new int[] {0, 3, 1, 4, 2, 5}),
                new Row("a host step stays where it is: nothing moves across it",
                        List.of(fill(A), copy(A, B), host(B, C), fill(D), fill(E)), new int[] {0, 1, 2, 3, 3}, new int[] {0, 1, 2, 3, 4}),
                new Row("each side of a host step is ordered on its own",
                        List.of(fill(A), copy(A, B), fill(C), host(B, D), fill(A), copy(A, B), fill(E)),
                        new int[] {0, 1, 0, 2, 3, 4, 3}, new int[] {0, 2, 1, 3, 4, 6, 5}));
    }

    @TestFactory
    Stream<DynamicTest> table() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            assertArrayEquals(row.phases(), phasesAcrossHosts(row.steps()), "phases of " + row.name());
            List<Step> got = Phases.order(row.steps());
            int[] order = new int[got.size()];
            Map<Step, Integer> index = new IdentityHashMap<>();
            for (int i = 0; i < row.steps().size(); i++) index.put(row.steps().get(i), i);
            for (int i = 0; i < got.size(); i++) order[i] = index.get(got.get(i));
            assertArrayEquals(row.order(), order, "order of " + row.name());
        }));
    }

    /** Phases numbered on across host steps, as the table writes them (a host step one above its segment's highest). */
    private static int[] phasesAcrossHosts(List<Step> steps) {
        int[] out = new int[steps.size()];
        int from = 0, base = 0;
        for (int i = 0; i <= steps.size(); i++) {
            if (i == steps.size() || steps.get(i) instanceof Step.Host) {
                int[] p = Phases.phases(steps.subList(from, i));
                int top = base - 1;
                for (int k = 0; k < p.length; k++) {
                    out[from + k] = base + p[k];
                    top = Math.max(top, base + p[k]);
                }
                if (i < steps.size()) out[i] = top + 1;
                base = top + 2;
                from = i + 1;
            }
        }
        return out;
    }

    /** Random steps over overlapping ranges: the result is a permutation, and every conflicting pair keeps its order. */
    @Test
    void conflictingStepsKeepTheirOrder() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            List<Step> steps = new ArrayList<>();
            int n = 1 + rnd.nextInt(40);
            for (int i = 0; i < n; i++) {
                View a = r(16L * rnd.nextInt(24), 16L * (1 + rnd.nextInt(4))), b = r(16L * rnd.nextInt(24), 16L * (1 + rnd.nextInt(4)));
                int kind = rnd.nextInt(10);
                steps.add(kind < 3 ? fill(a) : kind < 9 ? copy(a, b) : host(a, b));
            }
            List<Step> got = Phases.order(steps);
            assertEquals(steps.size(), got.size());
            Map<Step, Integer> at = new IdentityHashMap<>();
            for (int i = 0; i < got.size(); i++) at.put(got.get(i), i);
            assertEquals(steps.size(), at.size(), "a permutation");
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    Step x = steps.get(i), y = steps.get(j);
                    boolean fixed = Phases.conflict(x, y) || x instanceof Step.Host || y instanceof Step.Host;
                    if (fixed) assertTrue(at.get(x) < at.get(y), "trial " + trial + ": step " + i + " must stay before step " + j);
                }
            }
        }
    }
}
