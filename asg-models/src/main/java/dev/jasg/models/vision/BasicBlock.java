package dev.jasg.models.vision;

import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;

/**
 * torchvision's {@code BasicBlock} (resnet18/34): two 3x3 convolutions with batch norm and a
 * shortcut, {@code y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, where the
 * shortcut is {@code x} or {@code downsample(x)} (a 1x1 convolution with the block's stride and a
 * batch norm, registered as {@code downsample.0} and {@code downsample.1}). Expansion 1.
 * Parameter names: {@code conv1.weight}, {@code bn1.*}, {@code conv2.weight}, {@code bn2.*},
 * {@code downsample.0.weight}, {@code downsample.1.*}.
 */
public final class BasicBlock extends Layer {
    /** Output channels are {@code planes * EXPANSION}. */
    public static final int EXPANSION = 1;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final ReLU relu;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Sequential downsample;

    /**
     * A block from {@code inplanes} to {@code planes} channels whose first convolution has
     * {@code stride}; {@code downsample} (null for none) maps the input onto the output's shape.
     */
    public BasicBlock(int inplanes, int planes, int stride, Sequential downsample) {
        conv1 = register("conv1", new Conv2d(inplanes, planes, 3, ConvOptions.defaults().stride(stride).padding(1).bias(false)));
        bn1 = register("bn1", new BatchNorm2d(planes));
        relu = register("relu", new ReLU());
        conv2 = register("conv2", new Conv2d(planes, planes, 3, ConvOptions.defaults().padding(1).bias(false)));
        bn2 = register("bn2", new BatchNorm2d(planes));
        this.downsample = downsample == null ? null : register("downsample", downsample);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = relu.apply(bn1.apply(conv1.apply(x)));
        out = bn2.apply(conv2.apply(out));
        Tensor identity = downsample == null ? x : downsample.apply(x);
        return relu.apply(out.add(identity));
    }
}
