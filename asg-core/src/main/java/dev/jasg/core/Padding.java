package dev.jasg.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code torch.nn.functional.pad} as a composite of existing ops ({@link Tensor#pad(int[], String, double)}
 * states the semantics). Each padded axis is handled on its own: the constant mode crops with a slice
 * and joins constant blocks with a concat; the other modes are one {@link Tensor#indexSelect(int, int...)}
 * whose constant indices say which input element each output position reads, so their gradients
 * (a scatter-add) sum every copy of an element back into it.
 */
final class Padding {
    private Padding() {}

    static Tensor pad(Tensor x, int[] pads, String mode, double value) {
        switch (mode) {
            case "constant", "reflect", "replicate", "circular" -> { }
            default -> throw new IllegalArgumentException("pad: mode must be \"constant\", \"reflect\", \"replicate\" or \"circular\", got \""
                    + mode + "\" at node " + x.id());
        }
        if (pads.length % 2 != 0) {
            throw new ShapeException("pad: the pads " + Arrays.toString(pads) + " must come in (left, right) pairs at node " + x.id());
        }
        if (pads.length / 2 > x.rank()) {
            throw new ShapeException("pad: the pads " + Arrays.toString(pads) + " name " + pads.length / 2 + " axes but " + x.shape()
                    + " has " + x.rank() + " at node " + x.id());
        }
        if (!mode.equals("constant") && value != 0) {
            throw new IllegalArgumentException("pad: mode \"" + mode + "\" takes no value, got " + value + " at node " + x.id());
        }
        Tensor y = x;
        for (int k = 0; k < pads.length / 2; k++) {
            int axis = x.rank() - 1 - k, l = pads[2 * k], r = pads[2 * k + 1];
            if (l == 0 && r == 0) continue;
            if (x.shape().isSymbolic(axis)) throw new ShapeException("pad: cannot pad the symbolic axis " + axis + " of " + x.shape() + " at node " + x.id());
            int n = x.shape().dim(axis);
            String where = "(" + l + ", " + r + ") for axis " + axis + " of " + x.shape() + " at node " + x.id();
            if ((long) Math.max(0, -l) + Math.max(0, -r) > n) throw new ShapeException("pad: the negative pads " + where + " crop more than the axis holds");
            y = switch (mode) {
                case "constant" -> constant(y, axis, n, l, r, value);
                case "reflect" -> y.indexSelect(axis, reflect(n, l, r, where));
                case "replicate" -> y.indexSelect(axis, replicate(n, l, r, where));
                default -> y.indexSelect(axis, circular(n, l, r, where));
            };
        }
        return y;
    }

    private static Tensor constant(Tensor y, int axis, int n, int l, int r, double value) {
        Tensor body = y.slice(axis, Math.max(0, -l), n - Math.max(0, -r));
        List<Tensor> parts = new ArrayList<>();
        if (l > 0) parts.add(y.scalarLike(value).broadcastTo(y.shape().with(axis, l)));
        if (body.shape().dim(axis) > 0) parts.add(body);
        if (r > 0) parts.add(y.scalarLike(value).broadcastTo(y.shape().with(axis, r)));
        return parts.isEmpty() ? body : Tensor.concat(axis, parts.toArray(Tensor[]::new));
    }

    /** Output position k reads i = k - l, mirrored at 0 and n - 1 without repeating the edge. */
    private static int[] reflect(int n, int l, int r, String where) {
        if (l >= n || r >= n) throw new ShapeException("pad: reflect pads " + where + " must be less than the axis size " + n);
        int[] idx = new int[n + l + r];
        for (int k = 0; k < idx.length; k++) {
            int i = k - l;
            idx[k] = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        }
        return idx;
    }

    /** Output position k reads i = k - l clamped to the axis. */
    private static int[] replicate(int n, int l, int r, String where) {
        int[] idx = new int[n + l + r];
        if (n == 0 && idx.length > 0) throw new ShapeException("pad: replicate pads " + where + " need a non-empty axis");
        for (int k = 0; k < idx.length; k++) idx[k] = Math.max(0, Math.min(n - 1, k - l));
        return idx;
    }

    /** Negative pads crop first (to m elements); then position k reads the cropped element (k - l) mod m, as PyTorch. */
    private static int[] circular(int n, int l, int r, String where) {
        int cl = Math.max(0, -l), m = n - cl - Math.max(0, -r), lp = Math.max(0, l), rp = Math.max(0, r);
        if (lp > m || rp > m) throw new ShapeException("pad: circular pads " + where + " wrap around more than once the " + m + " elements left after cropping");
        int[] idx = new int[lp + m + rp];
        for (int k = 0; k < idx.length; k++) idx[k] = cl + Math.floorMod(k - lp, m);
        return idx;
    }
}
