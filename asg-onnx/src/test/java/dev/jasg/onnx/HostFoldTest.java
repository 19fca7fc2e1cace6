package dev.jasg.onnx;

import dev.jasg.core.DType;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The host folding of shape arithmetic: exact integer results, and the identities that keep a symbolic size exact. */
class HostFoldTest {
    static TensorData vec(double... v) {
        return new TensorData(DType.I64, new int[] {v.length}, v);
    }

    /** op, a (values, symbols), b (values, symbols), expected values, expected symbols. */
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("Add", new double[] {0, 3}, new String[] {"T", null}, new double[] {0, 4}, null, new double[] {0, 7}, new String[] {"T", null}),
                Arguments.of("Sub", new double[] {0}, new String[] {"T"}, new double[] {0}, new String[] {"T"}, new double[] {0}, null),
                Arguments.of("Sub", new double[] {0, 5}, new String[] {"B", null}, new double[] {0, 7}, null, new double[] {0, -2}, new String[] {"B", null}),
                Arguments.of("Mul", new double[] {0, 0}, new String[] {"B", "T"}, new double[] {1, 0}, null, new double[] {0, 0}, new String[] {"B", null}),
                Arguments.of("Div", new double[] {-7, 0}, new String[] {null, "T"}, new double[] {2, 1}, null, new double[] {-3, 0}, new String[] {null, "T"}),
                Arguments.of("Equal", new double[] {0, 0}, new String[] {"B", "T"}, new double[] {-1, -1}, null, new double[] {0, 0}, null),
                Arguments.of("Equal", new double[] {0, 4}, new String[] {"T", null}, new double[] {0, 4}, new String[] {"T", null}, new double[] {1, 1}, null),
                Arguments.of("Greater", new double[] {0}, new String[] {"T"}, new double[] {-1}, null, new double[] {1}, null));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void shapeArithmetic(String op, double[] a, String[] sa, double[] b, String[] sb, double[] want, String[] wantSym) {
        HostFold.Folded f = HostFold.binary(op, vec(a), sa, vec(b), sb);
        assertArrayEquals(want, f.c().values(), op);
        assertArrayEquals(wantSym, f.sym(), op);
        assertEquals(HostFold.BINARY.contains(op) && !Arrays.asList("Add", "Sub", "Mul", "Div").contains(op) ? DType.BOOL : DType.I64, f.c().dtype());
    }

    @Test
    void arithmeticThatWouldLoseASymbolIsRefused() {
        for (String op : new String[] {"Add", "Mul", "Div", "Sub", "Equal"}) {
            assertThrows(HostFold.SymbolicArithmetic.class, () -> HostFold.binary(op, vec(0), new String[] {"T"}, vec(2), null), op);
        }
        assertThrows(HostFold.SymbolicArithmetic.class, () -> HostFold.binary("Sub", vec(0), new String[] {"T"}, vec(0), new String[] {"B"}));
    }

    @Test
    void broadcastingAndWhere() {
        HostFold.Folded f = HostFold.binary("Add", new TensorData(DType.I64, new int[] {2, 1}, new double[] {10, 20}), null, vec(1, 2, 3), null);
        assertArrayEquals(new int[] {2, 3}, f.c().dims());
        assertArrayEquals(new double[] {11, 12, 13, 21, 22, 23}, f.c().values());
        HostFold.Folded w = HostFold.where(new TensorData(DType.BOOL, new int[] {2}, new double[] {1, 0}), vec(1, 1), null, vec(0, 0), new String[] {"B", "T"});
        assertArrayEquals(new double[] {1, 0}, w.c().values());
        assertArrayEquals(new String[] {null, "T"}, w.sym());
    }

    /** ONNX's Slice positions, as numpy slicing: negative steps, clamping, int64 extremes. */
    @Test
    void slicePositions() {
        assertArrayEquals(new int[] {1, 2, 3}, HostFold.sliceIndices(5, 1, 4, 1));
        assertArrayEquals(new int[] {4, 3, 2, 1, 0}, HostFold.sliceIndices(5, -1, Long.MIN_VALUE, -1));
        assertArrayEquals(new int[] {3, 1}, HostFold.sliceIndices(5, 3, 0, -2));
        assertArrayEquals(new int[] {0, 2, 4}, HostFold.sliceIndices(5, 0, Long.MAX_VALUE, 2));
        assertArrayEquals(new int[] {}, HostFold.sliceIndices(5, 4, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> HostFold.sliceIndices(5, 0, 5, 0));
    }
}
