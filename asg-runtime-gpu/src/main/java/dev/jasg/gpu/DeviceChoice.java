package dev.jasg.gpu;

import dev.jasg.core.BackendUnavailableException;
import java.util.List;
import java.util.Locale;

/**
 * Picks the physical device: a discrete GPU before an integrated one before a CPU
 * implementation (lavapipe), the first of a kind winning. The system property
 * {@code jasg.vulkan.device} overrides the choice with an index into the enumeration
 * order or a case-insensitive part of the device name.
 */
final class DeviceChoice {
    /** System property that overrides the choice: an index or part of a name. */
    static final String PROPERTY = "jasg.vulkan.device";

    /** What is known of one physical device before it is opened. */
    record Candidate(String name, int type) {}

    private DeviceChoice() {}

    /** Index into {@code devices} of the device to use; {@code override} is the property value or null. */
    static int choose(List<Candidate> devices, String override) {
        if (devices.isEmpty()) {
            throw new BackendUnavailableException("the Vulkan loader found no physical device. Install a Vulkan driver: the GPU vendor's driver,"
                    + " or Mesa's CPU implementation with `apt-get install mesa-vulkan-drivers` (lavapipe)");
        }
        if (override != null && !override.isBlank()) {
            String o = override.trim();
            if (o.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(o);
                if (i < devices.size()) return i;
                throw new BackendUnavailableException(PROPERTY + "=" + o + " but there are only " + devices.size() + " devices: " + names(devices));
            }
            for (int i = 0; i < devices.size(); i++) {
                if (devices.get(i).name().toLowerCase(Locale.ROOT).contains(o.toLowerCase(Locale.ROOT))) return i;
            }
            throw new BackendUnavailableException(PROPERTY + "=" + o + " matches no device; devices: " + names(devices));
        }
        int best = 0;
        for (int i = 1; i < devices.size(); i++) {
            if (rank(devices.get(i).type()) < rank(devices.get(best).type())) best = i;
        }
        return best;
    }

    /** Lower is better: discrete, integrated, virtual, CPU, other (VkPhysicalDeviceType values 2, 1, 3, 4, 0). */
    static int rank(int vkType) {
        return switch (vkType) {
            case 2 -> 0;
            case 1 -> 1;
            case 3 -> 2;
            case 4 -> 3;
            default -> 4;
        };
    }

    static String typeName(int vkType) {
        return switch (vkType) {
            case 1 -> "integrated GPU";
            case 2 -> "discrete GPU";
            case 3 -> "virtual GPU";
            case 4 -> "CPU";
            default -> "other";
        };
    }

    private static String names(List<Candidate> devices) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < devices.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(i).append(": ").append(devices.get(i).name()).append(" (").append(typeName(devices.get(i).type())).append(')');
        }
        return sb.toString();
    }
}
