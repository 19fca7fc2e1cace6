package dev.jasg.nn.imports;

import dev.jasg.core.*;
import dev.jasg.nn.*;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 13 item 19: a user's file with the natural on-demand imports compiles. The base class used to be
 * called {@code Module}, which {@code import dev.jasg.nn.*;} made ambiguous with {@code java.lang.Module};
 * this file did not compile then. It lives outside {@code dev.jasg.nn} so the import is what resolves the names.
 */
class WildcardImportTest {
    static final class Mlp extends Layer {
        final Linear fc1 = register("fc1", new Linear(4, 8));
        final Linear fc2 = register("fc2", new Linear(8, 2));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.apply(fc1.apply(x).relu());
        }
    }

    @Test
    void aLayerSubclassCompilesWithWildcardImports() {
        Mlp mlp = new Mlp();
        assertEquals(4 * 8 + 8 + 8 * 2 + 2, mlp.parameterCount());
        GraphBuilder g = new GraphBuilder();
        Tensor y = mlp.apply(g.input("x", DType.F32, "B", 4));
        assertEquals(2, y.shape().rank());
    }
}
