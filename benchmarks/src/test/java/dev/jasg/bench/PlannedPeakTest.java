package dev.jasg.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.Executable;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.train.Trainer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The working memory each backend's plan of one training step of each benchmark workload
 * takes ({@link Executable#plannedBytes}), reported and held to a ceiling: the figures the
 * backends' own planners reached before the one buffer planner of asg-core replaced them
 * (issue 21), so a planner change that costs memory fails here. The Vulkan rows plan with the Winograd convolutions
 * off ({@code jasg.vulkan.conv.winograd=false}: their transformed operands are a kernel's workspace, not the planner's),
 * and a {@code vulkan+winograd} row holds the default plan to its own ceiling. A row of a backend that cannot
 * start here is skipped, unless {@code JASG_REQUIRE_GPU=1} asks for the Vulkan one.
 */
class PlannedPeakTest {
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        // workload, backend, bytes before issue 21 (vulkan: on lavapipe, storage alignment 16)
        "mlp,         cpu,    3231876",
        "cnn,         cpu,    57892016",
        "transformer, cpu,    37015568",
        "mlp,         vulkan, 5353728",
        "cnn,         vulkan, 59964672",
        "transformer, vulkan, 44068352",
        // the default plan with 3x3 convolutions in Winograd form (2026-12-06): 91,383,552 on lavapipe, the most of it the
        // workspace of the 32-to-64 layer's kernel gradient at batch 128 (transformed input 12.8 MB and output gradient
        // 25.7 MB); ceiling 96 MiB. PyTorch's cnn step on an H100 peaks at ~653 MiB (torch_peers.py, 2026-12-06)
        "cnn,         vulkan+winograd, 100663296",
        // opencl (pocl): its own first-fit planner before issue 21 was the Vulkan one's algorithm; cnn left out (slow on pocl)
        "mlp,         opencl, 5353728",
        "transformer, opencl, 44068352",
    })
    void planPeakIsNoHigherThanBefore(String workload, String row, long before) {
        String backendName = row.replace("+winograd", "");
        boolean winogradOff = backendName.equals("vulkan") && !row.endsWith("+winograd");
        if (winogradOff) System.setProperty("jasg.vulkan.conv.winograd", "false");
        try (Backend backend = open(backendName)) {
            Workloads.Training t = Workloads.training(workload, backend);
            Trainer trainer = t.trainer();
            try (trainer; Executable exe = backend.compile(trainer.parameters(), trainer.forwardGraph(), trainer.gradientGraph(), trainer.updateGraph())) {
                Map<String, HostTensor> feeds = new HashMap<>(t.batch());
                feeds.put(Optimizer.LR_INPUT, HostTensor.scalar(1e-3f));
                exe.run(feeds);
                long bytes = exe.plannedBytes();
                System.out.printf(Locale.ROOT, "planned peak: %-11s on %-15s %,14d bytes (%.2f MiB); ceiling %,d%n", workload, row,
                        bytes, bytes / 1048576.0, before);
                assertTrue(bytes > 0, "the " + backendName + " backend reports its plan's bytes");
                assertTrue(bytes <= before, workload + " on " + row + ": the plan takes " + bytes + " bytes, more than the " + before + " ceiling");
            }
        } finally {
            if (winogradOff) System.clearProperty("jasg.vulkan.conv.winograd");
        }
    }

    private static Backend open(String name) {
        try {
            return Backends.create(name);
        } catch (BackendUnavailableException e) {
            String flag = name.equals("opencl") ? "JASG_REQUIRE_OPENCL" : "JASG_REQUIRE_GPU";
            String p = System.getProperty(flag, System.getenv(flag));
            boolean required = !name.equals("cpu") && p != null && (p.equals("1") || p.equalsIgnoreCase("true"));
            if (required) throw new AssertionError(flag + " is set but the " + name + " backend cannot start: " + e.getMessage(), e);
            Assumptions.abort("backend " + name + " is not available here: " + e.getMessage());
            throw e;
        }
    }
}
