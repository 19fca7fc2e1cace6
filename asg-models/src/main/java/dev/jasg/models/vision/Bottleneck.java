package dev.jasg.models.vision;

import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;

/**
 * torchvision's {@code Bottleneck} (resnet50 and deeper, "ResNet V1.5": the stride sits on the
 * 3x3 convolution): {@code y = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))}
 * with conv1 1x1 to {@code width = planes * baseWidth / 64 * groups} channels, conv2 3x3 with
 * the stride and {@code groups}, conv3 1x1 to {@code planes * 4}. The shortcut is {@code x} or
 * {@code downsample(x)} ({@code downsample.0} a 1x1 convolution, {@code downsample.1} a batch norm).
 */
public final class Bottleneck extends Layer {
    /** Output channels are {@code planes * EXPANSION}. */
    public static final int EXPANSION = 4;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final ReLU relu;
    private final Sequential downsample;

    /** A block as torchvision's {@code Bottleneck(inplanes, planes, stride, downsample, groups, base_width)}. */
    public Bottleneck(int inplanes, int planes, int stride, Sequential downsample, int groups, int baseWidth) {
        int width = (int) (planes * (baseWidth / 64.0)) * groups;
        conv1 = register("conv1", new Conv2d(inplanes, width, 1, ConvOptions.defaults().bias(false)));
        bn1 = register("bn1", new BatchNorm2d(width));
        conv2 = register("conv2", new Conv2d(width, width, 3, ConvOptions.defaults().stride(stride).padding(1).groups(groups).bias(false)));
        bn2 = register("bn2", new BatchNorm2d(width));
        conv3 = register("conv3", new Conv2d(width, planes * EXPANSION, 1, ConvOptions.defaults().bias(false)));
        bn3 = register("bn3", new BatchNorm2d(planes * EXPANSION));
        relu = register("relu", new ReLU());
        this.downsample = downsample == null ? null : register("downsample", downsample);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = relu.apply(bn1.apply(conv1.apply(x)));
        out = relu.apply(bn2.apply(conv2.apply(out)));
        out = bn3.apply(conv3.apply(out));
        Tensor identity = downsample == null ? x : downsample.apply(x);
        return relu.apply(out.add(identity));
    }
}
