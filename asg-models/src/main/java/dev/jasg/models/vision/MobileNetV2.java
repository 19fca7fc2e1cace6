package dev.jasg.models.vision;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;

/**
 * torchvision's {@code MobileNetV2} (Sandler et al. 2018) with its structure and parameter
 * names: {@code features} is a {@link Sequential} of a 3x3 stride-2 convolution block
 * ({@code features.0.0.weight}, {@code features.0.1.*}), the {@link InvertedResidual} blocks
 * ({@code features.1.conv...} to {@code features.17.conv...}) of the table
 * {@code t, c, n, s = [1,16,1,1] [6,24,2,2] [6,32,3,2] [6,64,4,2] [6,96,3,1] [6,160,3,2] [6,320,1,1]}
 * and a 1x1 convolution block to {@code last_channel} ({@code features.18}); then a global
 * average pool, a flatten and {@code classifier} = dropout ({@code classifier.0}, p 0.2) and a
 * linear layer ({@code classifier.1}).
 *
 * <p>Channels are scaled by {@code width_mult} and rounded with torchvision's
 * {@link #makeDivisible} to multiples of {@code round_nearest} (8): {@code c' = makeDivisible(c * width_mult)},
 * {@code last_channel = makeDivisible(1280 * max(1, width_mult))}. Depthwise convolutions are
 * {@code Conv2d} with {@code groups = channels}. Build in eval mode for inference (as
 * {@code model.eval()}); the initial values are JASG's defaults, not torchvision's.
 */
public final class MobileNetV2 extends Layer {
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };

    private final int numClasses;
    private final double widthMult;
    private final int lastChannel;
    private final Sequential features;
    private final Sequential classifier;

    /**
     * torchvision's {@code MobileNetV2(num_classes, width_mult, round_nearest=roundNearest,
     * dropout=dropout)} with the default inverted-residual table.
     */
    public MobileNetV2(int numClasses, double widthMult, int roundNearest, double dropout) {
        if (numClasses <= 0) throw new IllegalArgumentException("MobileNetV2: num_classes must be positive, got " + numClasses);
        if (!(widthMult > 0)) throw new IllegalArgumentException("MobileNetV2: width_mult must be positive, got " + widthMult);
        if (roundNearest <= 0) throw new IllegalArgumentException("MobileNetV2: round_nearest must be positive, got " + roundNearest);
        this.numClasses = numClasses;
        this.widthMult = widthMult;
        int inputChannel = makeDivisible(32 * widthMult, roundNearest);
        lastChannel = makeDivisible(1280 * Math.max(1.0, widthMult), roundNearest);
        Sequential f = new Sequential();
        f.add(Conv2dNormActivation.relu6(3, inputChannel, 3, 2, 1));
        for (int[] row : SETTING) {
            int t = row[0], c = row[1], n = row[2], s = row[3];
            int outputChannel = makeDivisible(c * widthMult, roundNearest);
            for (int i = 0; i < n; i++) {
                f.add(new InvertedResidual(inputChannel, outputChannel, i == 0 ? s : 1, t));
                inputChannel = outputChannel;
            }
        }
        f.add(Conv2dNormActivation.relu6(inputChannel, lastChannel, 1, 1, 1));
        features = register("features", f);
        classifier = register("classifier", new Sequential(new Dropout(dropout), new Linear(lastChannel, numClasses)));
    }

    /** torchvision's {@code mobilenet_v2()}: 1000 classes, width 1.0. */
    public static MobileNetV2 mobilenetV2() {
        return mobilenetV2(1000, 1.0);
    }

    /** torchvision's {@code mobilenet_v2(num_classes=numClasses, width_mult=widthMult)} (round_nearest 8, dropout 0.2). */
    public static MobileNetV2 mobilenetV2(int numClasses, double widthMult) {
        return new MobileNetV2(numClasses, widthMult, 8, 0.2);
    }

    /**
     * torchvision's {@code _make_divisible(v, divisor)}: {@code v} rounded to the nearest multiple
     * of {@code divisor} (halves up), at least {@code divisor}, and bumped by one {@code divisor}
     * when rounding lost more than 10%: {@code max(d, floor(v + d/2) // d * d)}, {@code + d if < 0.9 v}.
     */
    public static int makeDivisible(double v, int divisor) {
        int newV = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) newV += divisor;
        return newV;
    }

    /** Number of classes of the head. */
    public int numClasses() {
        return numClasses;
    }

    /** The width multiplier. */
    public double widthMult() {
        return widthMult;
    }

    /** Channels entering the classifier ({@code last_channel}). */
    public int lastChannel() {
        return lastChannel;
    }

    /** {@code x [N, 3, H, W]} to logits {@code [N, num_classes]}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = features.apply(x);
        // adaptive_avg_pool2d(x, (1, 1)) then flatten(1): the mean over H and W.
        y = y.mean(new int[] {2, 3}, false);
        return classifier.apply(y);
    }
}
