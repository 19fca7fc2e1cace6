package dev.jasg.gpu;

import static org.lwjgl.vulkan.KHRCooperativeMatrix.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.vkGetPhysicalDeviceFeatures2;
import static org.lwjgl.vulkan.VK11.vkGetPhysicalDeviceProperties2;

import dev.jasg.core.DType;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.KHRShaderBfloat16;
import org.lwjgl.vulkan.NVCooperativeMatrix2;
import org.lwjgl.vulkan.VkCooperativeMatrixFlexibleDimensionsPropertiesNV;
import org.lwjgl.vulkan.VkPhysicalDeviceCooperativeMatrix2FeaturesNV;
import org.lwjgl.vulkan.VkPhysicalDeviceCooperativeMatrix2PropertiesNV;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties2;
import org.lwjgl.vulkan.VkCooperativeMatrixPropertiesKHR;
import org.lwjgl.vulkan.VkDeviceCreateInfo;
import org.lwjgl.vulkan.VkExtensionProperties;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceCooperativeMatrixFeaturesKHR;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures2;
import org.lwjgl.vulkan.VkPhysicalDeviceShaderBfloat16FeaturesKHR;
import org.lwjgl.vulkan.VkPhysicalDeviceShaderFloat16Int8Features;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkanMemoryModelFeatures;

/**
 * What a device offers the tensor-core matrix product ({@code matmul_coop.comp}): whether it has
 * {@code VK_KHR_cooperative_matrix} with the feature on, {@code shaderFloat16} and the Vulkan memory
 * model the kernel's SPIR-V declares, and, from {@code vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR},
 * a subgroup-scope 16x16x16 shape with f16 (or, with {@code VK_KHR_shader_bfloat16} and its
 * cooperative-matrix feature, bf16) A and B and f32 C and result. A device without all of it
 * (Mesa's lavapipe, most integrated GPUs) gets {@link #NONE} and the plain f32 kernels.
 * {@link #enable} adds the extensions and feature structs to the device's create info.
 *
 * <p>Immutable; made once per device while it is opened.
 */
record CoopMatrix(boolean f16, boolean bf16, boolean bf16Extension, String summary, Workgroup workgroup) {
    /** No cooperative matrices. */
    static final CoopMatrix NONE = new CoopMatrix(false, false, false, "none", null);

    /**
     * What {@code VK_NV_cooperative_matrix2} offers {@code matmul_wg.comp}: workgroup-scope matrices with flexible
     * dimensions, tensor addressing and per-element operations, for f16 and/or bf16 operands with f32 accumulation, in
     * workgroups of exactly {@code invocations}, tile sides multiples of the granularities and at most {@code maxDimension};
     * {@code attention}: the reductions and use conversions the attention kernels need too.
     */
    record Workgroup(boolean f16, boolean bf16, int invocations, int mGranularity, int nGranularity, int kGranularity, int maxDimension,
                     boolean attention) {
        boolean supports(DType t) {
            return (t == DType.F16 && f16) || (t == DType.BF16 && bf16);
        }
    }

    /** This without the workgroup-scope kernel (the device refused its features). */
    CoopMatrix withoutWorkgroup() {
        return new CoopMatrix(f16, bf16, bf16Extension, summary, null);
    }
    /** System property that turns the cooperative-matrix kernels off ({@code false}), e.g. to compare with the plain kernel. */
    static final String PROPERTY = "jasg.vulkan.coopmat";

    /** True when products of {@code t} operands can run on the cooperative-matrix kernel. */
    boolean supports(DType t) {
        return (t == DType.F16 && f16) || (t == DType.BF16 && bf16);
    }

    /** Queries {@code physical} (a Vulkan 1.2 device; anything older gets {@link #NONE}), whose extensions are {@code ext} ({@link #extensions}). */
    static CoopMatrix query(VkPhysicalDevice physical, int apiVersion, Set<String> ext, MemoryStack s) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) return new CoopMatrix(false, false, false, "off (" + PROPERTY + "=false)", null);
        if (VK_API_VERSION_MAJOR(apiVersion) == 1 && VK_API_VERSION_MINOR(apiVersion) < 2) return NONE;
        if (!ext.contains(VK_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME)) return NONE;
        if (physical.getCapabilities().vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR == 0L) return NONE;
        boolean bfExt = ext.contains(KHRShaderBfloat16.VK_KHR_SHADER_BFLOAT16_EXTENSION_NAME);
        VkPhysicalDeviceCooperativeMatrixFeaturesKHR coop = VkPhysicalDeviceCooperativeMatrixFeaturesKHR.calloc(s).sType$Default();
        VkPhysicalDeviceShaderFloat16Int8Features f16 = VkPhysicalDeviceShaderFloat16Int8Features.calloc(s).sType$Default().pNext(coop.address());
        VkPhysicalDeviceVulkanMemoryModelFeatures mm = VkPhysicalDeviceVulkanMemoryModelFeatures.calloc(s).sType$Default().pNext(f16.address());
        VkPhysicalDeviceShaderBfloat16FeaturesKHR bf = VkPhysicalDeviceShaderBfloat16FeaturesKHR.calloc(s).sType$Default().pNext(mm.address());
        VkPhysicalDeviceFeatures2 f2 = VkPhysicalDeviceFeatures2.calloc(s).sType$Default().pNext(bfExt ? bf.address() : mm.address());
        vkGetPhysicalDeviceFeatures2(physical, f2);
        if (!coop.cooperativeMatrix() || !f16.shaderFloat16() || !mm.vulkanMemoryModel()) return NONE;
        boolean bfOk = bfExt && bf.shaderBFloat16Type() && bf.shaderBFloat16CooperativeMatrix();

        IntBuffer n = s.ints(0);
        if (vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(physical, n, null) != VK_SUCCESS || n.get(0) == 0) return NONE;
        VkCooperativeMatrixPropertiesKHR.Buffer ps = VkCooperativeMatrixPropertiesKHR.calloc(n.get(0), s);
        for (int i = 0; i < ps.capacity(); i++) ps.get(i).sType$Default();
        if (vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(physical, n, ps) != VK_SUCCESS) return NONE;
        boolean half = false, bfloat = false;
        List<String> shapes = new ArrayList<>();
        for (int i = 0; i < n.get(0); i++) {
            VkCooperativeMatrixPropertiesKHR p = ps.get(i);
            shapes.add(p.MSize() + "x" + p.NSize() + "x" + p.KSize() + " " + component(p.AType()) + "->" + component(p.ResultType()));
            boolean shape = p.MSize() == 16 && p.NSize() == 16 && p.KSize() == 16 && p.scope() == VK_SCOPE_SUBGROUP_KHR
                    && p.CType() == VK_COMPONENT_TYPE_FLOAT32_KHR && p.ResultType() == VK_COMPONENT_TYPE_FLOAT32_KHR && !p.saturatingAccumulation();
            if (shape && p.AType() == VK_COMPONENT_TYPE_FLOAT16_KHR && p.BType() == VK_COMPONENT_TYPE_FLOAT16_KHR) half = true;
            if (shape && bfOk && p.AType() == KHRShaderBfloat16.VK_COMPONENT_TYPE_BFLOAT16_KHR && p.BType() == KHRShaderBfloat16.VK_COMPONENT_TYPE_BFLOAT16_KHR) {
                bfloat = true;
            }
        }
        Workgroup wg = half || bfloat ? workgroup(physical, apiVersion, ext, half, bfloat, s) : null;
        return new CoopMatrix(half, bfloat, bfOk && bfloat, String.join(", ", shapes) + (wg == null ? "" : "; workgroup scope " + wg), wg);
    }

    /**
     * The workgroup-scope products of {@code VK_NV_cooperative_matrix2} (Vulkan 1.3 devices only: its SPIR-V is 1.6), or null:
     * the features the kernel uses, and a flexible-dimensions entry with workgroup scope, f32 C and result for f16 (when
     * {@code half}) or bf16 (when {@code bfloat}) operands; the entry with the most invocations (at most 256) sets the
     * workgroup and granularities.
     */
    private static Workgroup workgroup(VkPhysicalDevice physical, int apiVersion, Set<String> ext, boolean half, boolean bfloat, MemoryStack s) {
        if (VK_API_VERSION_MAJOR(apiVersion) == 1 && VK_API_VERSION_MINOR(apiVersion) < 3) return null;
        if (!ext.contains(NVCooperativeMatrix2.VK_NV_COOPERATIVE_MATRIX_2_EXTENSION_NAME)) return null;
        if (physical.getCapabilities().vkGetPhysicalDeviceCooperativeMatrixFlexibleDimensionsPropertiesNV == 0L) return null;
        VkPhysicalDeviceCooperativeMatrix2FeaturesNV f = VkPhysicalDeviceCooperativeMatrix2FeaturesNV.calloc(s).sType$Default();
        vkGetPhysicalDeviceFeatures2(physical, VkPhysicalDeviceFeatures2.calloc(s).sType$Default().pNext(f.address()));
        if (!f.cooperativeMatrixWorkgroupScope() || !f.cooperativeMatrixFlexibleDimensions() || !f.cooperativeMatrixTensorAddressing()
                || !f.cooperativeMatrixPerElementOperations()) {
            return null;
        }
        VkPhysicalDeviceCooperativeMatrix2PropertiesNV p = VkPhysicalDeviceCooperativeMatrix2PropertiesNV.calloc(s).sType$Default();
        vkGetPhysicalDeviceProperties2(physical, VkPhysicalDeviceProperties2.calloc(s).sType$Default().pNext(p.address()));
        IntBuffer n = s.ints(0);
        if (NVCooperativeMatrix2.vkGetPhysicalDeviceCooperativeMatrixFlexibleDimensionsPropertiesNV(physical, n, null) != VK_SUCCESS || n.get(0) == 0) return null;
        VkCooperativeMatrixFlexibleDimensionsPropertiesNV.Buffer ps = VkCooperativeMatrixFlexibleDimensionsPropertiesNV.calloc(n.get(0), s);
        for (int i = 0; i < ps.capacity(); i++) ps.get(i).sType$Default();
        if (NVCooperativeMatrix2.vkGetPhysicalDeviceCooperativeMatrixFlexibleDimensionsPropertiesNV(physical, n, ps) != VK_SUCCESS) return null;
        boolean attention = f.cooperativeMatrixReductions() && f.cooperativeMatrixConversions();
        Workgroup best = null;
        for (int i = 0; i < n.get(0); i++) {
            VkCooperativeMatrixFlexibleDimensionsPropertiesNV e = ps.get(i);
            if (e.scope() != VK_SCOPE_WORKGROUP_KHR || e.CType() != VK_COMPONENT_TYPE_FLOAT32_KHR || e.ResultType() != VK_COMPONENT_TYPE_FLOAT32_KHR
                    || e.saturatingAccumulation() || e.AType() != e.BType() || e.workgroupInvocations() > 256
                    || e.workgroupInvocations() > p.cooperativeMatrixWorkgroupScopeMaxWorkgroupSize()) {
                continue;
            }
            boolean h = half && e.AType() == VK_COMPONENT_TYPE_FLOAT16_KHR;
            boolean b = bfloat && e.AType() == KHRShaderBfloat16.VK_COMPONENT_TYPE_BFLOAT16_KHR;
            if (!h && !b) continue;
            if (best == null || e.workgroupInvocations() > best.invocations()) {
                best = new Workgroup(h, b, e.workgroupInvocations(), e.MGranularity(), e.NGranularity(), e.KGranularity(),
                        p.cooperativeMatrixFlexibleDimensionsMaxDimension(), attention);
            } else if (e.workgroupInvocations() == best.invocations() && e.MGranularity() == best.mGranularity() && e.NGranularity() == best.nGranularity()
                    && e.KGranularity() == best.kGranularity()) {
                best = new Workgroup(best.f16() || h, best.bf16() || b, best.invocations(), best.mGranularity(), best.nGranularity(), best.kGranularity(),
                        best.maxDimension(), attention);
            }
        }
        return best;
    }

    /** Adds the extensions and enabled features the kernels need to {@code dci}, when there is anything to enable. */
    void enable(VkDeviceCreateInfo dci, MemoryStack s) {
        if (!f16 && !bf16) return;
        List<String> names = new ArrayList<>(List.of(VK_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME));
        if (bf16Extension) names.add(KHRShaderBfloat16.VK_KHR_SHADER_BFLOAT16_EXTENSION_NAME);
        if (workgroup != null) names.add(NVCooperativeMatrix2.VK_NV_COOPERATIVE_MATRIX_2_EXTENSION_NAME);
        PointerBuffer pp = s.mallocPointer(names.size());
        for (String name : names) pp.put(s.UTF8(name));
        dci.ppEnabledExtensionNames(pp.flip());
        VkPhysicalDeviceCooperativeMatrixFeaturesKHR coop = VkPhysicalDeviceCooperativeMatrixFeaturesKHR.calloc(s).sType$Default().cooperativeMatrix(true)
                .pNext(dci.pNext());
        VkPhysicalDeviceShaderFloat16Int8Features f16f = VkPhysicalDeviceShaderFloat16Int8Features.calloc(s).sType$Default().shaderFloat16(true)
                .pNext(coop.address());
        VkPhysicalDeviceVulkanMemoryModelFeatures mm = VkPhysicalDeviceVulkanMemoryModelFeatures.calloc(s).sType$Default().vulkanMemoryModel(true)
                .pNext(f16f.address());
        long head = mm.address();
        if (bf16Extension) {
            head = VkPhysicalDeviceShaderBfloat16FeaturesKHR.calloc(s).sType$Default().shaderBFloat16Type(true).shaderBFloat16CooperativeMatrix(true)
                    .pNext(head).address();
        }
        if (workgroup != null) {
            head = VkPhysicalDeviceCooperativeMatrix2FeaturesNV.calloc(s).sType$Default().cooperativeMatrixWorkgroupScope(true)
                    .cooperativeMatrixFlexibleDimensions(true).cooperativeMatrixTensorAddressing(true).cooperativeMatrixPerElementOperations(true)
                    .cooperativeMatrixReductions(workgroup.attention()).cooperativeMatrixConversions(workgroup.attention()).pNext(head).address();
        }
        dci.pNext(head);
    }

    static Set<String> extensions(VkPhysicalDevice physical, MemoryStack s) {
        IntBuffer n = s.ints(0);
        vkEnumerateDeviceExtensionProperties(physical, (java.nio.ByteBuffer) null, n, null);
        VkExtensionProperties.Buffer es = VkExtensionProperties.malloc(n.get(0), s);
        vkEnumerateDeviceExtensionProperties(physical, (java.nio.ByteBuffer) null, n, es);
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n.get(0); i++) out.add(es.get(i).extensionNameString());
        return out;
    }

    private static String component(int t) {
        return switch (t) {
            case VK_COMPONENT_TYPE_FLOAT16_KHR -> "f16";
            case VK_COMPONENT_TYPE_FLOAT32_KHR -> "f32";
            case VK_COMPONENT_TYPE_SINT8_KHR -> "s8";
            case VK_COMPONENT_TYPE_UINT8_KHR -> "u8";
            case VK_COMPONENT_TYPE_SINT32_KHR -> "s32";
            default -> t == KHRShaderBfloat16.VK_COMPONENT_TYPE_BFLOAT16_KHR ? "bf16" : "type" + t;
        };
    }
}
