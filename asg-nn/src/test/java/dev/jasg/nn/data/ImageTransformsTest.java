package dev.jasg.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.data.transform.CenterCrop;
import dev.jasg.nn.data.transform.Resize;
import dev.jasg.nn.data.transform.ToTensor;
import dev.jasg.nn.data.transform.Transform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link Resize}, {@link CenterCrop} and {@link ToTensor} against torchvision 0.14 on small images
 * (fixture {@code transform_fixtures.json}, written by {@code make_transform_fixtures.py} next to it).
 */
class ImageTransformsTest {
    private static final JsonNode FIX = load();

    private static JsonNode load() {
        try (InputStream in = ImageTransformsTest.class.getResourceAsStream("transform_fixtures.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    // The generator's formula: image k holds 100 + 90 sin(0.7 i + k), rounded to f32.
    private static HostTensor image(String name) {
        List<String> names = new ArrayList<>();
        FIX.get("images").fieldNames().forEachRemaining(names::add);
        int k = names.indexOf(name);
        int[] dims = ints(FIX.get("images").get(name));
        float[] v = new float[dims[0] * dims[1] * dims[2]];
        for (int i = 0; i < v.length; i++) v[i] = (float) (100 + 90 * Math.sin(0.7 * i + k));
        return HostTensor.of(v, dims);
    }

    static Stream<String> cases() {
        List<String> n = new ArrayList<>();
        for (JsonNode c : FIX.get("cases")) n.add(c.get("name").asText());
        return n.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchvision(String name) {
        JsonNode c = null;
        for (JsonNode x : FIX.get("cases")) if (x.get("name").asText().equals(name)) c = x;
        int[] size = ints(c.get("size"));
        Transform t = switch (c.get("kind").asText()) {
            case "resize" -> size.length == 1 ? new Resize(size[0]) : new Resize(size[0], size[1]);
            case "center_crop" -> size.length == 1 ? new CenterCrop(size[0]) : new CenterCrop(size[0], size[1]);
            default -> throw new IllegalArgumentException(c.get("kind").asText());
        };
        HostTensor got = t.apply(image(c.get("image").asText()));
        assertArrayEquals(ints(c.get("shape")), got.shape().dims(), name + ": shape");
        for (int i = 0; i < got.size(); i++) {
            double want = c.get("data").get(i).asDouble();
            assertEquals(want, got.get(i), 1e-5 * Math.max(1, Math.abs(want)), name + ": element " + i);
        }
    }

    @Test
    void toTensorMatchesTorchvision() {
        JsonNode c = FIX.get("to_tensor");
        int[] dims = ints(c.get("input_shape"));
        float[] v = new float[dims[0] * dims[1] * dims[2]];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37 + 11) % 256;
        HostTensor got = new ToTensor().apply(HostTensor.of(v, dims));
        assertArrayEquals(ints(c.get("shape")), got.shape().dims());
        for (int i = 0; i < got.size(); i++) assertEquals(c.get("data").get(i).asDouble(), got.get(i), 1e-7, "element " + i);
    }

    @Test
    void badInputsNameTheShape() {
        HostTensor four = HostTensor.of(new float[16], 1, 2, 2, 4);
        for (Transform t : List.<Transform>of(new Resize(2), new CenterCrop(2), new ToTensor())) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.apply(four));
            assertTrue(e.getMessage().contains("[1,2,2,4]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Resize(0));
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop(0, 3));
    }
}
