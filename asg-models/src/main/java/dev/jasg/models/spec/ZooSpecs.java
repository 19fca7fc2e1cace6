package dev.jasg.models.spec;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.models.vision.MobileNetV2;
import dev.jasg.models.vision.ResNet;
import dev.jasg.nn.IncompatibleKeys;
import dev.jasg.nn.spec.GraphModel;
import dev.jasg.nn.spec.ModelSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zoo architectures as {@link ModelSpec}s, for the viewer's builder templates and for code: the
 * same layers as {@link ResNet#resnet18(int)} and {@link MobileNetV2#mobilenetV2(int, double)},
 * with the same parameter counts, laid out on the canvas in one column per stage.
 *
 * <p>A node id is the zoo model's dotted module path with '_' for '.' ({@code layer2_0_downsample_0},
 * {@code features_3_conv_1_0}), since spec ids cannot hold dots; so a torchvision / zoo
 * {@code state_dict} maps onto a spec-built model name by name ({@link #toSpecNames},
 * {@link #loadZooWeights}) and the spec model's forward equals the zoo model's with the same
 * weights. Nodes the zoo model has no module for (the residual {@code Add}s, the ReLUs it reuses)
 * get ids ending in {@code _add}, {@code _relu1}, {@code _relu2}.
 *
 * <p>GPT-2 and the Vision Transformer are not here: the spec registry has no node for a learned
 * class token (ViT prepends a parameter to the patch sequence) nor for taking one position of a
 * sequence (ViT's head reads token 0), and no causal self-attention block with GPT-2's fused
 * {@code c_attn} / {@code c_proj} weights, nor a token embedding from I64 ids with a tied output head.
 *
 * <p>Stateless; every call makes a new spec, so it may be called from any thread.
 */
public final class ZooSpecs {
    private ZooSpecs() {}

    /** The template names: {@code "ResNet-18"} (torchvision's, 10 classes, 32x32 RGB), {@code "MobileNetV2"} (width 1.0, 10 classes, 32x32 RGB). */
    public static List<String> names() {
        return List.of("ResNet-18", "MobileNetV2");
    }

    /** The spec named {@code name} (one of {@link #names()}), 10 classes on {@code [B, 3, 32, 32]}; an unknown name is an {@link IllegalArgumentException}. */
    public static ModelSpec load(String name) {
        return switch (name) {
            case "ResNet-18" -> resnet18(10, 32);
            case "MobileNetV2" -> mobilenetV2(10, 1.0, 32);
            default -> throw new IllegalArgumentException("no zoo template named '" + name + "'; zoo templates: " + names());
        };
    }

    /** {@link ResNet#resnet18(int)} as a spec on {@code [B, 3, size, size]}. */
    public static ModelSpec resnet18(int numClasses, int size) {
        Spec s = new Spec("ResNet-18", size);
        s.column = 0;
        String x = s.node("conv1", "Conv2d", conv(3, 64, 7, 2, 3, 1), "x");
        x = s.node("bn1", "BatchNorm2d", Map.of("num_features", 64), x);
        x = s.node("relu", "ReLU", Map.of(), x);
        x = s.node("maxpool", "MaxPool2d", Map.of("kernel_size", 3, "stride", 2, "padding", 1), x);
        int in = 64;
        int[] planes = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            for (int b = 0; b < 2; b++) {
                s.column = stage + 1;
                s.row = b * 9;
                int stride = stage > 0 && b == 0 ? 2 : 1;
                int p = planes[stage];
                String id = "layer" + (stage + 1) + "_" + b + "_";
                String blockIn = x;
                String y = s.node(id + "conv1", "Conv2d", conv(in, p, 3, stride, 1, 1), blockIn);
                y = s.node(id + "bn1", "BatchNorm2d", Map.of("num_features", p), y);
                y = s.node(id + "relu1", "ReLU", Map.of(), y);
                y = s.node(id + "conv2", "Conv2d", conv(p, p, 3, 1, 1, 1), y);
                y = s.node(id + "bn2", "BatchNorm2d", Map.of("num_features", p), y);
                String shortcut = blockIn;
                if (stride != 1 || in != p) {
                    int row = s.row;
                    s.row = b * 9 + 1;
                    s.offset = 1;
                    shortcut = s.node(id + "downsample_0", "Conv2d", conv(in, p, 1, stride, 0, 1), blockIn);
                    shortcut = s.node(id + "downsample_1", "BatchNorm2d", Map.of("num_features", p), shortcut);
                    s.offset = 0;
                    s.row = row;
                }
                y = s.node(id + "add", "Add", Map.of(), y, shortcut);
                x = s.node(id + "relu2", "ReLU", Map.of(), y);
                in = p;
            }
        }
        s.column = 5;
        s.row = 0;
        x = s.node("avgpool", "AdaptiveAvgPool2d", Map.of("output_size", 1), x);
        x = s.node("flatten", "Flatten", Map.of(), x);
        x = s.node("fc", "Linear", Map.of("in_features", 512, "out_features", numClasses), x);
        return s.build(x);
    }

    /** {@link MobileNetV2#mobilenetV2(int, double)} (round_nearest 8, dropout 0.2) as a spec on {@code [B, 3, size, size]}. */
    public static ModelSpec mobilenetV2(int numClasses, double widthMult, int size) {
        Spec s = new Spec("MobileNetV2", size);
        int input = MobileNetV2.makeDivisible(32 * widthMult, 8);
        int last = MobileNetV2.makeDivisible(1280 * Math.max(1.0, widthMult), 8);
        String x = convBnRelu6(s, "features_0_", 3, input, 3, 2, 1, "x");
        int[][] setting = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
        int feature = 1;
        for (int r = 0; r < setting.length; r++) {
            int t = setting[r][0], out = MobileNetV2.makeDivisible(setting[r][1] * widthMult, 8), n = setting[r][2];
            for (int i = 0; i < n; i++) {
                int stride = i == 0 ? setting[r][3] : 1;
                s.column = r + 1;
                s.row = i * 10;
                String id = "features_" + feature + "_conv_";
                int hidden = (int) Math.round((double) input * t);
                String blockIn = x;
                String y = blockIn;
                int k = 0;
                if (t != 1) y = convBnRelu6(s, id + (k++) + "_", input, hidden, 1, 1, 1, y);
                y = convBnRelu6(s, id + (k++) + "_", hidden, hidden, 3, stride, hidden, y);
                y = s.node(id + k++, "Conv2d", conv(hidden, out, 1, 1, 0, 1), y);
                y = s.node(id + k, "BatchNorm2d", Map.of("num_features", out), y);
                if (stride == 1 && input == out) y = s.node("features_" + feature + "_add", "Add", Map.of(), blockIn, y);
                x = y;
                input = out;
                feature++;
            }
        }
        s.column = setting.length + 1;
        s.row = 0;
        x = convBnRelu6(s, "features_" + feature + "_", input, last, 1, 1, 1, x);
        x = s.node("avgpool", "AdaptiveAvgPool2d", Map.of("output_size", 1), x);
        x = s.node("flatten", "Flatten", Map.of(), x);
        x = s.node("classifier_0", "Dropout", Map.of("p", 0.2), x);
        x = s.node("classifier_1", "Linear", Map.of("in_features", last, "out_features", numClasses), x);
        return s.build(x);
    }

    // torchvision's Conv2dNormActivation(ReLU6): nodes <prefix>0 (conv), <prefix>1 (batch norm), <prefix>2 (ReLU6)
    private static String convBnRelu6(Spec s, String prefix, int in, int out, int kernel, int stride, int groups, String from) {
        String y = s.node(prefix + "0", "Conv2d", conv(in, out, kernel, stride, (kernel - 1) / 2, groups), from);
        y = s.node(prefix + "1", "BatchNorm2d", Map.of("num_features", out), y);
        return s.node(prefix + "2", "ReLU6", Map.of(), y);
    }

    private static Map<String, Object> conv(int in, int out, int kernel, int stride, int padding, int groups) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("in_channels", in);
        p.put("out_channels", out);
        p.put("kernel_size", kernel);
        if (stride != 1) p.put("stride", stride);
        if (padding != 0) p.put("padding", padding);
        if (groups != 1) p.put("groups", groups);
        p.put("bias", false);
        return p;
    }

    /**
     * A zoo (torchvision) state dict renamed for a spec-built model: the module path's dots become
     * '_' ({@code layer1.0.bn1.running_mean} to {@code layer1_0_bn1.running_mean}).
     */
    public static Map<String, HostTensor> toSpecNames(Map<String, HostTensor> zoo) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : zoo.entrySet()) {
            String k = e.getKey();
            int dot = k.lastIndexOf('.');
            if (dot < 0) throw new IllegalArgumentException("toSpecNames: '" + k + "' is not a module path and a parameter name");
            out.put(k.substring(0, dot).replace('.', '_') + k.substring(dot), e.getValue());
        }
        return out;
    }

    /**
     * Loads a zoo (torchvision) state dict into a model built from one of these specs
     * ({@link GraphModel}), strictly, names mapped by {@link #toSpecNames}: pretrained weights for
     * a spec-built ResNet-18 or MobileNetV2. Build graphs of the model after loading (the values
     * become the parameters' initial values).
     */
    public static IncompatibleKeys loadZooWeights(GraphModel model, Map<String, HostTensor> zoo) {
        return model.loadStateDict(toSpecNames(zoo), true);
    }

    // Builds the node list, the edges and a grid layout: a column per stage, a row per node.
    private static final class Spec {
        final String name;
        final int size;
        final List<ModelSpec.Node> nodes = new ArrayList<>();
        final List<ModelSpec.Edge> edges = new ArrayList<>();
        final Map<String, ModelSpec.Position> layout = new LinkedHashMap<>();
        int column, row, offset;

        Spec(String name, int size) {
            this.name = name;
            this.size = size;
            layout.put("x", new ModelSpec.Position(40, 20));
            row = 1;
        }

        String node(String id, String type, Map<String, Object> params, String... from) {
            nodes.add(new ModelSpec.Node(id, type, params));
            for (int p = 0; p < from.length; p++) edges.add(new ModelSpec.Edge(from[p], id, p));
            layout.put(id, new ModelSpec.Position(40 + 360 * column + 170 * offset, 20 + 80 * row));
            row++;
            return id;
        }

        ModelSpec build(String output) {
            ModelSpec.Input in = new ModelSpec.Input("x", DType.F32, List.of("B", 3, size, size));
            ModelSpec.Training t = ModelSpec.Training.defaults();
            t = new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), 16, t.epochs(), t.maxSteps(), t.seed(), t.backend(),
                    new ModelSpec.Component("synthetic", Map.of("size", 128)));
            return new ModelSpec(ModelSpec.FORMAT_VERSION, name, List.of(in), nodes, edges, output, t, layout);
        }
    }
}
