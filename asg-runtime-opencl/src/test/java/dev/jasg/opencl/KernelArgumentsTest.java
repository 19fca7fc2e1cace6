package dev.jasg.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of every {@code .cl} file takes its tensors as {@code Lowering} binds them: each {@code __global}
 * pointer followed by its {@code const ulong <name>Off}, one struct of scalars last, and the pointers moved by their
 * offsets first thing in the body (common.h). A kernel that took a bare pointer would read the arena's start. Needs
 * no device.
 */
class KernelArgumentsTest {
    private static final Pattern KERNEL = Pattern.compile("__kernel\\s+(?:__attribute__\\(\\(.*?\\)\\)\\s*)?void\\s+(\\w+)\\s*\\(([^)]*)\\)\\s*\\{\\s*([^\\n]*)");

    @Test
    void everyBufferArgumentComesWithItsOffsetAppliedAtEntry() {
        for (String file : Programs.FILES) {
            String src = Programs.resource(file);
            int kernels = 0;
            Matcher k = KERNEL.matcher(src);
            while (k.find()) {
                kernels++;
                String where = file + " kernel " + k.group(1);
                String[] params = k.group(2).replaceAll("\\s+", " ").trim().split(", ");
                List<String> buffers = new ArrayList<>();
                int i = 0;
                while (i < params.length && params[i].startsWith("__global")) {
                    Matcher b = Pattern.compile("__global (?:const )?\\w+\\* (\\w+)").matcher(params[i]);
                    assertTrue(b.matches(), where + ": " + params[i]);
                    String name = b.group(1);
                    assertTrue(i + 1 < params.length && params[i + 1].equals("const ulong " + name + "Off"),
                            where + ": buffer " + name + " must be followed by 'const ulong " + name + "Off'");
                    buffers.add(name);
                    i += 2;
                }
                assertTrue(buffers.size() >= 2, where + ": an output and at least one input, got " + buffers);
                assertEquals(i + 1, params.length, where + ": after the buffers, one struct of scalars: " + String.join(", ", params));
                assertTrue(params[i].startsWith("const ") && !params[i].contains("*"), where + ": last argument " + params[i]);
                StringBuilder entry = new StringBuilder();
                for (String b : buffers) entry.append(entry.isEmpty() ? "" : " ").append(b).append(" += ").append(b).append("Off;");
                assertEquals(entry.toString(), k.group(3).trim(), where + ": the first statement moves every pointer by its offset");
            }
            assertEquals(src.split("__kernel", -1).length - 1, kernels, "kernels of " + file + " this check could read");
            assertTrue(kernels > 0, file);
        }
    }
}
