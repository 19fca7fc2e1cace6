package dev.jasg.viewer.ui;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Chart marker labels are neither clipped nor overlapping; the delete dialog lists what goes. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class ChartAndDialogTextTest {
    @Test
    void markerLabelsAvoidTheEdgeAndEachOther() {
        // x of each marker, width of its label, in a plot 600 px wide: {side, row} expected.
        Object[][] cases = {
                {new double[] {100}, new double[] {80}, new int[][] {{0, 0}}},                       // alone: right of its line
                {new double[] {560}, new double[] {80}, new int[][] {{1, 0}}},                       // near the right edge: left
                {new double[] {100, 130}, new double[] {80, 80}, new int[][] {{0, 0}, {0, 1}}},      // close: second row
                {new double[] {100, 300}, new double[] {80, 80}, new int[][] {{0, 0}, {0, 0}}},      // apart: same row
                {new double[] {100, 120, 140}, new double[] {80, 80, 80}, new int[][] {{0, 0}, {0, 1}, {0, 2}}},
                {new double[] {300, 590}, new double[] {120, 120}, new int[][] {{0, 0}, {1, 0}}},    // one right, one left, apart
                {new double[] {500, 560}, new double[] {120, 120}, new int[][] {{1, 0}, {1, 1}}},    // both left, overlapping
                {new double[] {20}, new double[] {700}, new int[][] {{0, 0}}},                       // wider than the plot: stays right
        };
        for (Object[] c : cases) {
            int[][] got = LossChartPanel.place((double[]) c[0], (double[]) c[1], 600);
            int[][] want = (int[][]) c[2];
            for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], got[i], java.util.Arrays.toString((double[]) c[0]) + " marker " + i);
        }
    }

    @Test
    void theDeleteDialogListsTheNodesAndParametersThatGo() {
        Graph before = graph(true), after = graph(false);
        assertEquals(List.of("2.weight", "2/matmul", "2.bias", "2/add"), EditDialog.removed(before, after));
        assertEquals(List.of(), EditDialog.removed(after, after));
    }

    @SuppressWarnings("try")
    private static Graph graph(boolean withSecond) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, dev.jasg.core.Shape.of(2, 4));
        Tensor h;
        try (var s = b.scope("1")) {
            h = x.matmul(b.parameter("weight", Init.zeros(), 4, 4)).relu();
        }
        if (withSecond) {
            try (var s = b.scope("2")) {
                h = h.matmul(b.parameter("weight", Init.zeros(), 4, 4)).add(b.parameter("bias", Init.zeros(), 4));
            }
        }
        b.output("y", h);
        return b.build();
    }
}
