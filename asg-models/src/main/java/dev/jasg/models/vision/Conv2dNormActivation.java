package dev.jasg.models.vision;

import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.ReLU6;
import dev.jasg.nn.Sequential;

/**
 * torchvision's {@code Conv2dNormActivation} as MobileNetV2 uses it: a sequence of a bias-free
 * convolution ({@code 0}, padding {@code (kernel - 1) / 2}), a {@link BatchNorm2d} ({@code 1}) and
 * a {@link ReLU6} ({@code 2}), so the parameters are named {@code 0.weight}, {@code 1.weight},
 * {@code 1.running_mean} ... as in torchvision. {@code groups == in} makes it depthwise.
 */
final class Conv2dNormActivation {
    private Conv2dNormActivation() {}

    /** conv(in, out, kernel, stride, groups) then batch norm then ReLU6. */
    static Sequential relu6(int in, int out, int kernel, int stride, int groups) {
        return new Sequential(
                new Conv2d(in, out, kernel, ConvOptions.defaults().stride(stride).padding((kernel - 1) / 2).groups(groups).bias(false)),
                new BatchNorm2d(out),
                new ReLU6());
    }
}
