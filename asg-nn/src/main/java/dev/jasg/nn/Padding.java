package dev.jasg.nn;

import dev.jasg.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Padding of one axis by PyTorch's modes, as slices and a concat (so its gradient comes from
 * theirs): {@code zeros} adds zeros, {@code reflect} mirrors without repeating the edge
 * ({@code [a b c]} padded by 2 on the left is {@code [c b a b c]}), {@code replicate} repeats
 * the edge, {@code circular} wraps around. Package-private: a stop-gap for the convolution
 * layers' {@code padding_mode} until a core {@code Tensor.pad} exists.
 */
final class Padding {
    private Padding() {}

    /** Throws unless {@code mode} is one of PyTorch's padding modes. */
    static void checkMode(String what, String mode) {
        if (!List.of("zeros", "reflect", "replicate", "circular").contains(mode)) {
            throw new IllegalArgumentException(what + ": expected 'zeros', 'reflect', 'replicate' or 'circular', got '" + mode + "'");
        }
    }

    /** {@code x} padded along {@code axis} by {@code before} and {@code after} elements in {@code mode}; {@code who} names the caller in errors. */
    static Tensor pad(Tensor x, int axis, int before, int after, String mode, String who) {
        if (before == 0 && after == 0) return x;
        if (x.shape().isSymbolic(axis)) {
            throw new IllegalArgumentException(who + ": cannot pad the symbolic axis " + axis + " of " + x.shape() + " at node " + x.id());
        }
        int n = x.shape().dim(axis);
        if (before < 0 || after < 0) throw new IllegalArgumentException(who + ": negative padding " + before + "/" + after + " at node " + x.id());
        boolean fits = switch (mode) {
            case "reflect" -> before < n && after < n;
            case "circular" -> before <= n && after <= n;
            case "replicate" -> n > 0;
            default -> true;
        };
        if (!fits) {
            throw new IllegalArgumentException(who + ": " + mode + " padding of " + before + "/" + after + " does not fit axis " + axis + " of size " + n
                    + " of " + x.shape() + " at node " + x.id());
        }
        List<Tensor> parts = new ArrayList<>();
        switch (mode) {
            case "zeros" -> {
                if (before > 0) parts.add(x.scalarLike(0).broadcastTo(x.shape().with(axis, before)));
                parts.add(x);
                if (after > 0) parts.add(x.scalarLike(0).broadcastTo(x.shape().with(axis, after)));
            }
            case "reflect" -> {
                for (int i = before; i >= 1; i--) parts.add(x.slice(axis, i, i + 1));
                parts.add(x);
                for (int i = n - 2; i >= n - 1 - after; i--) parts.add(x.slice(axis, i, i + 1));
            }
            case "replicate" -> {
                if (before > 0) parts.add(x.slice(axis, 0, 1).broadcastTo(x.shape().with(axis, before)));
                parts.add(x);
                if (after > 0) parts.add(x.slice(axis, n - 1, n).broadcastTo(x.shape().with(axis, after)));
            }
            case "circular" -> {
                if (before > 0) parts.add(x.slice(axis, n - before, n));
                parts.add(x);
                if (after > 0) parts.add(x.slice(axis, 0, after));
            }
            default -> throw new IllegalArgumentException(who + ": unknown padding mode '" + mode + "'");
        }
        return Tensor.concat(axis, parts.toArray(Tensor[]::new));
    }
}
