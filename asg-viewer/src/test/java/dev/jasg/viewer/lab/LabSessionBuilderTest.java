package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.viewer.demo.DemoData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Issue 13 item 15: a builder left without a required part is a state error naming the part, not a NullPointerException. */
class LabSessionBuilderTest {
    @Test
    void eachMissingPartIsAnIllegalStateNamingIt() {
        InputSpec x = InputSpec.of("x", DType.F32, "B", 1, 28, 28), y = InputSpec.of("y", DType.I32, "B");
        DemoData data = DemoData.synthetic(32, 16, 3);
        record Case(String message, UnaryOperator<LabSession.Builder> configure) {}
        List<Case> cases = List.of(
                new Case("LabSession: no input spec; call input(...)", b -> b.target(y).loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(data)),
                new Case("LabSession: no target spec; call target(...)", b -> b.input(x).loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(data)),
                new Case("LabSession: no loss; call loss(...)", b -> b.input(x).target(y).optimizer(new Adam(1e-3)).data(data)),
                new Case("LabSession: no optimizer; call optimizer(...)", b -> b.input(x).target(y).loss(Losses::crossEntropy).data(data)),
                new Case("LabSession: no data; call data(...)", b -> b.input(x).target(y).loss(Losses::crossEntropy).optimizer(new Adam(1e-3))));
        try (Backend cpu = Backends.create("cpu")) {
            for (Case c : cases) {
                LabSession.Builder b = c.configure().apply(LabSession.builder(cpu, new Sequential(new Flatten(), new Linear(784, 10))));
                IllegalStateException e = assertThrows(IllegalStateException.class, b::build, c.message());
                assertEquals(c.message(), e.getMessage());
            }
        }
    }
}
