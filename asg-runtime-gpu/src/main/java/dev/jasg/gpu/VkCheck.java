package dev.jasg.gpu;

import static org.lwjgl.vulkan.VK10.*;

import dev.jasg.core.BackendException;

/** Turns Vulkan result codes into typed exceptions that say what was being done. */
final class VkCheck {
    private VkCheck() {}

    /** Throws when {@code result} is an error; {@code what} names the call and its subject (node, sizes). */
    static void check(int result, String what) {
        if (result >= 0) return;
        throw error(result, what);
    }

    static BackendException error(int result, String what) {
        String msg = what + " failed: " + name(result);
        return switch (result) {
            case VK_ERROR_OUT_OF_DEVICE_MEMORY, VK_ERROR_OUT_OF_HOST_MEMORY -> new DeviceMemoryException(msg);
            case VK_ERROR_DEVICE_LOST -> new DeviceLostException(msg + "; the GPU was reset or a kernel faulted. Close this backend and create a new one.");
            default -> new BackendException(msg);
        };
    }

    static String name(int result) {
        return switch (result) {
            case VK_ERROR_OUT_OF_HOST_MEMORY -> "VK_ERROR_OUT_OF_HOST_MEMORY";
            case VK_ERROR_OUT_OF_DEVICE_MEMORY -> "VK_ERROR_OUT_OF_DEVICE_MEMORY";
            case VK_ERROR_INITIALIZATION_FAILED -> "VK_ERROR_INITIALIZATION_FAILED";
            case VK_ERROR_DEVICE_LOST -> "VK_ERROR_DEVICE_LOST";
            case VK_ERROR_MEMORY_MAP_FAILED -> "VK_ERROR_MEMORY_MAP_FAILED";
            case VK_ERROR_LAYER_NOT_PRESENT -> "VK_ERROR_LAYER_NOT_PRESENT";
            case VK_ERROR_EXTENSION_NOT_PRESENT -> "VK_ERROR_EXTENSION_NOT_PRESENT";
            case VK_ERROR_FEATURE_NOT_PRESENT -> "VK_ERROR_FEATURE_NOT_PRESENT";
            case VK_ERROR_INCOMPATIBLE_DRIVER -> "VK_ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver for this device)";
            case VK_ERROR_TOO_MANY_OBJECTS -> "VK_ERROR_TOO_MANY_OBJECTS";
            case VK_ERROR_FORMAT_NOT_SUPPORTED -> "VK_ERROR_FORMAT_NOT_SUPPORTED";
            case VK_ERROR_FRAGMENTED_POOL -> "VK_ERROR_FRAGMENTED_POOL";
            case VK_TIMEOUT -> "VK_TIMEOUT";
            default -> "VkResult " + result;
        };
    }
}
