package dev.jasg.core.reference;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendProvider;

/** Makes the reference interpreter findable as {@code Backends.create("reference")}; the lowest priority, so any real backend is preferred. */
public final class ReferenceBackendProvider implements BackendProvider {
    /** The provider {@link java.util.ServiceLoader} instantiates. */
    public ReferenceBackendProvider() {}

    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
