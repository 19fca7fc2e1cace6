package dev.jasg.opencl;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendProvider;

/** Registers the OpenCL backend as {@code opencl} (priority 40: below cpu and vulkan, above the reference interpreter). Stateless. */
public final class OpenClBackendProvider implements BackendProvider {
    /** Listing costs nothing; the device opens in {@link #create()}. */
    public OpenClBackendProvider() {}

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public int priority() {
        return 40;
    }

    @Override
    public Backend create() {
        return new OpenClBackend();
    }
}
