package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.data.transform.Clip;
import dev.jasg.nn.data.transform.Compose;
import dev.jasg.nn.data.transform.Flatten;
import dev.jasg.nn.data.transform.Log;
import dev.jasg.nn.data.transform.MinMaxScale;
import dev.jasg.nn.data.transform.Normalize;
import dev.jasg.nn.data.transform.OneHot;
import dev.jasg.nn.data.transform.RandomCrop;
import dev.jasg.nn.data.transform.RandomHorizontalFlip;
import dev.jasg.nn.data.transform.RandomNoise;
import dev.jasg.nn.data.transform.StandardScale;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransformsTest {
    @Test
    void deterministicTransforms() {
        HostTensor img = HostTensor.of(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, 2, 2, 2);
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 0, 1, 2, 3},
                new Normalize(new double[] {1, 10}, new double[] {2, 10}).apply(img).floats());
        HostTensor data = HostTensor.of(new float[] {0, 5, 10, 5, 5, 5}, 3, 2);
        MinMaxScale mm = MinMaxScale.fit(data, -1, 1);
        assertArrayEquals(new float[] {0, -1}, mm.apply(HostTensor.of(new float[] {5, 5}, 2)).floats()); // constant feature: range 1
        StandardScale ss = StandardScale.fit(HostTensor.of(new float[] {1, 2, 3, 4}, 4, 1));
        assertEquals(Math.sqrt(1.25), ss.std()[0], 1e-12);
        assertEquals((1 - 2.5) / Math.sqrt(1.25), ss.apply(HostTensor.of(new float[] {1}, 1)).item(), 1e-6);
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 1}, new OneHot(4).apply(HostTensor.ofInts(new int[] {1, 3}, 2)).floats());
        assertEquals(Shape.of(2, 4), new OneHot(4).apply(HostTensor.ofInts(new int[] {1, 3}, 2)).shape());
        assertThrows(IllegalArgumentException.class, () -> new OneHot(2).apply(HostTensor.ofInts(new int[] {2}, 1)));
        assertArrayEquals(new float[] {0, 1, 2}, new Clip(0, 2).apply(HostTensor.of(new float[] {-1, 1, 5}, 3)).floats());
        assertEquals((float) Math.log1p(1e-8), Log.log1p().apply(HostTensor.of(new float[] {1e-8f}, 1)).item(), 1e-15);
        assertEquals(Shape.of(8), new Flatten().apply(img).shape());
        assertEquals(Shape.of(2, 4), new Flatten(1).apply(img).shape());
        assertArrayEquals(new float[] {0, 1, 2}, new Compose(new Clip(-5, 5), new Flatten()).apply(HostTensor.of(new float[] {0, 1, 2}, 1, 3)).floats());
    }

    @Test
    void randomTransformsAreSeededAndDoWhatTheySay() {
        HostTensor img = HostTensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3);
        HostTensor flipped = new RandomHorizontalFlip(1, 0).apply(img);
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, flipped.floats());
        assertArrayEquals(img.floats(), new RandomHorizontalFlip(0, 0).apply(img).floats());

        RandomCrop a = new RandomCrop(3, 3, 1, 11), b = new RandomCrop(3, 3, 1, 11);
        boolean shifted = false;
        for (int i = 0; i < 20; i++) {
            float[] x = a.apply(img).floats();
            assertArrayEquals(x, b.apply(img).floats());
            float sum = 0;
            for (float v : x) sum += v;
            shifted |= sum != 45;
            // Every crop is a window of the zero-padded image: values are 0 or the image's.
            for (float v : x) assertEquals(true, v >= 0 && v <= 9);
        }
        assertEquals(true, shifted);
        assertArrayEquals(img.floats(), new RandomCrop(3, 3, 0, 1).apply(img).floats());

        HostTensor zeros = HostTensor.of(new float[10000], 10000);
        float[] n1 = new RandomNoise(2, 5).apply(zeros).floats();
        assertArrayEquals(n1, new RandomNoise(2, 5).apply(zeros).floats());
        double s = 0, s2 = 0;
        for (float v : n1) {
            s += v;
            s2 += v * v;
        }
        assertEquals(0, s / n1.length, 0.1);
        assertEquals(2, Math.sqrt(s2 / n1.length), 0.1);
    }
}
