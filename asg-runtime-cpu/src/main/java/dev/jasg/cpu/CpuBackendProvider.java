package dev.jasg.cpu;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendProvider;

/** Lets {@link dev.jasg.core.Backends} find the {@link CpuBackend} by the name {@code cpu}; preferred (priority 100). */
public final class CpuBackendProvider implements BackendProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public CpuBackendProvider() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Backend create() {
        return new CpuBackend();
    }
}
