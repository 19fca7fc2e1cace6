package dev.jasg.models.vision;

import dev.jasg.core.Tensor;
import dev.jasg.nn.AdaptiveAvgPool2d;
import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.MaxPool2d;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;

/**
 * torchvision's {@code ResNet} (He et al. 2015, "ResNet V1.5"), with its structure and parameter
 * names, so that a torchvision {@code state_dict} loads by name:
 * {@code conv1} (7x7, stride 2, padding 3, no bias), {@code bn1}, ReLU, a 3x3 max pool (stride 2,
 * padding 1), {@code layer1..layer4} of {@link BasicBlock}s or {@link Bottleneck}s (named
 * {@code layer1.0.conv1.weight}, {@code layer2.0.downsample.0.weight}, {@code layer2.0.downsample.1.running_mean}
 * ...; stages 2-4 halve the resolution), a global average pool, a flatten and {@code fc}
 * ({@code [num_classes, 512 * expansion]}).
 *
 * <p>Batch norms keep {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}
 * and {@code num_batches_tracked} as torchvision does; build the graph in {@link #eval()} mode
 * for inference (as {@code model.eval()}), e.g. through {@code dev.jasg.models.Inference}. The
 * parameters start with JASG's default initialisers, not torchvision's kaiming-normal ones: the
 * zoo is meant to be loaded with weights.
 *
 * <pre>{@code
 * ResNet net = ResNet.resnet50(10);       // torchvision.models.resnet50(num_classes=10)
 * }</pre>
 */
public final class ResNet extends Layer {
    /** Which residual block a ResNet is made of. */
    public enum Block {
        /** {@link BasicBlock}: two 3x3 convolutions, expansion 1 (resnet18/34). */
        BASIC(BasicBlock.EXPANSION),
        /** {@link Bottleneck}: 1x1, 3x3, 1x1 convolutions, expansion 4 (resnet50 and deeper). */
        BOTTLENECK(Bottleneck.EXPANSION);

        private final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }

        /** Output channels of a block are {@code planes * expansion()}. */
        public int expansion() {
            return expansion;
        }
    }

    private final Block block;
    private final int numClasses;
    private final int groups;
    private final int baseWidth;
    private int inplanes = 64;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final ReLU relu;
    private final MaxPool2d maxpool;
    private final Sequential layer1, layer2, layer3, layer4;
    private final AdaptiveAvgPool2d avgpool;
    private final Linear fc;

    /**
     * A ResNet of {@code block}s with {@code layers[i]} blocks in stage {@code i + 1} (four stages)
     * and a {@code numClasses}-way head: torchvision's {@code ResNet(block, layers, num_classes)}
     * with {@code groups=1, width_per_group=64}.
     */
    public ResNet(Block block, int[] layers, int numClasses) {
        this(block, layers, numClasses, 1, 64);
    }

    /**
     * The general form, with torchvision's {@code groups} and {@code width_per_group} (ResNeXt and
     * wide ResNets set them; they apply to {@link Bottleneck} blocks only, as in torchvision).
     */
    public ResNet(Block block, int[] layers, int numClasses, int groups, int widthPerGroup) {
        if (layers == null || layers.length != 4) {
            throw new IllegalArgumentException("ResNet: layers must give the block count of 4 stages, got "
                    + (layers == null ? "null" : java.util.Arrays.toString(layers)));
        }
        for (int n : layers) if (n <= 0) throw new IllegalArgumentException("ResNet: every stage needs at least one block, got " + java.util.Arrays.toString(layers));
        if (numClasses <= 0) throw new IllegalArgumentException("ResNet: num_classes must be positive, got " + numClasses);
        if (block == Block.BASIC && (groups != 1 || widthPerGroup != 64)) {
            throw new IllegalArgumentException("ResNet: BasicBlock only supports groups=1 and width_per_group=64, got groups=" + groups
                    + ", width_per_group=" + widthPerGroup);
        }
        this.block = block;
        this.numClasses = numClasses;
        this.groups = groups;
        this.baseWidth = widthPerGroup;
        conv1 = register("conv1", new Conv2d(3, 64, 7, ConvOptions.defaults().stride(2).padding(3).bias(false)));
        bn1 = register("bn1", new BatchNorm2d(64));
        relu = register("relu", new ReLU());
        maxpool = register("maxpool", new MaxPool2d(3, 2, 1));
        layer1 = register("layer1", makeLayer(64, layers[0], 1));
        layer2 = register("layer2", makeLayer(128, layers[1], 2));
        layer3 = register("layer3", makeLayer(256, layers[2], 2));
        layer4 = register("layer4", makeLayer(512, layers[3], 2));
        avgpool = register("avgpool", new AdaptiveAvgPool2d(1));
        fc = register("fc", new Linear(512 * block.expansion(), numClasses));
    }

    /** torchvision's {@code resnet18()}: BasicBlock, [2, 2, 2, 2], 1000 classes. */
    public static ResNet resnet18() {
        return resnet18(1000);
    }

    /** torchvision's {@code resnet18(num_classes=numClasses)}. */
    public static ResNet resnet18(int numClasses) {
        return new ResNet(Block.BASIC, new int[] {2, 2, 2, 2}, numClasses);
    }

    /** torchvision's {@code resnet34()}: BasicBlock, [3, 4, 6, 3], 1000 classes. */
    public static ResNet resnet34() {
        return resnet34(1000);
    }

    /** torchvision's {@code resnet34(num_classes=numClasses)}. */
    public static ResNet resnet34(int numClasses) {
        return new ResNet(Block.BASIC, new int[] {3, 4, 6, 3}, numClasses);
    }

    /** torchvision's {@code resnet50()}: Bottleneck, [3, 4, 6, 3], 1000 classes. */
    public static ResNet resnet50() {
        return resnet50(1000);
    }

    /** torchvision's {@code resnet50(num_classes=numClasses)}. */
    public static ResNet resnet50(int numClasses) {
        return new ResNet(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, numClasses);
    }

    // torchvision's ResNet._make_layer: the first block of a stage changes stride or width and
    // gets a downsample (1x1 conv with the stride, then a batch norm) to shape the shortcut.
    private Sequential makeLayer(int planes, int blocks, int stride) {
        int out = planes * block.expansion();
        Sequential downsample = null;
        if (stride != 1 || inplanes != out) {
            downsample = new Sequential(
                    new Conv2d(inplanes, out, 1, ConvOptions.defaults().stride(stride).bias(false)),
                    new BatchNorm2d(out));
        }
        Sequential stage = new Sequential();
        stage.add(newBlock(inplanes, planes, stride, downsample));
        inplanes = out;
        for (int i = 1; i < blocks; i++) stage.add(newBlock(inplanes, planes, 1, null));
        return stage;
    }

    private Layer newBlock(int in, int planes, int stride, Sequential downsample) {
        return switch (block) {
            case BASIC -> new BasicBlock(in, planes, stride, downsample);
            case BOTTLENECK -> new Bottleneck(in, planes, stride, downsample, groups, baseWidth);
        };
    }

    /** The block kind. */
    public Block block() {
        return block;
    }

    /** Number of classes of the head. */
    public int numClasses() {
        return numClasses;
    }

    /** {@code x [N, 3, H, W]} to logits {@code [N, num_classes]}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = maxpool.apply(relu.apply(bn1.apply(conv1.apply(x))));
        y = layer4.apply(layer3.apply(layer2.apply(layer1.apply(y))));
        y = avgpool.apply(y).flatten(1, -1);
        return fc.apply(y);
    }
}
