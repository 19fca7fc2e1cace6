package dev.jasg.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code torch.einsum} lowered to existing ops ({@link Tensor#einsum} states what is supported).
 *
 * <p>Each operand first loses its repeated subscripts (a diagonal: the two axes are multiplied by
 * a constant identity mask through {@code where} and one of them is summed) and the subscripts no
 * other operand and not the output names (summed). The operands are then contracted left to right:
 * for {@code A} and {@code B}, subscripts in both that are still needed are batch axes {@code b},
 * those in both that are not are contracted ({@code k}), the rest are {@code l} (A only) and
 * {@code r} (B only); {@code A} is permuted and reshaped to {@code [b..., L, K]}, {@code B} to
 * {@code [b..., K, R]}, and {@code C = A B} (a broadcasting multiply when there is no {@code k})
 * is reshaped to {@code [b..., l..., r...]}. A final permute gives the output order.
 */
final class Einsum {
    private Einsum() {}

    /** A tensor with one subscript per axis. */
    private record Term(Tensor t, List<Character> labels) {}

    static Tensor einsum(String equation, Tensor... operands) {
        String eq = equation.replace(" ", "");
        if (eq.contains(".")) throw error(equation, "the ellipsis \"...\" is not supported; name every axis");
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String[] terms = lhs.split(",", -1);
        if (operands.length == 0) throw error(equation, "needs at least one operand");
        if (terms.length != operands.length) throw error(equation, terms.length + " operand subscripts but " + operands.length + " operands");
        Map<Character, Object> sizes = new HashMap<>();
        Map<Character, Integer> counts = new TreeMap<>(), firstIn = new HashMap<>();
        List<Term> ops = new ArrayList<>();
        for (int k = 0; k < terms.length; k++) {
            String s = terms[k];
            Tensor t = operands[k];
            if (s.length() != t.rank()) {
                throw error(equation, "operand " + k + " has " + t.rank() + " axes " + t.shape() + " but subscripts \"" + s + "\" name " + s.length());
            }
            List<Character> labels = new ArrayList<>();
            for (int i = 0; i < s.length(); i++) {
                char c = letter(equation, s.charAt(i));
                Object d = t.shape().parts().get(i);
                Object prev = sizes.putIfAbsent(c, d);
                firstIn.putIfAbsent(c, k);
                if (prev != null && !prev.equals(d)) {
                    throw error(equation, "subscript " + c + " has size " + prev + " in operand " + firstIn.get(c) + " but " + d
                            + " in operand " + k + " " + t.shape() + " (sizes must be equal)");
                }
                counts.merge(c, 1, Integer::sum);
                labels.add(c);
            }
            ops.add(new Term(t, labels));
        }
        List<Character> out = new ArrayList<>();
        if (arrow >= 0) {
            for (char ch : eq.substring(arrow + 2).toCharArray()) {
                char c = letter(equation, ch);
                if (out.contains(c)) throw error(equation, "subscript " + c + " appears twice in the output");
                if (!sizes.containsKey(c)) throw error(equation, "output subscript " + c + " names no operand axis");
                out.add(c);
            }
        } else {
            // Implicit mode: the subscripts used once, in alphabetical order (upper case first, as PyTorch).
            counts.forEach((c, n) -> { if (n == 1) out.add(c); });
        }
        for (int k = 0; k < ops.size(); k++) {
            Set<Character> keep = new LinkedHashSet<>(out);
            for (int j = 0; j < ops.size(); j++) if (j != k) keep.addAll(ops.get(j).labels());
            ops.set(k, sumOut(diagonals(equation, ops.get(k)), keep));
        }
        Term acc = ops.get(0);
        for (int k = 1; k < ops.size(); k++) {
            Set<Character> keep = new LinkedHashSet<>(out);
            for (int j = k + 1; j < ops.size(); j++) keep.addAll(ops.get(j).labels());
            acc = contract(equation, acc, ops.get(k), keep);
        }
        acc = sumOut(acc, new LinkedHashSet<>(out));
        int[] perm = new int[out.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = acc.labels().indexOf(out.get(i));
        return acc.t().permute(perm);
    }

    private static char letter(String equation, char c) {
        if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) throw error(equation, "'" + c + "' is not a subscript letter");
        return c;
    }

    /** While a subscript repeats, keeps the diagonal of its first two axes: {@code y[.., i] = x[.., i, .., i, ..]}. */
    private static Term diagonals(String equation, Term term) {
        Tensor t = term.t();
        List<Character> labels = new ArrayList<>(term.labels());
        for (int p = 0; p < labels.size(); p++) {
            int q = labels.subList(p + 1, labels.size()).indexOf(labels.get(p));
            if (q < 0) continue;
            q += p + 1;
            char c = labels.get(p);
            if (t.shape().isSymbolic(p)) throw error(equation, "cannot take the diagonal of the symbolic subscript " + c);
            int n = t.shape().dim(p);
            int[] perm = new int[labels.size()];
            List<Character> rest = new ArrayList<>();
            int j = 0;
            for (int i = 0; i < labels.size(); i++) {
                if (i != p && i != q) {
                    perm[j++] = i;
                    rest.add(labels.get(i));
                }
            }
            perm[j++] = p;
            perm[j] = q;
            float[] eye = new float[n * n];
            for (int i = 0; i < n; i++) eye[i * n + i] = 1;
            Tensor mask = t.builder().constant(HostTensor.of(DType.BOOL, Shape.of(n, n), eye));
            t = Tensor.where(mask, t.permute(perm), t.scalarLike(0)).sum(-1);
            rest.add(c);
            labels = rest;
            p = -1;
        }
        return new Term(t, labels);
    }

    /** Sums the axes whose subscripts are not in {@code keep}. */
    private static Term sumOut(Term term, Set<Character> keep) {
        List<Integer> axes = new ArrayList<>();
        List<Character> left = new ArrayList<>();
        for (int i = 0; i < term.labels().size(); i++) {
            if (keep.contains(term.labels().get(i))) left.add(term.labels().get(i));
            else axes.add(i);
        }
        if (axes.isEmpty()) return term;
        return new Term(term.t().sum(axes.stream().mapToInt(Integer::intValue).toArray(), false), left);
    }

    private static Term contract(String equation, Term a, Term b, Set<Character> keep) {
        List<Character> batch = new ArrayList<>(), sum = new ArrayList<>(), left = new ArrayList<>(), right = new ArrayList<>();
        for (char c : a.labels()) {
            if (b.labels().contains(c)) (keep.contains(c) ? batch : sum).add(c);
            else left.add(c);
        }
        for (char c : b.labels()) if (!a.labels().contains(c)) right.add(c);
        Tensor x = arrange(equation, a, batch, left, sum);
        Tensor y = arrange(equation, b, batch, sum, right);
        Tensor z = sum.isEmpty() ? x.mul(y) : x.matmul(y);
        List<Object> parts = new ArrayList<>(z.shape().parts().subList(0, batch.size()));
        for (char c : left) parts.add(a.t().shape().parts().get(a.labels().indexOf(c)));
        for (char c : right) parts.add(b.t().shape().parts().get(b.labels().indexOf(c)));
        List<Character> labels = new ArrayList<>(batch);
        labels.addAll(left);
        labels.addAll(right);
        return new Term(z.reshape(Shape.symbolic(parts.toArray())), labels);
    }

    /**
     * {@code term} permuted to {@code [batch..., rows..., cols...]} and reshaped to
     * {@code [batch..., prod rows, prod cols]}.
     */
    private static Tensor arrange(String equation, Term term, List<Character> batch, List<Character> rows, List<Character> cols) {
        List<Character> order = new ArrayList<>(batch);
        order.addAll(rows);
        order.addAll(cols);
        int[] perm = new int[order.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = term.labels().indexOf(order.get(i));
        Tensor t = term.t().permute(perm);
        List<Object> parts = new ArrayList<>(t.shape().parts().subList(0, batch.size()));
        parts.add(merged(equation, t.shape(), batch.size(), rows));
        parts.add(merged(equation, t.shape(), batch.size() + rows.size(), cols));
        return t.reshape(Shape.symbolic(parts.toArray()));
    }

    /** The size of axes {@code from .. from+labels.size()-1} merged into one (a symbol only when it stands alone). */
    private static Object merged(String equation, Shape s, int from, List<Character> labels) {
        if (labels.size() == 1) return s.parts().get(from);
        long n = 1;
        for (int i = 0; i < labels.size(); i++) {
            if (s.isSymbolic(from + i)) throw error(equation, "cannot merge the symbolic subscript " + labels.get(i) + " " + s.symbol(from + i) + " with " + labels);
            n *= s.dim(from + i);
        }
        if (n > Integer.MAX_VALUE) throw error(equation, "the merged subscripts " + labels + " hold more than 2^31 elements");
        return (int) n;
    }

    private static ShapeException error(String equation, String what) {
        return new ShapeException("einsum \"" + equation + "\": " + what);
    }
}
