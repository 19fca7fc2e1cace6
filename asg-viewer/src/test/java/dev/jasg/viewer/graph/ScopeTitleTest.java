package dev.jasg.viewer.graph;

import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scope titles: a Sequential's children carry their class ({@code 1: Linear}), named layers their name. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class ScopeTitleTest {
    static final class Net extends dev.jasg.nn.Layer {
        final Sequential body = register("body", new Sequential(new Flatten(), new Linear(4, 4), new ReLU()));
        final Linear head = register("head", new Linear(4, 2));

        @Override
        public dev.jasg.core.Tensor forward(dev.jasg.core.Tensor x) {
            return head.apply(body.apply(x));
        }
    }

    @Test
    void sequentialChildrenAreTitledWithTheirClass() {
        Map<String, String> classes = GraphModel.layerClasses(new Net());
        assertEquals(Map.of("body", "Sequential", "body.0", "Flatten", "body.1", "Linear", "body.2", "ReLU", "head", "Linear"), classes);
        GraphBuilder b = new GraphBuilder();
        b.output("y", b.input("x", dev.jasg.core.DType.F32, dev.jasg.core.Shape.of(2, 4)));
        Graph g = b.build();
        GraphModel m = GraphModel.of(g, g, GraphModel.Mode.FORWARD, classes);
        String[][] cases = {
                {"body.1", "1: Linear"}, {"body.2", "2: ReLU"}, {"body", "body"}, {"head", "head"},
                {"grad.body.1", "1: Linear"}, {"loss", "loss"}, {"ins1_Dropout", "ins1_Dropout"}, {"7", "7"},
        };
        for (String[] c : cases) assertEquals(c[1], m.scopeTitle(c[0]), c[0]);
        assertEquals("1", GraphModel.of(g, g, GraphModel.Mode.FORWARD).scopeTitle("body.1"), "no classes given: the path's last part");
    }
}
