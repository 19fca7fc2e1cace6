package dev.jasg.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.BackendUnavailableException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device choice needs no device: GPU before accelerator before CPU, overridable by index or by device or platform name. */
class DeviceChoiceTest {
    private static final List<DeviceChoice.Candidate> DEVICES = List.of(
            new DeviceChoice.Candidate("pthread-haswell-AMD EPYC", "Portable Computing Language", 2),
            new DeviceChoice.Candidate("Some FPGA", "Vendor FPGA SDK", 8),
            new DeviceChoice.Candidate("NVIDIA H200", "NVIDIA CUDA", 4 | 1));

    @Test
    void prefersGpuThenAcceleratorThenCpu() {
        assertEquals(2, DeviceChoice.choose(DEVICES, null));
        assertEquals(1, DeviceChoice.choose(DEVICES.subList(0, 2), null));
        assertEquals(0, DeviceChoice.choose(DEVICES.subList(0, 1), ""));
    }

    @Test
    void overriddenByIndexOrName() {
        assertEquals(0, DeviceChoice.choose(DEVICES, "0"));
        assertEquals(2, DeviceChoice.choose(DEVICES, "h200"));
        assertEquals(0, DeviceChoice.choose(DEVICES, "portable"));
        var e = assertThrows(BackendUnavailableException.class, () -> DeviceChoice.choose(DEVICES, "7"));
        assertTrue(e.getMessage().contains("jasg.opencl.device") && e.getMessage().contains("NVIDIA H200"), e.getMessage());
        assertThrows(BackendUnavailableException.class, () -> DeviceChoice.choose(DEVICES, "radeon"));
    }

    @Test
    void noDeviceSaysWhatToInstall() {
        var e = assertThrows(BackendUnavailableException.class, () -> DeviceChoice.choose(List.of(), null));
        assertTrue(e.getMessage().contains("pocl-opencl-icd") && e.getMessage().contains("ocl-icd-opencl-dev"), e.getMessage());
        assertTrue(ClDevice.LOADER_HINT.contains("libOpenCL.so") && ClDevice.LOADER_HINT.contains("ocl-icd-opencl-dev"), ClDevice.LOADER_HINT);
    }
}
