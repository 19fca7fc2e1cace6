package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Init.Orthogonal} as {@code torch.nn.init.orthogonal_}: orthonormal rows or columns times the gain. */
class InitOrthogonalTest {

    @ParameterizedTest(name = "{0} gain {1}")
    @CsvSource({"3x5, 1", "5x3, 1", "4x4, 2", "2x3x2, 0.5", "7x2x2, 1.5", "1x6, 3"})
    void orthonormalTimesGain(String dims, double gain) {
        int[] d = Arrays.stream(dims.split("x")).mapToInt(Integer::parseInt).toArray();
        Shape shape = Shape.of(d);
        double[] w = Init.orthogonal(gain).sample(shape, 42, "w");
        int rows = d[0], cols = w.length / rows;
        // the smaller Gram matrix is gain^2 I: W W^T for rows <= cols, W^T W otherwise
        boolean byRows = rows <= cols;
        int k = byRows ? rows : cols, len = byRows ? cols : rows;
        for (int p = 0; p < k; p++) {
            for (int q = 0; q < k; q++) {
                double dot = 0;
                for (int i = 0; i < len; i++) dot += byRows ? w[p * cols + i] * w[q * cols + i] : w[i * cols + p] * w[i * cols + q];
                assertEquals(p == q ? gain * gain : 0, dot, 1e-12, dims + ": Gram[" + p + "][" + q + "]");
            }
        }
    }

    @Test
    void seededByStoreAndName() {
        Shape s = Shape.of(4, 6);
        assertArrayEquals(Init.orthogonal(1).sample(s, 7, "a"), Init.orthogonal(1).sample(s, 7, "a"));
        assertFalse(Arrays.equals(Init.orthogonal(1).sample(s, 7, "a"), Init.orthogonal(1).sample(s, 7, "b")));
        assertFalse(Arrays.equals(Init.orthogonal(1).sample(s, 7, "a"), Init.orthogonal(1).sample(s, 8, "a")));
    }

    @Test
    void signCorrectedLikePyTorch() {
        // q * sign(diag(r)): R of the returned matrix's own QR has a positive diagonal (Q is Haar-distributed)
        Shape s = Shape.of(5, 3);
        double[] w = Init.orthogonal(1).sample(s, 3, "w");
        double[] r = dev.jasg.core.reference.LinalgReference.qr(w, 5, 3)[1];
        double[] a = new Init.Normal(0, 1).sample(s, 3, "w");
        double[] ra = dev.jasg.core.reference.LinalgReference.qr(a, 5, 3)[1];
        for (int j = 0; j < 3; j++) {
            // W = Q D with D = sign(diag R_a), so A = W (D R_a) and D R_a has a positive diagonal
            double d = Math.signum(ra[j * 3 + j]);
            for (int i = 0; i < 5; i++) {
                double qa = dev.jasg.core.reference.LinalgReference.qr(a, 5, 3)[0][i * 3 + j];
                assertEquals(qa * d, w[i * 3 + j], 1e-12);
            }
            assertTrue(Math.abs(r[j * 3 + j]) > 0.99);
        }
    }

    @Test
    void refusesVectors() {
        ShapeException e = assertThrows(ShapeException.class, () -> Init.orthogonal(1).sample(Shape.of(5), 1, "bias"));
        assertTrue(e.getMessage().contains("bias") && e.getMessage().contains("2 axes"), e.getMessage());
        assertEquals(0, Init.orthogonal(1).sample(Shape.of(0, 3), 1, "empty").length);
    }
}
