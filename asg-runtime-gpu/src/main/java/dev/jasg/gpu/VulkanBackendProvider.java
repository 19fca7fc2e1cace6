package dev.jasg.gpu;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendProvider;

/** Registers the Vulkan backend as {@code vulkan} (priority 50: below cpu, above the reference interpreter). */
public final class VulkanBackendProvider implements BackendProvider {
    /** Listing costs nothing; the device opens in {@link #create()}. */
    public VulkanBackendProvider() {}

    @Override
    public String name() {
        return "vulkan";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Backend create() {
        return new VulkanBackend();
    }
}
