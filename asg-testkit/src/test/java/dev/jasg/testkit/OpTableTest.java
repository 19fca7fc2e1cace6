package dev.jasg.testkit;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of the op table: its shape rule and its gradient against central differences. */
class OpTableTest {

    @TestFactory
    Stream<DynamicTest> shapeRules() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest("shape: " + c.name(), () -> OpCheck.shape(c)));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return OpCases.all().stream().filter(OpCheck::hasGradient)
                .map(c -> DynamicTest.dynamicTest("gradient: " + c.name(), () -> OpCheck.gradient(c)));
    }

    @Test
    void everyOpHasARow() {
        TreeSet<String> missing = OpCheck.allKeys();
        for (OpCase c : OpCases.all()) missing.removeAll(OpCheck.keysOf(c));
        assertTrue(missing.isEmpty(), "ops with no row in OpCases: " + missing);
    }

    @Test
    void rowNamesAreUnique() {
        List<OpCase> all = OpCases.all();
        Set<String> names = new HashSet<>();
        for (OpCase c : all) assertTrue(names.add(c.name()), "duplicate row " + c.name());
        assertEquals(all.size(), names.size());
    }

    @Test
    void theCompletenessCheckSeesEveryKind() {
        // Guards the guard: a change to allKeys() that lost the enum kinds would make the check pass vacuously.
        TreeSet<String> keys = OpCheck.allKeys();
        assertTrue(keys.contains("unary:gelu_tanh") && keys.contains("binary:pow") && keys.contains("matmul")
                && keys.contains("slicescatter") && keys.contains("argreduce:argmin"), keys.toString());
    }
}
