package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link SpecialFunctions} against published values. */
class SpecialFunctionsTest {
    private static final double TOL = 1e-14;

    @Test
    void erfAtKnownPoints() {
        assertEquals(0, SpecialFunctions.erf(0), 0);
        assertEquals(0.5204998778130465, SpecialFunctions.erf(0.5), TOL);
        assertEquals(0.8427007929497149, SpecialFunctions.erf(1), TOL);
        assertEquals(0.9953222650189527, SpecialFunctions.erf(2), TOL);
        assertEquals(0.9999992569016276, SpecialFunctions.erf(3.5), TOL);
        assertEquals(-0.8427007929497149, SpecialFunctions.erf(-1), TOL);
    }

    @Test
    void erfNearTheSeriesBoundary() {
        // Either side of |x| = 3, where the series hands over to the continued fraction.
        assertEquals(0.9999589021219005, SpecialFunctions.erf(2.9), TOL);
        assertEquals(0.9999779095030014, SpecialFunctions.erf(3), TOL);
        assertEquals(0.999593047982555, SpecialFunctions.erf(2.5), TOL);
        assertEquals(0.9661051464753108, SpecialFunctions.erf(1.5), TOL);
        assertEquals(0.9999764743969194, SpecialFunctions.erf(2.99), TOL);
    }

    @Test
    void erfIsOddAndSaturates() {
        for (double x : new double[] {0.1, 0.7, 1.3, 2.5, 4, 6}) assertEquals(-SpecialFunctions.erf(x), SpecialFunctions.erf(-x), 0);
        assertEquals(1, SpecialFunctions.erf(30), 0);
        assertEquals(-1, SpecialFunctions.erf(Double.NEGATIVE_INFINITY), 0);
        assertEquals(Double.NaN, SpecialFunctions.erf(Double.NaN));
    }

    @Test
    void sigmoidIsSymmetricAndFinite() {
        assertEquals(0.5, SpecialFunctions.sigmoid(0), 0);
        assertEquals(0.7310585786300049, SpecialFunctions.sigmoid(1), 1e-16);
        assertEquals(1 - SpecialFunctions.sigmoid(3), SpecialFunctions.sigmoid(-3), 1e-15);
        assertEquals(0, SpecialFunctions.sigmoid(-800), 0);
        assertEquals(1, SpecialFunctions.sigmoid(800), 0);
    }
}
