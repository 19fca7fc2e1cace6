package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.SpecialFunctions;
import dev.jasg.core.UnaryOp;
import org.junit.jupiter.api.Test;

/** The fast functions against the reference's, densely over every segment and its edges, rounded to f32 as the kernels do. */
class FloatFunctionsTest {
    @Test
    void erfMatchesTheReferenceToF32() {
        for (int i = -300_000; i <= 300_000; i++) {
            double x = i * 1e-4;
            double want = SpecialFunctions.erf(x), got = FloatFunctions.erf(x);
            assertEquals(want, got, 1e-14 + 1e-12 * Math.abs(want), "erf(" + x + ")");
        }
        for (double x : new double[] {0, -0.0, 1e-30, -1e-30, 0.5, 0.75, 3.999999, 4, 27, 1e10, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertEquals(SpecialFunctions.erf(x), FloatFunctions.erf(x), 1e-15 + 1e-12 * Math.abs(x), "erf(" + x + ")");
        }
        assertEquals(Double.NaN, FloatFunctions.erf(Double.NaN));
    }

    @Test
    void geluMatchesTheReferenceToF32() {
        // the reference computes 1 + erf in double, which loses ~1e-16 absolute in the tail; ours keeps relative precision there
        for (int i = -300_000; i <= 120_000; i++) {
            double x = i * 1e-4;
            double want = UnaryOp.GELU.apply(x, 0, 0), got = FloatFunctions.gelu(x);
            assertEquals(want, got, 1e-9 * Math.abs(want) + 2e-16 * Math.abs(x), "gelu(" + x + ")");
        }
        // the tail against its leading asymptotic term, -0.5 x exp(-x^2/2) sqrt(2/pi) / |x| (1 - 1/x^2 + 3/x^4)
        for (double x = -36; x <= -12; x += 0.5) {
            double lead = 0.5 * x * Math.exp(-x * x / 2) * Math.sqrt(2 / Math.PI) / -x * (1 - 1 / (x * x) + 3 / (x * x * x * x));
            assertEquals(lead, FloatFunctions.gelu(x), 1e-4 * Math.abs(lead), "gelu(" + x + ")");
        }
    }
}
