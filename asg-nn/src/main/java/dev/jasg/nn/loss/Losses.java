package dev.jasg.nn.loss;

import static dev.jasg.nn.loss.LossChecks.reduce;
import static dev.jasg.nn.loss.LossChecks.requireBroadcastsTo;
import static dev.jasg.nn.loss.LossChecks.requireFloat;
import static dev.jasg.nn.loss.LossChecks.requireShape;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;

import java.util.function.BiFunction;

/**
 * Loss functions with the names, defaults and semantics of PyTorch's functional API
 * ({@code torch.nn.functional}), written as composites of {@link Tensor} ops so that autograd,
 * every backend and symbolic batch sizes work without rules of their own.
 *
 * <p>Every loss takes a {@link Reduction} in an overload and defaults to {@link Reduction#MEAN};
 * with {@link Reduction#NONE} it returns the per-element losses in the shape each method names.
 * Input and target must have the same shape where PyTorch expects it (no silent broadcasting);
 * a mismatch raises {@link ShapeException} naming the loss and both shapes. A target whose dtype
 * differs from a float input's (integer labels, masks, F32 against F64) is converted to the
 * input's dtype. Class indices (cross entropy, NLL, multi-margin) are I32 or I64; when the
 * target is a fed input (or a reshape of one), an index that is neither the ignored one nor in
 * {@code [0, C)} is a {@link dev.jasg.core.FeedException} when the batch is fed, naming the input,
 * the element, the value and the class count, as PyTorch raises; a computed target is not checked.
 */
public final class Losses {
    /** PyTorch's default {@code ignore_index}: targets equal to it are skipped. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /** Softplus switches to the identity above this, where {@code log1p(e^-x)} is below double precision. */
    private static final double SOFTPLUS_LINEAR_ABOVE = 40;

    private Losses() {}

    // ---- regression --------------------------------------------------------------------

    /** Mean squared error with {@link Reduction#MEAN}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /** {@code (x - y)^2} per element, input and target of one shape. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        Tensor y = pairTarget("mse_loss", input, target);
        return reduce("mse_loss", input.sub(y).square(), reduction);
    }

    /** Mean absolute error with {@link Reduction#MEAN}. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    /** {@code |x - y|} per element. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        Tensor y = pairTarget("l1_loss", input, target);
        return reduce("l1_loss", input.sub(y).abs(), reduction);
    }

    /** Smooth L1 with {@code beta = 1} and {@link Reduction#MEAN}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, 1.0, Reduction.MEAN);
    }

    /** Smooth L1 with {@link Reduction#MEAN}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, double beta) {
        return smoothL1Loss(input, target, beta, Reduction.MEAN);
    }

    /**
     * {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| - 0.5 beta}, with
     * {@code d = x - y}; {@code beta = 0} is the L1 loss, as in PyTorch.
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, double beta, Reduction reduction) {
        if (!(beta >= 0)) throw new IllegalArgumentException("smooth_l1_loss: beta must be >= 0, got " + beta);
        Tensor y = pairTarget("smooth_l1_loss", input, target);
        Tensor d = input.sub(y), ad = d.abs();
        Tensor loss = beta == 0 ? ad : ad.lt(beta).where(d.square().mul(0.5 / beta), ad.sub(0.5 * beta));
        return reduce("smooth_l1_loss", loss, reduction);
    }

    /** Huber loss with {@code delta = 1} and {@link Reduction#MEAN}. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return huberLoss(input, target, 1.0, Reduction.MEAN);
    }

    /** Huber loss with {@link Reduction#MEAN}. */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta) {
        return huberLoss(input, target, delta, Reduction.MEAN);
    }

    /** {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)}, with {@code d = x - y}. */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta, Reduction reduction) {
        if (!(delta > 0)) throw new IllegalArgumentException("huber_loss: delta must be > 0, got " + delta);
        Tensor y = pairTarget("huber_loss", input, target);
        Tensor d = input.sub(y), ad = d.abs();
        Tensor loss = ad.lt(delta).where(d.square().mul(0.5), ad.sub(0.5 * delta).mul(delta));
        return reduce("huber_loss", loss, reduction);
    }

    // ---- classification over classes --------------------------------------------------

    /** Cross entropy with no class weight, {@link #DEFAULT_IGNORE_INDEX}, no smoothing, {@link Reduction#MEAN}. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, null, DEFAULT_IGNORE_INDEX, 0, Reduction.MEAN);
    }

    /** Cross entropy with no class weight, {@link #DEFAULT_IGNORE_INDEX} and no smoothing. */
    public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction) {
        return crossEntropy(input, target, null, DEFAULT_IGNORE_INDEX, 0, reduction);
    }

    /**
     * {@code torch.nn.functional.cross_entropy} of unnormalised scores {@code input}, shaped
     * {@code [N, C]}, {@code [N, C, d1, ...]} or {@code [C]}, with {@code logp = log_softmax(input)}
     * over the class axis and {@code e = labelSmoothing}.
     *
     * <p>With class indices ({@code target} I32/I64 of the input's shape without the class axis),
     * each element's loss is {@code (1 - e) w[y] (-logp[y]) + (e / C) sum_c w[c] (-logp[c])}, and 0
     * where {@code y == ignoreIndex}; {@link Reduction#MEAN} divides the sum by
     * {@code sum w[y]} over the targets not ignored (their count without a weight), as PyTorch.
     *
     * <p>With class probabilities ({@code target} float of the input's shape, smoothed to
     * {@code (1 - e) t + e / C}), each element's loss is {@code -sum_c w[c] t[c] logp[c]};
     * {@link Reduction#MEAN} divides by the number of elements ({@code N d1 ...}) and
     * {@code ignoreIndex} does not apply.
     *
     * @param weight per-class weight {@code [C]} in the input's dtype, or null for all ones
     * @return the loss; with {@link Reduction#NONE}, the input's shape without the class axis
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, int ignoreIndex, double labelSmoothing, Reduction reduction) {
        String loss = "cross_entropy";
        requireFloat(loss, "input", input);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException(loss + ": label smoothing must lie in [0, 1], got " + labelSmoothing);
        }
        int axis = ClassIndices.classAxis(loss, input);
        Tensor logp = input.logSoftmax(axis);
        Tensor w = weight == null ? null : ClassIndices.classWeight(loss, input, weight, axis);
        if (target.dtype().isFloat()) {
            requireShape(loss, "class-probability target", target, input.shape(), "input");
            double classes = input.shape().dim(axis);
            Tensor t = target.cast(input.dtype());
            if (labelSmoothing > 0) t = t.mul(1 - labelSmoothing).add(labelSmoothing / classes);
            Tensor terms = logp.mul(t);
            if (w != null) terms = terms.mul(w);
            return reduce(loss, terms.sum(axis).neg(), reduction);
        }
        return classIndexLoss(loss, logp, target, w, ignoreIndex, labelSmoothing, axis, reduction);
    }

    /** Negative log-likelihood with no class weight, {@link #DEFAULT_IGNORE_INDEX} and {@link Reduction#MEAN}. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, null, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /** Negative log-likelihood with no class weight and {@link #DEFAULT_IGNORE_INDEX}. */
    public static Tensor nllLoss(Tensor input, Tensor target, Reduction reduction) {
        return nllLoss(input, target, null, DEFAULT_IGNORE_INDEX, reduction);
    }

    /**
     * {@code torch.nn.functional.nll_loss}: {@code input} holds log-probabilities shaped as in
     * {@link #crossEntropy(Tensor, Tensor, Tensor, int, double, Reduction)}, {@code target} class
     * indices; each element's loss is {@code -w[y] input[y]}, 0 where {@code y == ignoreIndex};
     * {@link Reduction#MEAN} divides by {@code sum w[y]} over the targets not ignored.
     *
     * @param weight per-class weight {@code [C]} in the input's dtype, or null for all ones
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        String loss = "nll_loss";
        requireFloat(loss, "input", input);
        int axis = ClassIndices.classAxis(loss, input);
        Tensor w = weight == null ? null : ClassIndices.classWeight(loss, input, weight, axis);
        return classIndexLoss(loss, input, target, w, ignoreIndex, 0, axis, reduction);
    }

    /** Shared by cross entropy and NLL: {@code logp} log-probabilities, {@code w} a broadcastable class weight or null. */
    private static Tensor classIndexLoss(String loss, Tensor logp, Tensor target, Tensor w, int ignoreIndex, double smoothing, int axis, Reduction reduction) {
        ClassIndices.requireIndices(loss, logp, target, axis, (long) ignoreIndex);
        Tensor oneHot = ClassIndices.oneHot(logp, target, axis);
        double classes = logp.shape().dim(axis);
        // Smoothing moves mass e from the target class to all C classes evenly, so both the NLL
        // term and the uniform term come out of one weighted sum over the class axis.
        Tensor coefficient = smoothing == 0 ? oneHot : oneHot.mul(1 - smoothing).add(smoothing / classes);
        if (w != null) coefficient = coefficient.mul(w);
        Tensor kept = target.ne(ignoreIndex);
        Tensor perElement = kept.where(coefficient.mul(logp).sum(axis).neg(), 0);
        if (reduction != Reduction.MEAN) return reduce(loss, perElement, reduction);
        Tensor counted = w == null ? kept.cast(logp.dtype()) : kept.where(oneHot.mul(w).sum(axis), 0);
        return perElement.sum().div(counted.sum());
    }

    /** Multi-class hinge (multi-margin, {@code p = 1}, margin 1) with {@link Reduction#MEAN}. */
    public static Tensor hinge(Tensor input, Tensor target) {
        return multiMargin(input, target, 1, 1.0, null, Reduction.MEAN);
    }

    /** Multi-class hinge ({@code p = 1}), see {@link #multiMargin}. */
    public static Tensor hinge(Tensor input, Tensor target, double margin, Tensor weight, Reduction reduction) {
        return multiMargin(input, target, 1, margin, weight, reduction);
    }

    /** Multi-class squared hinge (multi-margin, {@code p = 2}, margin 1) with {@link Reduction#MEAN}. */
    public static Tensor squaredHinge(Tensor input, Tensor target) {
        return multiMargin(input, target, 2, 1.0, null, Reduction.MEAN);
    }

    /** Multi-class squared hinge ({@code p = 2}), see {@link #multiMargin}. */
    public static Tensor squaredHinge(Tensor input, Tensor target, double margin, Tensor weight, Reduction reduction) {
        return multiMargin(input, target, 2, margin, weight, reduction);
    }

    /**
     * {@code torch.nn.functional.multi_margin_loss} of scores {@code [N, C]} (or {@code [C]}) and
     * class indices {@code [N]} (or {@code []}): per sample
     * {@code sum_{j != y} w[y] max(0, margin - x[y] + x[j])^p / C}; {@link Reduction#MEAN} is the
     * plain mean over samples.
     *
     * @param p 1 (hinge) or 2 (squared hinge)
     * @param weight per-class weight {@code [C]} in the input's dtype, or null
     */
    public static Tensor multiMargin(Tensor input, Tensor target, int p, double margin, Tensor weight, Reduction reduction) {
        String loss = "multi_margin_loss";
        requireFloat(loss, "input", input);
        if (p != 1 && p != 2) throw new IllegalArgumentException(loss + ": p must be 1 or 2, got " + p);
        if (input.rank() > 2) throw new ShapeException(loss + ": input must be [N, C] or [C], got " + input.shape() + " (node " + input.id() + ")");
        int axis = ClassIndices.classAxis(loss, input);
        ClassIndices.requireIndices(loss, input, target, axis, null);
        Tensor oneHot = ClassIndices.oneHot(input, target, axis);
        Tensor targetScore = oneHot.mul(input).sum(axis, true);
        Tensor violation = input.sub(targetScore).add(margin).relu();
        if (p == 2) violation = violation.square();
        if (weight != null) violation = violation.mul(ClassIndices.classWeight(loss, input, weight, axis).mul(oneHot).sum(axis, true));
        // The target class itself would contribute max(0, margin)^p; PyTorch leaves it out.
        Tensor perSample = oneHot.gt(0).where(violation.scalarLike(0), violation).sum(axis).div(input.shape().dim(axis));
        return reduce(loss, perSample, reduction);
    }

    // ---- binary classification -------------------------------------------------------

    /** Binary cross entropy of probabilities with {@link Reduction#MEAN}. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return binaryCrossEntropy(input, target, null, Reduction.MEAN);
    }

    /** Binary cross entropy of probabilities. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Reduction reduction) {
        return binaryCrossEntropy(input, target, null, reduction);
    }

    /**
     * {@code -w (y max(log x, -100) + (1 - y) max(log(1 - x), -100))} per element, {@code input}
     * probabilities in [0, 1]; the logs are clamped at -100 as PyTorch does, so the loss is
     * finite at 0 and 1. The gradient is PyTorch's, {@code w (x - y) / max(x (1 - x), 1e-12)}: finite
     * also at probabilities exactly 0 or 1, which an f32 sigmoid reaches from logits of about 17, so
     * one saturated element never turns the weight gradients into NaN. Prefer {@link #bceWithLogits}
     * for stability.
     *
     * @param weight rescaling weight broadcastable to the input, or null
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        String loss = "binary_cross_entropy";
        Tensor y = pairTarget(loss, input, target);
        // Where x (1 - x) >= eps the derivative of the clamped formula is PyTorch's gradient; it is taken at x there
        // and at a harmless 0.5 elsewhere (so no 0 * inf is ever formed). At the edges (x = 0 or 1, or NaN) the
        // value is the detached formula and the gradient PyTorch's (x - y) / eps, through x - detach(x).
        Tensor xx = input.mul(input.rsub(1));
        Tensor inside = xx.ge(BCE_EPS);
        Tensor interior = bceValue(inside.where(input, 0.5), y);
        Tensor edgeGradient = input.sub(y).div(xx.clampMin(BCE_EPS)).detach();
        Tensor edge = bceValue(input, y).detach().add(input.sub(input.detach()).mul(edgeGradient));
        Tensor perElement = inside.where(interior, edge);
        return reduce(loss, rescale(loss, perElement, weight), reduction);
    }

    /** PyTorch's lower bound on {@code x (1 - x)} in the gradient of binary cross entropy. */
    private static final double BCE_EPS = 1e-12;

    /** {@code -(y max(log x, -100) + (1 - y) max(log(1 - x), -100))}. */
    private static Tensor bceValue(Tensor x, Tensor y) {
        Tensor logX = x.log().clampMin(-100), log1mX = x.rsub(1).log().clampMin(-100);
        return y.mul(logX).add(y.rsub(1).mul(log1mX)).neg();
    }

    /** Binary cross entropy of logits with {@link Reduction#MEAN}. */
    public static Tensor bceWithLogits(Tensor input, Tensor target) {
        return bceWithLogits(input, target, null, null, Reduction.MEAN);
    }

    /** Binary cross entropy of logits. */
    public static Tensor bceWithLogits(Tensor input, Tensor target, Reduction reduction) {
        return bceWithLogits(input, target, null, null, reduction);
    }

    /**
     * {@code binary_cross_entropy_with_logits}: per element
     * {@code w ((1 - y) x + l softplus(-x))} with {@code l = 1 + (posWeight - 1) y}; without
     * {@code posWeight} this is {@code max(x, 0) - x y + log1p(e^-|x|)}, stable for any logit.
     * The softplus form gives the exact gradient {@code sigmoid(x) - y} also at {@code x = 0}.
     *
     * @param weight rescaling weight broadcastable to the input, or null
     * @param posWeight weight of positive examples broadcastable to the input (per class, along
     *        the last axis), or null
     */
    public static Tensor bceWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        String loss = "binary_cross_entropy_with_logits";
        Tensor y = pairTarget(loss, input, target);
        return reduce(loss, rescale(loss, logitsBce(loss, input, y, posWeight), weight), reduction);
    }

    private static Tensor logitsBce(String loss, Tensor x, Tensor y, Tensor posWeight) {
        Tensor softplusNeg = x.neg().softplus(1, SOFTPLUS_LINEAR_ABOVE);
        if (posWeight != null) {
            requireBroadcastsTo(loss, "pos_weight", posWeight, x.shape());
            softplusNeg = softplusNeg.mul(posWeight.cast(x.dtype()).sub(1).mul(y).add(1));
        }
        return y.rsub(1).mul(x).add(softplusNeg);
    }

    /** Sigmoid focal loss with torchvision's {@code alpha = 0.25}, {@code gamma = 2}, reduced by {@link Reduction#MEAN}. */
    public static Tensor focal(Tensor input, Tensor target) {
        return focal(input, target, 0.25, 2, Reduction.MEAN);
    }

    /**
     * {@code torchvision.ops.sigmoid_focal_loss} of logits {@code input} and binary targets:
     * {@code a_t (1 - p_t)^gamma bce_with_logits(x, y)}, with {@code p = sigmoid(x)},
     * {@code p_t = p y + (1 - p)(1 - y)} and {@code a_t = alpha y + (1 - alpha)(1 - y)}; a
     * negative {@code alpha} turns the class balancing off. Note that torchvision's default
     * reduction is none; here, as for every loss, it is {@link Reduction#MEAN}.
     */
    public static Tensor focal(Tensor input, Tensor target, double alpha, double gamma, Reduction reduction) {
        String loss = "sigmoid_focal_loss";
        if (!(gamma >= 0)) throw new IllegalArgumentException(loss + ": gamma must be >= 0, got " + gamma);
        Tensor y = pairTarget(loss, input, target);
        Tensor p = input.sigmoid();
        Tensor pt = p.mul(y).add(p.rsub(1).mul(y.rsub(1)));
        Tensor perElement = logitsBce(loss, input, y, null);
        if (gamma != 0) perElement = perElement.mul(gamma == 2 ? pt.rsub(1).square() : pt.rsub(1).pow(gamma));
        if (alpha >= 0) perElement = y.mul(alpha).add(y.rsub(1).mul(1 - alpha)).mul(perElement);
        return reduce(loss, perElement, reduction);
    }

    // ---- divergences -------------------------------------------------------------------

    /** KL divergence, log-probability input and probability target, {@link Reduction#MEAN}. */
    public static Tensor klDiv(Tensor input, Tensor target) {
        return klDiv(input, target, false, Reduction.MEAN);
    }

    /** KL divergence, log-probability input and probability target. */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction) {
        return klDiv(input, target, false, reduction);
    }

    /**
     * {@code torch.nn.functional.kl_div}: {@code input} holds log-probabilities; per element
     * {@code t (log t - x)} (0 where {@code t = 0}), or {@code e^t (t - x)} when {@code logTarget}.
     * {@link Reduction#BATCHMEAN} divides the sum by the size of axis 0 and is the true KL
     * divergence per sample; {@link Reduction#MEAN} divides by the element count, as PyTorch.
     */
    public static Tensor klDiv(Tensor input, Tensor target, boolean logTarget, Reduction reduction) {
        String loss = "kl_div";
        Tensor t = pairTarget(loss, input, target);
        Tensor perElement;
        if (logTarget) {
            perElement = t.exp().mul(t.sub(input));
        } else {
            // xlogy(t, t): reading log(1) where t = 0 keeps NaN out of both value and gradient.
            Tensor positive = t.gt(0);
            Tensor tLogT = positive.where(t.mul(positive.where(t, 1).log()), 0);
            perElement = tLogT.sub(t.mul(input));
        }
        if (reduction != Reduction.BATCHMEAN) return reduce(loss, perElement, reduction);
        if (input.rank() == 0) throw new ShapeException(loss + ": BATCHMEAN needs a batch axis, got a scalar input (node " + input.id() + ")");
        return perElement.sum().div(perElement.count(0));
    }

    // ---- margins and embeddings -------------------------------------------------------

    /** Hinge embedding loss with margin 1 and {@link Reduction#MEAN}. */
    public static Tensor hingeEmbedding(Tensor input, Tensor target) {
        return hingeEmbedding(input, target, 1.0, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.hinge_embedding_loss}: per element {@code x} where {@code y = 1},
     * {@code max(0, margin - x)} where {@code y = -1} (targets are 1 or -1, typically distances
     * {@code x}).
     */
    public static Tensor hingeEmbedding(Tensor input, Tensor target, double margin, Reduction reduction) {
        String loss = "hinge_embedding_loss";
        Tensor y = pairTarget(loss, input, target);
        // Two masks as in PyTorch, so a target that is neither 1 nor -1 adds both terms.
        Tensor perElement = y.ne(1).where(input.rsub(margin).relu(), 0).add(y.ne(-1).where(input, 0));
        return reduce(loss, perElement, reduction);
    }

    /** Cosine embedding loss with margin 0 and {@link Reduction#MEAN}. */
    public static Tensor cosineEmbedding(Tensor x1, Tensor x2, Tensor target) {
        return cosineEmbedding(x1, x2, target, 0.0, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.cosine_embedding_loss} of {@code x1}, {@code x2} shaped
     * {@code [N, D]} (or {@code [D]}) and targets {@code [N]} (or {@code []}) of 1 or -1:
     * {@code 1 - cos} where {@code y = 1}, {@code max(0, cos - margin)} where {@code y = -1},
     * with {@code cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))} along the last axis.
     */
    public static Tensor cosineEmbedding(Tensor x1, Tensor x2, Tensor target, double margin, Reduction reduction) {
        String loss = "cosine_embedding_loss";
        requireFloat(loss, "x1", x1);
        requireShape(loss, "x2", x2, x1.shape(), "x1");
        if (x1.rank() != 1 && x1.rank() != 2) throw new ShapeException(loss + ": inputs must be [N, D] or [D], got " + x1.shape() + " (node " + x1.id() + ")");
        requireShape(loss, "target", target, x1.shape().remove(x1.rank() - 1), "x1 without its last axis");
        Tensor y = target.cast(x1.dtype());
        Tensor b = x2.cast(x1.dtype());
        int axis = x1.rank() - 1;
        double eps = 1e-12;
        Tensor dot = x1.mul(b).sum(axis);
        Tensor cos = dot.div(x1.square().sum(axis).add(eps).mul(b.square().sum(axis).add(eps)).sqrt());
        Tensor perElement = y.eq(1).where(cos.rsub(1), 0).add(y.eq(-1).where(cos.sub(margin).relu(), 0));
        return reduce(loss, perElement, reduction);
    }

    /** Triplet margin loss with margin 1, {@code p = 2} and {@link Reduction#MEAN}. */
    public static Tensor tripletMargin(Tensor anchor, Tensor positive, Tensor negative) {
        return tripletMargin(anchor, positive, negative, 1.0, 2, 1e-6, false, Reduction.MEAN);
    }

    /** Triplet margin loss with {@code eps = 1e-6} and no swap. */
    public static Tensor tripletMargin(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, Reduction reduction) {
        return tripletMargin(anchor, positive, negative, margin, p, 1e-6, false, reduction);
    }

    /**
     * {@code torch.nn.functional.triplet_margin_loss}: {@code max(0, margin + d(a, pos) - d(a, neg))}
     * with PyTorch's {@code pairwise_distance} {@code d(u, v) = ||u - v + eps||_p} over the last
     * axis; with {@code swap}, {@code d(a, neg)} is replaced by {@code min(d(a, neg), d(pos, neg))}.
     * Inputs are {@code [N, D]} (or {@code [D]}), all of one shape.
     */
    public static Tensor tripletMargin(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, double eps,
                                       boolean swap, Reduction reduction) {
        String loss = "triplet_margin_loss";
        requireFloat(loss, "anchor", anchor);
        requireShape(loss, "positive", positive, anchor.shape(), "anchor");
        requireShape(loss, "negative", negative, anchor.shape(), "anchor");
        if (anchor.rank() != 1 && anchor.rank() != 2) throw new ShapeException(loss + ": inputs must be [N, D] or [D], got " + anchor.shape() + " (node " + anchor.id() + ")");
        if (!(p > 0) || Double.isInfinite(p)) throw new IllegalArgumentException(loss + ": p must be a positive finite norm degree, got " + p);
        Tensor pos = positive.cast(anchor.dtype()), neg = negative.cast(anchor.dtype());
        Tensor dPos = pairwiseDistance(anchor, pos, p, eps);
        Tensor dNeg = pairwiseDistance(anchor, neg, p, eps);
        if (swap) dNeg = dNeg.minimum(pairwiseDistance(pos, neg, p, eps));
        return reduce(loss, dPos.sub(dNeg).add(margin).relu(), reduction);
    }

    /** {@code ||u - v + eps||_p} over the last axis, as {@code torch.nn.functional.pairwise_distance}. */
    private static Tensor pairwiseDistance(Tensor u, Tensor v, double p, double eps) {
        Tensor d = u.sub(v).add(eps);
        int axis = d.rank() - 1;
        if (p == 1) return d.abs().sum(axis);
        if (p == 2) return d.square().sum(axis).sqrt();
        return d.abs().pow(p).sum(axis).pow(1 / p);
    }

    /** Margin ranking loss with margin 0 and {@link Reduction#MEAN}. */
    public static Tensor marginRanking(Tensor x1, Tensor x2, Tensor target) {
        return marginRanking(x1, x2, target, 0.0, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.margin_ranking_loss}: {@code max(0, -y (x1 - x2) + margin)} per
     * element, {@code y = 1} meaning {@code x1} should rank higher; all three of one shape.
     */
    public static Tensor marginRanking(Tensor x1, Tensor x2, Tensor target, double margin, Reduction reduction) {
        String loss = "margin_ranking_loss";
        requireFloat(loss, "x1", x1);
        requireShape(loss, "x2", x2, x1.shape(), "x1");
        requireShape(loss, "target", target, x1.shape(), "x1");
        Tensor y = target.cast(x1.dtype());
        return reduce(loss, y.neg().mul(x1.sub(x2.cast(x1.dtype()))).add(margin).relu(), reduction);
    }

    // ---- issue 14: more PyTorch losses ---------------------------------------------------

    /** Soft margin loss with {@link Reduction#MEAN}. */
    public static Tensor softMargin(Tensor input, Tensor target) {
        return softMargin(input, target, Reduction.MEAN);
    }

    /** {@code torch.nn.functional.soft_margin_loss}: {@code log(1 + e^(-y x))} per element, targets 1 or -1. */
    public static Tensor softMargin(Tensor input, Tensor target, Reduction reduction) {
        String loss = "soft_margin_loss";
        Tensor y = pairTarget(loss, input, target);
        return reduce(loss, input.mul(y).neg().softplus(1, SOFTPLUS_LINEAR_ABOVE), reduction);
    }

    /** Multi-label margin loss with {@link Reduction#MEAN}. */
    public static Tensor multilabelMargin(Tensor input, Tensor target) {
        return multilabelMargin(input, target, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.multilabel_margin_loss} of scores {@code [N, C]} (or {@code [C]}) and
     * integer targets of the same shape, each row a list of class indices ended by the first -1:
     * per sample {@code sum_j sum_{i not a target} max(0, 1 - (x[y_j] - x[i])) / C} over the
     * targets {@code y_j} before the first -1; {@link Reduction#NONE} gives {@code [N]} (or {@code []}).
     */
    public static Tensor multilabelMargin(Tensor input, Tensor target, Reduction reduction) {
        String loss = "multilabel_margin_loss";
        requireFloat(loss, "input", input);
        if (input.rank() != 1 && input.rank() != 2) throw new ShapeException(loss + ": input must be [N, C] or [C], got " + input.shape() + " (node " + input.id() + ")");
        requireShape(loss, "target", target, input.shape(), "input");
        if (target.dtype().isFloat()) throw new ShapeException(loss + ": target must hold integer class indices, got " + target.dtype().label() + target.shape() + " (node " + target.id() + ")");
        int axis = input.rank() - 1, classes = input.shape().dim(axis);
        // valid[k]: no -1 among target[0..k]
        Tensor[] valid = new Tensor[classes];
        for (int k = 0; k < classes; k++) {
            Tensor v = target.select(axis, k).ne(-1).cast(input.dtype());
            valid[k] = k == 0 ? v : valid[k - 1].mul(v);
        }
        Tensor validK = Tensor.stack(axis, valid);                                    // [N, K]
        double[] ids = new double[classes];
        for (int c = 0; c < classes; c++) ids[c] = c;
        Tensor classIds = target.builder().constant(HostTensor.fromDoubles(target.dtype(), Shape.of(classes), ids));
        Tensor oneHot = target.unsqueeze(axis + 1).eq(classIds).cast(input.dtype()).mul(validK.unsqueeze(axis + 1)); // [N, K, C]
        Tensor isTarget = oneHot.sum(axis).clampMax(1);                               // [N, C]
        Tensor targetScore = oneHot.mul(input.unsqueeze(axis)).sum(axis + 1);         // [N, K]
        Tensor hinge = input.unsqueeze(axis).sub(targetScore.unsqueeze(axis + 1)).add(1).relu()  // [N, K, C]
                .mul(validK.unsqueeze(axis + 1)).mul(isTarget.rsub(1).unsqueeze(axis));
        return reduce(loss, hinge.sum(axis + 1).sum(axis).div(classes), reduction);
    }

    /** Multi-label soft margin loss without class weight, {@link Reduction#MEAN}. */
    public static Tensor multilabelSoftMargin(Tensor input, Tensor target) {
        return multilabelSoftMargin(input, target, null, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.multilabel_soft_margin_loss} of scores {@code [N, C]} and 0/1 targets
     * of the same shape: per sample
     * {@code -sum_c w[c] (y log sigmoid(x) + (1 - y) log sigmoid(-x)) / C}; {@link Reduction#NONE}
     * gives {@code [N]}.
     *
     * @param weight per-class weight {@code [C]}, or null
     */
    public static Tensor multilabelSoftMargin(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        String loss = "multilabel_soft_margin_loss";
        Tensor y = pairTarget(loss, input, target);
        if (input.rank() < 1) throw new ShapeException(loss + ": input needs a class axis, got a scalar (node " + input.id() + ")");
        int axis = input.rank() - 1;
        Tensor perElement = y.mul(input.neg().softplus(1, SOFTPLUS_LINEAR_ABOVE)).add(y.rsub(1).mul(input.softplus(1, SOFTPLUS_LINEAR_ABOVE)));
        perElement = rescale(loss, perElement, weight);
        return reduce(loss, perElement.sum(axis).div(input.shape().dim(axis)), reduction);
    }

    /** Poisson NLL with log-rate input, no Stirling term, {@code eps = 1e-8}, {@link Reduction#MEAN}. */
    public static Tensor poissonNll(Tensor input, Tensor target) {
        return poissonNll(input, target, true, false, 1e-8, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.poisson_nll_loss}: per element {@code e^x - y x} when
     * {@code logInput}, else {@code x - y log(x + eps)}; with {@code full} the Stirling term
     * {@code y log y - y + 0.5 log(2 pi y)} is added where {@code y > 1}.
     */
    public static Tensor poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps, Reduction reduction) {
        String loss = "poisson_nll_loss";
        Tensor y = pairTarget(loss, input, target);
        Tensor perElement = logInput ? input.exp().sub(y.mul(input)) : input.sub(y.mul(input.add(eps).log()));
        if (full) {
            Tensor big = y.gt(1);
            Tensor ys = big.where(y, y.scalarLike(1));
            Tensor stirling = ys.mul(ys.log()).sub(ys).add(ys.mul(2 * Math.PI).log().mul(0.5));
            perElement = perElement.add(big.where(stirling, 0));
        }
        return reduce(loss, perElement, reduction);
    }

    /** Gaussian NLL with {@code full = false}, {@code eps = 1e-6}, {@link Reduction#MEAN}. */
    public static Tensor gaussianNll(Tensor input, Tensor target, Tensor var) {
        return gaussianNll(input, target, var, false, 1e-6, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.gaussian_nll_loss}: per element
     * {@code 0.5 (log v + (x - y)^2 / v)} (plus {@code 0.5 log(2 pi)} when {@code full}) with
     * {@code v = max(var, eps)}, the clamp passing the gradient through unchanged as PyTorch's
     * no-grad clamp does. {@code var} has the input's shape, or the input's shape without the last
     * axis, or that with a last axis of 1 (one variance per sample). PyTorch raises on a negative
     * variance; here that cannot be seen when the graph is built, and such an element is NaN.
     */
    public static Tensor gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps, Reduction reduction) {
        String loss = "gaussian_nll_loss";
        Tensor y = pairTarget(loss, input, target);
        Tensor v = var.cast(input.dtype());
        if (!var.shape().equals(input.shape())) {
            Shape lead = input.rank() == 0 ? null : input.shape().remove(input.rank() - 1);
            if (lead != null && var.shape().equals(lead)) {
                v = v.unsqueeze(var.rank());
            } else if (!(lead != null && var.rank() == input.rank() && var.shape().dim(var.rank() - 1) == 1
                    && var.shape().remove(var.rank() - 1).equals(lead))) {
                throw new ShapeException(loss + ": var has shape " + var.shape() + " but must be the input's " + input.shape()
                        + ", that without its last axis, or that with a last axis of 1 (node " + var.id() + ")");
            }
        }
        Tensor clamped = v.add(v.clampMin(eps).sub(v).detach());
        Tensor perElement = clamped.log().add(input.sub(y).square().div(clamped)).mul(0.5);
        if (full) perElement = perElement.add(0.5 * Math.log(2 * Math.PI));
        return reduce(loss, perElement, reduction);
    }

    /** Triplet margin loss with a distance function: pairwise 2-norm distance, margin 1, no swap, {@link Reduction#MEAN}. */
    public static Tensor tripletMarginWithDistance(Tensor anchor, Tensor positive, Tensor negative) {
        return tripletMarginWithDistance(anchor, positive, negative, null, 1.0, false, Reduction.MEAN);
    }

    /**
     * {@code torch.nn.functional.triplet_margin_with_distance_loss}:
     * {@code max(0, margin + d(a, pos) - d(a, neg))} per sample, with {@code swap} replacing
     * {@code d(a, neg)} by {@code min(d(a, neg), d(pos, neg))}.
     *
     * @param distance the distance of two batches, one value per sample (e.g.
     *     {@code (u, v) -> 1 - cosine similarity}); null for PyTorch's default
     *     {@code pairwise_distance} ({@code ||u - v + 1e-6||_2} over the last axis)
     * @param margin must be > 0, as in PyTorch
     */
    public static Tensor tripletMarginWithDistance(Tensor anchor, Tensor positive, Tensor negative, BiFunction<Tensor, Tensor, Tensor> distance,
                                                   double margin, boolean swap, Reduction reduction) {
        String loss = "triplet_margin_with_distance_loss";
        requireFloat(loss, "anchor", anchor);
        requireShape(loss, "positive", positive, anchor.shape(), "anchor");
        requireShape(loss, "negative", negative, anchor.shape(), "anchor");
        if (!(margin > 0)) throw new IllegalArgumentException(loss + ": margin must be > 0, got " + margin);
        BiFunction<Tensor, Tensor, Tensor> d = distance != null ? distance : (u, v) -> pairwiseDistance(u, v, 2, 1e-6);
        Tensor pos = positive.cast(anchor.dtype()), neg = negative.cast(anchor.dtype());
        Tensor dPos = d.apply(anchor, pos), dNeg = d.apply(anchor, neg);
        if (!dPos.shape().equals(dNeg.shape())) {
            throw new ShapeException(loss + ": the distance function gave " + dPos.shape() + " for (anchor, positive) but " + dNeg.shape() + " for (anchor, negative)");
        }
        if (swap) dNeg = dNeg.minimum(d.apply(pos, neg));
        return reduce(loss, dPos.sub(dNeg).add(margin).relu(), reduction);
    }

    /** CTC loss with blank 0, {@link Reduction#MEAN} and infinite losses kept. */
    public static Tensor ctcLoss(Tensor logProbs, Tensor targets, int[] inputLengths, int[] targetLengths) {
        return ctcLoss(logProbs, targets, inputLengths, targetLengths, 0, Reduction.MEAN, false);
    }

    /** Log-space stand-in for minus infinity in the CTC recursion (finite, so no inf - inf is ever formed). */
    private static final double CTC_NEG = -1e30;

    /**
     * {@code torch.nn.functional.ctc_loss}: {@code logProbs} {@code [T, N, C]} (log-softmax over
     * C), {@code targets} {@code [N, S]} integer labels padded after each sample's
     * {@code targetLengths[n]} (PyTorch's padded form; the concatenated 1-D form is not offered),
     * and per-sample lengths given as host arrays (PyTorch takes tensors; input lengths must be >= 1): the graph unrolls the
     * alpha recursion over the concrete {@code T} in log space, on the extended label sequence
     * {@code blank, l1, blank, l2, ..., blank}; a sample's loss is {@code -log} of the total
     * probability of its alignments. An impossible alignment (target too long for the input)
     * gives {@code +inf}, or 0 with {@code zeroInfinity} (with zero gradient). {@link Reduction#MEAN}
     * divides each loss by its target length (at least 1) and averages over the batch, as PyTorch;
     * {@link Reduction#NONE} gives {@code [N]}.
     */
    public static Tensor ctcLoss(Tensor logProbs, Tensor targets, int[] inputLengths, int[] targetLengths, int blank, Reduction reduction,
                                 boolean zeroInfinity) {
        String loss = "ctc_loss";
        requireFloat(loss, "log_probs", logProbs);
        if (logProbs.rank() != 3) throw new ShapeException(loss + ": log_probs must be [T, N, C], got " + logProbs.shape() + " (node " + logProbs.id() + ")");
        int t = logProbs.shape().dim(0), n = logProbs.shape().dim(1), c = logProbs.shape().dim(2);
        if (targets.rank() != 2 || targets.shape().dim(0) != n || targets.dtype().isFloat()) {
            throw new ShapeException(loss + ": targets must be integer [N, S] with N = " + n + ", got " + targets.dtype().label() + targets.shape() + " (node " + targets.id() + ")");
        }
        int sMax = targets.shape().dim(1);
        if (blank < 0 || blank >= c) throw new IllegalArgumentException(loss + ": blank must be in [0, " + c + "), got " + blank);
        if (inputLengths.length != n || targetLengths.length != n) {
            throw new IllegalArgumentException(loss + ": expected " + n + " input and target lengths, got " + inputLengths.length + " and " + targetLengths.length);
        }
        for (int i = 0; i < n; i++) {
            if (inputLengths[i] < 1 || inputLengths[i] > t) throw new IllegalArgumentException(loss + ": input_lengths[" + i + "] = " + inputLengths[i] + " is not in [1, " + t + "]");
            if (targetLengths[i] < 0 || targetLengths[i] > sMax) throw new IllegalArgumentException(loss + ": target_lengths[" + i + "] = " + targetLengths[i] + " is not in [0, " + sMax + "]");
        }
        DType dt = logProbs.dtype();
        GraphBuilder b = logProbs.builder();
        int len = 2 * sMax + 1;
        // extended labels as one-hot rows [N, L, C]: blank at even positions, target k at 2k + 1
        double[] ids = new double[c];
        for (int k = 0; k < c; k++) ids[k] = k;
        Tensor classIds = b.constant(HostTensor.fromDoubles(targets.dtype(), Shape.of(c), ids));
        Tensor targetHot = targets.unsqueeze(2).eq(classIds).cast(dt);                   // [N, S, C]
        double[] blankRow = new double[n * c];
        for (int i = 0; i < n; i++) blankRow[i * c + blank] = 1;
        Tensor blankHot = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, 1, c), blankRow));
        Tensor[] parts = new Tensor[len];
        for (int s = 0; s < len; s++) parts[s] = s % 2 == 0 ? blankHot : targetHot.slice(1, s / 2, s / 2 + 1);
        Tensor ext = Tensor.concat(1, parts);                                              // [N, L, C]
        Tensor emit = logProbs.unsqueeze(2).mul(ext).sum(3);                               // [T, N, L]
        // skip[n, s]: s odd, s >= 3, label differs from the one two back
        Tensor skip;
        if (sMax > 1) {
            Tensor differs = targets.slice(1, 1, sMax).ne(targets.slice(1, 0, sMax - 1)).cast(dt); // [N, S - 1]
            Tensor zero = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, 1), new double[n]));
            Tensor[] cols = new Tensor[len];
            for (int s = 0; s < len; s++) cols[s] = s % 2 == 1 && s >= 3 ? differs.slice(1, (s - 3) / 2, (s - 1) / 2) : zero;
            skip = Tensor.concat(1, cols).gt(0);
        } else {
            skip = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, len), new double[n * len])).gt(0);
        }
        Tensor neg = emit.scalarLike(CTC_NEG);
        Tensor negCol = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, 1), filled(n, CTC_NEG)));
        Tensor negCols2 = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, 2), filled(2 * n, CTC_NEG)));
        double[] startMask = new double[len];
        startMask[0] = 1;
        if (len > 1) startMask[1] = 1;
        Tensor alpha = b.constant(HostTensor.fromDoubles(dt, Shape.of(len), startMask)).gt(0).where(emit.select(0, 0), neg);
        for (int step = 1; step < t; step++) {
            Tensor prev1 = Tensor.concat(1, negCol, alpha.slice(1, 0, len - 1));
            Tensor prev2 = len > 2 ? Tensor.concat(1, negCols2, alpha.slice(1, 0, len - 2)) : null;
            Tensor m = alpha.maximum(prev1);
            if (prev2 != null) {
                prev2 = skip.where(prev2, neg);
                m = m.maximum(prev2);
            }
            m = m.detach();
            Tensor sumExp = alpha.sub(m).exp().add(prev1.sub(m).exp());
            if (prev2 != null) sumExp = sumExp.add(prev2.sub(m).exp());
            Tensor lse = sumExp.log().add(m);
            Tensor next = lse.add(emit.select(0, step));
            double[] active = new double[n];
            for (int i = 0; i < n; i++) active[i] = step < inputLengths[i] ? 1 : 0;
            alpha = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, 1), active)).gt(0).where(next, alpha);
        }
        // log-likelihood: logsumexp of alpha at the last two extended positions 2 l and 2 l - 1
        double[] endMask = new double[n * len];
        for (int i = 0; i < n; i++) {
            endMask[i * len + 2 * targetLengths[i]] = 1;
            if (targetLengths[i] > 0) endMask[i * len + 2 * targetLengths[i] - 1] = 1;
        }
        Tensor ends = b.constant(HostTensor.fromDoubles(dt, Shape.of(n, len), endMask)).gt(0).where(alpha, neg);
        Tensor em = ends.max(1, true).detach();
        Tensor nll = ends.sub(em).exp().sum(1).log().add(em.squeeze(1)).neg();            // [N]
        // an infeasible sample (target too long for its input) keeps a log-likelihood near CTC_NEG
        Tensor infeasible = nll.gt(-CTC_NEG / 10);
        Tensor perSample = infeasible.where(nll.scalarLike(zeroInfinity ? 0 : Double.POSITIVE_INFINITY), nll);
        return switch (reduction) {
            case NONE -> perSample;
            case SUM -> perSample.sum();
            case MEAN -> {
                double[] tl = new double[n];
                for (int i = 0; i < n; i++) tl[i] = Math.max(1, targetLengths[i]);
                yield perSample.div(b.constant(HostTensor.fromDoubles(dt, Shape.of(n), tl))).mean();
            }
            case BATCHMEAN -> throw new IllegalArgumentException(loss + ": reduction BATCHMEAN is only defined for klDiv; use MEAN, SUM or NONE");
        };
    }

    private static double[] filled(int size, double v) {
        double[] a = new double[size];
        java.util.Arrays.fill(a, v);
        return a;
    }

    // ---- shared ------------------------------------------------------------------------

    /** Checks a float input against a target of the same shape and returns the target in the input's dtype. */
    private static Tensor pairTarget(String loss, Tensor input, Tensor target) {
        requireFloat(loss, "input", input);
        requireShape(loss, "target", target, input.shape(), "input");
        return target.cast(input.dtype());
    }

    /** {@code loss * weight}, the weight broadcast to the loss's shape; unchanged when null. */
    private static Tensor rescale(String loss, Tensor perElement, Tensor weight) {
        if (weight == null) return perElement;
        requireBroadcastsTo(loss, "weight", weight, perElement.shape());
        return perElement.mul(weight.cast(perElement.dtype()));
    }
}
