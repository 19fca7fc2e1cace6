package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Conv2d} over NCHW inputs: {@code y = conv2d(x, weight) + bias} with weight
 * {@code [out_channels, in_channels/groups, kh, kw]} and bias {@code [out_channels]}, both
 * initialised as PyTorch's ({@code kaiming_uniform(a=sqrt 5)} for the weight, which is
 * {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, the same bound for the bias, with
 * {@code fan_in = in_channels/groups * kh * kw}). Options in {@link ConvOptions}.
 * Output size per axis: {@code floor((n + 2 pad - dilation (k-1) - 1) / stride) + 1}.
 */
public final class Conv2d extends Layer {
    private final int inChannels, outChannels, kh, kw;
    private final ConvOptions options;
    private final ConvGeometry geometry;

    /** A square {@code kernel}, stride 1, no padding, with a bias. */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, ConvOptions.defaults());
    }

    /** A square {@code kernel} with {@code options}. */
    public Conv2d(int inChannels, int outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, options);
    }

    /** A {@code kh x kw} kernel with {@code options}. */
    public Conv2d(int inChannels, int outChannels, int kh, int kw, ConvOptions options) {
        this.geometry = options.checked("Conv2d", inChannels, outChannels, kh, kw, false);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.options = options;
        registerParameter("weight", Initializers.linearDefaultWeight(), outChannels, inChannels / options.groups(), kh, kw);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) inChannels / options.groups() * kh * kw), outChannels);
    }

    /** The convolution's geometry (strides, resolved padding, dilations, groups). */
    public ConvGeometry geometry() {
        return geometry;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput("Conv2d", x, inChannels);
        Tensor y = x.conv2d(parameter(x, "weight"), geometry);
        return options.bias() ? y.add(parameter(x, "bias").reshape(1, outChannels, 1, 1)) : y;
    }

    /** Throws unless {@code x} is NCHW with {@code channels} channels. */
    static void checkInput(String layer, Tensor x, int channels) {
        if (x.rank() != 4) throw new IllegalArgumentException(layer + ": expected an NCHW input of rank 4, got " + x.shape() + " at node " + x.id());
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != channels) {
            throw new IllegalArgumentException(layer + ": expected " + channels + " input channels, got " + x.shape() + " at node " + x.id());
        }
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kh + ", " + kw + "), " + options;
    }
}
