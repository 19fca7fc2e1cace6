package dev.jasg.nn;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Assumptions;

/** Opens the backend a layer test runs on: "cpu", or "vulkan" (skipped without a device unless JASG_REQUIRE_GPU=1). */
final class LayerBackends {
    private LayerBackends() {}

    static Backend open(String name) {
        try {
            return Backends.create(name);
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no " + name + " backend, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    /** A root module holding {@code child} under {@code name}, so its parameters get dotted names. */
    static <M extends Layer> Layer wrap(String name, M child) {
        final class Holder extends Layer {
            final M inner = register(name, child);

            @Override
            public dev.jasg.core.Tensor forward(dev.jasg.core.Tensor x) {
                return inner.apply(x);
            }
        }
        return new Holder();
    }
}
