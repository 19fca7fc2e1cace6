package dev.jasg.opencl;

import dev.jasg.core.BackendUnavailableException;
import java.util.List;
import java.util.Locale;

/**
 * Picks the OpenCL device among those of every platform, listed platform by platform: a GPU before an
 * accelerator before a CPU device (pocl), the first of a kind winning. The system property
 * {@code jasg.opencl.device} overrides the choice with an index into that list or a case-insensitive part of
 * the device's or the platform's name. Stateless; safe from any thread.
 */
final class DeviceChoice {
    /** System property that overrides the choice: an index or part of a name. */
    static final String PROPERTY = "jasg.opencl.device";

    /** What is known of one device before it is opened: its name, its platform's name and its CL_DEVICE_TYPE bits. */
    record Candidate(String name, String platform, long type) {}

    private DeviceChoice() {}

    /** Index into {@code devices} of the device to use; {@code override} is the property value or null. */
    static int choose(List<Candidate> devices, String override) {
        if (devices.isEmpty()) {
            throw new BackendUnavailableException("the OpenCL platforms list no device. Install an OpenCL driver: the GPU vendor's, "
                    + "or pocl on the CPU with `apt-get install pocl-opencl-icd ocl-icd-opencl-dev`");
        }
        if (override != null && !override.isBlank()) {
            String o = override.trim();
            if (o.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(o);
                if (i < devices.size()) return i;
                throw new BackendUnavailableException(PROPERTY + "=" + o + " but there are only " + devices.size() + " OpenCL devices: " + names(devices));
            }
            String lo = o.toLowerCase(Locale.ROOT);
            for (int i = 0; i < devices.size(); i++) {
                if (devices.get(i).name().toLowerCase(Locale.ROOT).contains(lo)) return i;
            }
            for (int i = 0; i < devices.size(); i++) {
                if (devices.get(i).platform().toLowerCase(Locale.ROOT).contains(lo)) return i;
            }
            throw new BackendUnavailableException(PROPERTY + "=" + o + " matches no OpenCL device; devices: " + names(devices));
        }
        int best = 0;
        for (int i = 1; i < devices.size(); i++) {
            if (rank(devices.get(i).type()) < rank(devices.get(best).type())) best = i;
        }
        return best;
    }

    /** Lower is better: GPU, accelerator, CPU, other (CL_DEVICE_TYPE_GPU 4, ACCELERATOR 8, CPU 2). */
    static int rank(long clType) {
        if ((clType & 4) != 0) return 0;
        if ((clType & 8) != 0) return 1;
        if ((clType & 2) != 0) return 2;
        return 3;
    }

    static String typeName(long clType) {
        return switch (rank(clType)) {
            case 0 -> "GPU";
            case 1 -> "accelerator";
            case 2 -> "CPU";
            default -> "other";
        };
    }

    static String names(List<Candidate> devices) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < devices.size(); i++) {
            if (i > 0) sb.append(", ");
            Candidate c = devices.get(i);
            sb.append(i).append(": ").append(c.name()).append(" (").append(typeName(c.type())).append(", ").append(c.platform()).append(')');
        }
        return sb.toString();
    }
}
