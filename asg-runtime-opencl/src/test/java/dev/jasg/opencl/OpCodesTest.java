package dev.jasg.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.UnaryOp;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The op codes of {@link OpCodes} and the {@code #define}s of the .cl files agree, name by name; needs no device. */
class OpCodesTest {
    private static Map<String, Integer> defines(String file) {
        Map<String, Integer> m = new HashMap<>();
        Matcher d = Pattern.compile("(?m)^#define ([A-Z]_[A-Z0-9_]+) (\\d+)$").matcher(Programs.resource(file));
        while (d.find()) m.put(d.group(1), Integer.parseInt(d.group(2)));
        return m;
    }

    private static <E extends Enum<E>> void agree(String file, String prefix, E[] values, ToIntFunction<E> code) {
        Map<String, Integer> defs = defines(file);
        int n = 0;
        for (var e : defs.entrySet()) if (e.getKey().startsWith(prefix)) n++;
        assertEquals(values.length, n, prefix + "* defines in " + file);
        for (E v : values) assertEquals(defs.get(prefix + v.name()), code.applyAsInt(v), prefix + v.name() + " in " + file);
    }

    @Test
    void codesMatchTheKernels() {
        agree("elementwise.cl", "U_", UnaryOp.values(), OpCodes::unary);
        agree("elementwise.cl", "B_", BinaryOp.values(), OpCodes::binary);
        agree("elementwise.cl", "C_", CompareOp.values(), OpCodes::compare);
        agree("reduce.cl", "R_", ReduceOp.values(), OpCodes::reduce);
    }
}
