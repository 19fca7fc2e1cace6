package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ConvKernels#im2col} against the definition ({@code col[(c, i, j), (p, q)] = x[c, p sh - pt + i dh, q sw - pl + j dw]},
 * zero outside the image), for slices of rows and positions that start and end inside output rows: the general loop,
 * the one-copy-a-row path of stride-1 "same"-width convolutions, the row-phase path of strides past 1 (with wider and narrower vertical padding, asymmetric
 * horizontal padding, dilation, 1 x 1 maps and images of one channel), exactly, and nothing written outside the slice.
 */
class Im2colTest {
    static Stream<Arguments> shapes() {
        return Stream.of(
                // c, h, w, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw
                Arguments.of(3, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),     // resnet's 3x3 "same": the copy path
                Arguments.of(2, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                Arguments.of(2, 5, 6, 3, 3, 1, 1, 2, 2, 1, 1, 1, 1),     // ho > h: output rows wholly in the padding
                Arguments.of(2, 6, 5, 3, 3, 1, 1, 0, 0, 0, 2, 1, 1),     // ho < h, asymmetric left/right
                Arguments.of(2, 6, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1),     // 5x5
                Arguments.of(2, 7, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2),     // dilation 2
                Arguments.of(1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),     // a 1 x 1 map: every tap but the centre is padding
                Arguments.of(2, 3, 2, 3, 5, 1, 1, 1, 1, 2, 2, 1, 1),     // kernel wider than the image
                Arguments.of(2, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),     // stride 2, 3x3: the general loop
                Arguments.of(2, 10, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                Arguments.of(3, 12, 11, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1),   // resnet's first layer, odd width
                Arguments.of(2, 13, 13, 5, 5, 3, 3, 2, 2, 2, 2, 1, 1),   // stride 3, 5x5: general
                Arguments.of(2, 11, 12, 5, 5, 2, 2, 2, 2, 2, 2, 2, 2),   // stride 2, 5x5, dilation 2: the phase path
                Arguments.of(2, 9, 9, 3, 5, 1, 2, 1, 1, 0, 3, 1, 1),     // strides 1 x 2, asymmetric padding: the phase path
                Arguments.of(2, 3, 2, 3, 7, 2, 2, 1, 1, 3, 3, 1, 1),     // padding wider than the image: the phase path
                Arguments.of(2, 9, 9, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1),     // 1x1 stride 2: the general loop
                Arguments.of(2, 9, 9, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1));    // narrower output: the general loop
    }

    @ParameterizedTest(name = "c{0} {1}x{2} k{3}x{4} s{5},{6} pad {7},{8},{9},{10} d{11},{12}")
    @MethodSource("shapes")
    void matchesTheDefinition(int c, int h, int w, int kh, int kw, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw) {
        int ho = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1, wo = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
        Conv v = new Conv(2, 1, c, h, w, 4, ho, wo, kh, kw, sh, sw, pt, pl, dh, dw);
        SplittableRandom r = new SplittableRandom(h * 131L + w);
        float[] x = new float[2 * c * h * w];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(1, 2);
        int k = v.k(), hw = ho * wo;
        for (int trial = 0; trial < 40; trial++) {
            int img = r.nextInt(2), r0 = r.nextInt(k), r1 = r0 + 1 + r.nextInt(k - r0), j0 = r.nextInt(hw), j1 = j0 + 1 + r.nextInt(hw - j0);
            int ld = j1 - j0 + r.nextInt(3), co = r.nextInt(4);
            float[] col = new float[co + (r1 - r0) * ld + 2];
            java.util.Arrays.fill(col, -5f);
            ConvKernels.im2col(v, x, img * c * h * w, r0, r1, j0, j1, col, co, ld);
            for (int row = r0; row < r1; row++) {
                int ch = row / (kh * kw), i = row / kw % kh, j = row % kw;
                for (int pos = 0; pos < ld; pos++) {
                    int at = co + (row - r0) * ld + pos, position = j0 + pos;
                    float want = -5f;
                    if (position < j1) {
                        int p = position / wo, q = position % wo, y = p * sh - pt + i * dh, xx = q * sw - pl + j * dw;
                        want = y >= 0 && y < h && xx >= 0 && xx < w ? x[((img * c + ch) * h + y) * w + xx] : 0f;
                    }
                    assertEquals(want, col[at], "trial " + trial + " rows " + r0 + ".." + r1 + " positions " + j0 + ".." + j1 + ": row " + row
                            + " position " + position);
                }
            }
            for (int at = 0; at < co; at++) assertEquals(-5f, col[at], "before the slice");
        }
    }
}
