package dev.jasg.nn;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Conv3d} over NCDHW inputs: {@code y = conv3d(x, weight) + bias} with weight
 * {@code [out_channels, in_channels/groups, kd, kh, kw]} and bias {@code [out_channels]},
 * initialised as PyTorch's ({@code fan_in = in_channels/groups * kd * kh * kw}). Options in
 * {@link ConvOptions} (the three-size forms {@code stride(d, h, w)}, {@code padding(d, h, w)},
 * {@code dilation(d, h, w)}; the one-size forms set all three axes). Output size per axis:
 * {@code floor((n + 2 pad - dilation (k-1) - 1) / stride) + 1}.
 *
 * <p>A composite, no primitive of its own: for each kernel depth tap {@code t} the input depth
 * slices {@code d = o stride_d + t dilation_d} ({@code o} over the output depth) are folded into
 * the channels and convolved in 2-d with {@code weight[:, :, t]} repeated per slice (groups
 * {@code groups * D_out}, so each slice sees only its own channels); the {@code kd} results are summed:
 * {@code y[:, :, o] = sum_t conv2d(x_pad[:, :, o s_d + t dil_d], weight[:, :, t])}. So its gradient
 * comes from {@link dev.jasg.core.Op.Conv2d}'s rules, at the cost of {@code kd} 2-d convolutions.
 */
public final class Conv3d extends Layer {
    private final int inChannels, outChannels, kd, kh, kw;
    private final ConvOptions options;
    private final ConvGeometry plane;
    private final int strideD, dilationD, padFront, padBack;

    /** A cubic {@code kernel}, stride 1, no padding, with a bias. */
    public Conv3d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, kernel, kernel, ConvOptions.defaults());
    }

    /** A cubic {@code kernel} with {@code options}. */
    public Conv3d(int inChannels, int outChannels, int kernel, ConvOptions options) {
        this(inChannels, outChannels, kernel, kernel, kernel, options);
    }

    /** A {@code kd x kh x kw} kernel with {@code options}. */
    public Conv3d(int inChannels, int outChannels, int kd, int kh, int kw, ConvOptions options) {
        if (kd <= 0) throw new IllegalArgumentException("Conv3d: kernel depth must be positive, got " + kd);
        if (options.strideD() < 1 || options.dilationD() < 1 || options.padD() < 0) {
            throw new IllegalArgumentException("Conv3d: depth stride and dilation must be positive and padding non-negative, got stride="
                    + options.strideD() + " dilation=" + options.dilationD() + " padding=" + options.padD());
        }
        this.plane = options.checked("Conv3d", inChannels, outChannels, kh, kw, false);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kd = kd;
        this.kh = kh;
        this.kw = kw;
        this.options = options;
        this.strideD = options.strideD();
        this.dilationD = options.dilationD();
        if ("same".equals(options.paddingString())) {
            int td = dilationD * (kd - 1);
            if (strideD != 1) throw new IllegalArgumentException("Conv3d: padding='same' is not supported for strided convolutions, got " + options);
            padFront = td / 2;
            padBack = td - td / 2;
        } else {
            padFront = padBack = options.padD();
        }
        registerParameter("weight", Initializers.linearDefaultWeight(), outChannels, inChannels / options.groups(), kd, kh, kw);
        if (options.bias()) registerParameter("bias", Initializers.linearDefaultBias((long) inChannels / options.groups() * kd * kh * kw), outChannels);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 5) throw new IllegalArgumentException("Conv3d: expected an NCDHW input of rank 5, got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < 5; i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException("Conv3d: axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        if (x.shape().dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv3d: expected " + inChannels + " input channels, got " + x.shape() + " at node " + x.id());
        }
        String mode = options.paddingModeName();
        Tensor xp = x.pad(new int[] {0, 0, 0, 0, padFront, padBack}, Conv2d.torchPadMode(mode));
        xp = Conv2d.padded(xp, plane, mode, "Conv3d");
        ConvGeometry g = Conv2d.unpadded(plane, mode);
        int c = inChannels, dp = xp.shape().dim(2), h = xp.shape().dim(3), w = xp.shape().dim(4);
        int depthOut = Math.floorDiv(dp - dilationD * (kd - 1) - 1, strideD) + 1;
        int ho = g.outH(h, kh), wo = g.outW(w, kw);
        if (depthOut < 1 || ho < 1 || wo < 1) {
            throw new IllegalArgumentException("Conv3d: kernel " + kd + "x" + kh + "x" + kw + " does not fit the padded input " + xp.shape() + " at node " + x.id());
        }
        Tensor weight = parameter(x, "weight");
        Object n = x.shape().parts().get(0);
        int cg = inChannels / plane.groups();
        // the D_out slices side by side in the channels: group (slice, g) reads only its own channels
        ConvGeometry sliced = new ConvGeometry(g.strideH(), g.strideW(), g.padTop(), g.padBottom(), g.padLeft(), g.padRight(), g.dilationH(), g.dilationW(), g.groups() * depthOut);
        Tensor sum = null;
        for (int t = 0; t < kd; t++) {
            int first = t * dilationD;
            Tensor slab = xp.slice(2, first, first + (depthOut - 1) * strideD + 1, strideD)     // [N, C, Do, H, W]
                    .permute(0, 2, 1, 3, 4).reshape(Shape.symbolic(n, depthOut * c, h, w));      // [N, Do C, H, W]
            Tensor wt = weight.select(2, t).unsqueeze(0).broadcastTo(Shape.of(depthOut, outChannels, cg, kh, kw))
                    .reshape(depthOut * outChannels, cg, kh, kw);                                   // [Do O, C/g, kh, kw]
            Tensor y = slab.conv2d(wt, sliced);                                                   // [N, Do O, Ho, Wo]
            sum = sum == null ? y : sum.add(y);
        }
        Tensor y = sum.reshape(Shape.symbolic(n, depthOut, outChannels, ho, wo)).permute(0, 2, 1, 3, 4);
        return options.bias() ? y.add(parameter(x, "bias").reshape(1, outChannels, 1, 1, 1)) : y;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kd + ", " + kh + ", " + kw + "), stride=(" + strideD + ", " + plane.strideH() + ", "
                + plane.strideW() + "), padding=(" + padFront + ", " + plane.padTop() + ", " + plane.padLeft() + "), dilation=(" + dilationD + ", "
                + plane.dilationH() + ", " + plane.dilationW() + "), groups=" + plane.groups() + ", bias=" + Repr.of(options.bias());
    }
}
