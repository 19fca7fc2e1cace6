package dev.jasg.nn.spec;

import dev.jasg.core.Tensor;
import dev.jasg.nn.loss.Losses;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The losses a spec may name, each a {@link Losses} method with its defaults (mean reduction).
 * A classification loss takes I32 class indices {@code [B]} as target; the others a float target
 * of the model output's shape. Immutable.
 */
public enum LossType {
    /** {@link Losses#crossEntropy(Tensor, Tensor)} on logits. */
    CROSS_ENTROPY(true, "crossEntropy", Losses::crossEntropy),
    /** {@link Losses#nllLoss(Tensor, Tensor)} on log-probabilities. */
    NLL(true, "nllLoss", Losses::nllLoss),
    /** {@link Losses#mseLoss(Tensor, Tensor)}. */
    MSE(false, "mseLoss", Losses::mseLoss),
    /** {@link Losses#l1Loss(Tensor, Tensor)}. */
    L1(false, "l1Loss", Losses::l1Loss),
    /** {@link Losses#smoothL1Loss(Tensor, Tensor)}. */
    SMOOTH_L1(false, "smoothL1Loss", Losses::smoothL1Loss),
    /** {@link Losses#huberLoss(Tensor, Tensor)}. */
    HUBER(false, "huberLoss", Losses::huberLoss),
    /** {@link Losses#bceWithLogits(Tensor, Tensor)}. */
    BCE_WITH_LOGITS(false, "bceWithLogits", Losses::bceWithLogits);

    private final boolean classification;
    private final String method;
    private final BiFunction<Tensor, Tensor, Tensor> fn;

    LossType(boolean classification, String method, BiFunction<Tensor, Tensor, Tensor> fn) {
        this.classification = classification;
        this.method = method;
        this.fn = fn;
    }

    /** The JSON name, lower snake case ({@code "cross_entropy"}). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code json}. */
    public static Optional<LossType> of(String json) {
        return Arrays.stream(values()).filter(t -> t.jsonName().equals(json)).findFirst();
    }

    /** Whether the target is I32 class indices {@code [B]}. */
    public boolean classification() {
        return classification;
    }

    /** The loss function (output, target) to a scalar. */
    public BiFunction<Tensor, Tensor, Tensor> fn() {
        return fn;
    }

    /** The function as a Java method reference ({@code Losses::crossEntropy}). */
    public String javaRef() {
        return "Losses::" + method;
    }
}
