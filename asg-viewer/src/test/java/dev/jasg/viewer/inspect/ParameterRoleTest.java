package dev.jasg.viewer.inspect;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.Embedding;
import dev.jasg.nn.Layer;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter roles come from the op that reads the parameter; the name only refines them. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class ParameterRoleTest {
    /** Layers registered under the names a vision transformer and friends use. */
    static final class Net extends Layer {
        final Linear patch = register("patch_embed", new Linear(49, 32));
        final Embedding tok = register("tok_emb", new Embedding(10, 32));
        final LayerNorm norm = register("norm1", new LayerNorm(32));
        final Linear fc = register("fc1", new Linear(32, 16));
        final Conv2d conv = register("stem", new Conv2d(1, 4, 3));

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    @SuppressWarnings("try")
    void rolesFollowTheConsumingOp() {
        Net net = new Net();
        GraphBuilder b = new GraphBuilder();
        Tensor patches = b.input("patches", DType.F32, dev.jasg.core.Shape.of(2, 16, 49));
        Tensor ids = b.input("ids", DType.I32, dev.jasg.core.Shape.of(2, 16));
        Tensor img = b.input("img", DType.F32, dev.jasg.core.Shape.of(2, 1, 8, 8));
        Tensor h = net.patch.apply(patches).add(net.tok.apply(ids));
        h = net.fc.apply(net.norm.apply(h));
        Tensor gate, temperature;
        try (var s = b.scope("gate")) {
            gate = b.parameter("alpha", Init.zeros(), 16);
            temperature = b.parameter("temperature", Init.zeros(), 1);
        }
        h = h.mul(gate).div(temperature);
        b.output("y", h);
        b.output("c", net.conv.apply(img));
        Graph g = b.build();
        String[][] cases = {
                // name, role key, a word its English text must contain
                {"patch_embed.weight", "role.projection", "49 features to 32"},
                {"patch_embed.bias", "role.bias", "offset"},
                {"tok_emb.weight", "role.embedding", "looked up"},
                {"norm1.weight", "role.norm.gamma", "Gain"},
                {"norm1.bias", "role.norm.beta", "Shift"},
                {"fc1.weight", "role.linear.weight", "from 32 to 16"},
                {"stem.weight", "role.conv.kernel", "4 filters"},
                {"gate.alpha", "role.scale", "scale"},
                {"gate.temperature", "role.custom", "read by div"},
        };
        for (String[] c : cases) {
            Node n = param(g, c[0]);
            ParameterRole.Role r = ParameterRole.of(g, n);
            assertEquals(c[1], r.key(), c[0]);
            String en = ParameterRole.describe(Messages.of(Language.EN), g, n);
            assertTrue(en.contains(c[2]), c[0] + ": " + en);
            String ru = ParameterRole.describe(Messages.of(Language.RU), g, n);
            assertFalse(ru.contains("{") || en.contains("{"), c[0] + ": " + ru);
        }
        assertFalse(ParameterRole.describe(Messages.of(Language.EN), g, param(g, "patch_embed.weight")).contains("gather"),
                "a weight feeding a matmul is no embedding table");
    }

    private static Node param(Graph g, String name) {
        for (Node n : g.nodes()) if (n.op() instanceof Op.Parameter p && p.name().equals(name)) return n;
        throw new AssertionError("no parameter " + name + " in\n" + g.toText());
    }
}
