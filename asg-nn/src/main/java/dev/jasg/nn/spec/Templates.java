package dev.jasg.nn.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in model specs, loadable by name: starting points for the viewer's canvas and for
 * code. Each trains out of the box on synthetic data (switch {@code training.dataset} to
 * {@code fashion_mnist} for the 28x28 ones).
 *
 * <ul>
 *   <li>{@code "MLP"}: Flatten, Linear 784-128, ReLU, Linear 128-10 on {@code [B, 1, 28, 28]};
 *   <li>{@code "LeNet-5"}: LeCun's LeNet-5 (ReLU, max pooling; the first convolution pads by 2) on {@code [B, 1, 28, 28]};
 *   <li>{@code "ResNet basic block"}: two 3x3 convolutions with batch norm and an identity shortcut (Add) on
 *       {@code [B, 16, 8, 8]}, then global average pooling and Linear 16-10;
 *   <li>{@code "Transformer encoder block"}: one encoder block (d_model 16, 4 heads) on {@code [B, 8, 16]}, mean over the
 *       sequence, Linear 16-4.
 * </ul>
 *
 * <p>Stateless; every call parses a new spec, so it may be called from any thread.
 */
public final class Templates {
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("MLP", "mlp.json");
        FILES.put("LeNet-5", "lenet5.json");
        FILES.put("ResNet basic block", "resnet-basic-block.json");
        FILES.put("Transformer encoder block", "transformer-encoder-block.json");
    }

    private Templates() {}

    /** The template names, in palette order. */
    public static List<String> names() {
        return List.copyOf(FILES.keySet());
    }

    /** The template {@code name} ("LeNet block" is accepted for "LeNet-5"); an unknown name is an {@link IllegalArgumentException} listing the names. */
    public static ModelSpec load(String name) {
        String file = FILES.get("LeNet block".equals(name) ? "LeNet-5" : name);
        if (file == null) throw new IllegalArgumentException("no template named '" + name + "'; templates: " + names());
        String resource = "/dev/jasg/nn/spec/templates/" + file;
        try (InputStream in = Templates.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("template resource " + resource + " is missing from the jar");
            return SpecJson.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
