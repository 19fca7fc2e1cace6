package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.BackendUnavailableException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device choice needs no device: discrete before integrated before CPU, overridable by index or name. */
class DeviceChoiceTest {
    private static final List<DeviceChoice.Candidate> DEVICES = List.of(new DeviceChoice.Candidate("llvmpipe (LLVM 15)", 4),
            new DeviceChoice.Candidate("Intel UHD 770", 1), new DeviceChoice.Candidate("NVIDIA H200", 2));

    @Test
    void prefersDiscreteThenIntegratedThenCpu() {
        assertEquals(2, DeviceChoice.choose(DEVICES, null));
        assertEquals(1, DeviceChoice.choose(DEVICES.subList(0, 2), null));
        assertEquals(0, DeviceChoice.choose(DEVICES.subList(0, 1), ""));
    }

    @Test
    void overriddenByIndexOrName() {
        assertEquals(0, DeviceChoice.choose(DEVICES, "0"));
        assertEquals(1, DeviceChoice.choose(DEVICES, "uhd"));
        assertThrows(BackendUnavailableException.class, () -> DeviceChoice.choose(DEVICES, "7"));
        assertThrows(BackendUnavailableException.class, () -> DeviceChoice.choose(DEVICES, "radeon"));
    }

    @Test
    void noDeviceSaysWhatToInstall() {
        var e = assertThrows(BackendUnavailableException.class, () -> DeviceChoice.choose(List.of(), null));
        assertTrue(e.getMessage().contains("mesa-vulkan-drivers"), e.getMessage());
    }
}
