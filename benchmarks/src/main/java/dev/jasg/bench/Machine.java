package dev.jasg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a benchmark prints about the machine beside every figure, so that a ratio can be traced to a CPU. */
public final class Machine {
    private Machine() {}

    /** The CPU model from {@code /proc/cpuinfo} ("model name", or "Model" on some ARM kernels), else {@code os.arch}. */
    public static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String key : new String[] {"model name", "Model", "cpu model"}) {
                for (String line : lines) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall through
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }
}
