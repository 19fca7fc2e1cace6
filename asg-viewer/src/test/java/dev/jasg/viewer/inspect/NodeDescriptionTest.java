package dev.jasg.viewer.inspect;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.nn.loss.Losses;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.ViewNode;
import dev.jasg.viewer.demo.DemoModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inspector's pages say what the node is, in the chosen language, with roles and initialisers recognised. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeDescriptionTest {
    private static GraphModel[] models(DemoModel dm) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 1, 28, 28);
        Tensor y = g.input("y", DType.I32, "B");
        Tensor loss = Losses.crossEntropy(dm.build().apply(x), y);
        g.output("loss", loss);
        Graph forward = g.build();
        int[] wrt = forward.parameters().values().stream().mapToInt(Node::id).toArray();
        Graph grads = Autograd.gradients(forward, loss.id(), wrt);
        return new GraphModel[] {GraphModel.of(forward, grads, GraphModel.Mode.FORWARD), GraphModel.of(forward, grads, GraphModel.Mode.GRADIENT)};
    }

    private static String page(Language l, GraphModel m, Predicate<ViewNode> which) {
        ViewNode v = m.nodes().stream().filter(which).findFirst().orElseThrow();
        return NodeDescription.html(l, m, v);
    }

    private static Predicate<ViewNode> parameter(String name) {
        return v -> !v.isOutput() && !v.proxy() && v.node().op() instanceof Op.Parameter p && p.name().equals(name);
    }

    @Test
    void aLinearWeightHasItsRoleAndPyTorchsDefaultInit() {
        GraphModel fwd = models(DemoModel.MLP)[0];
        String ru = page(Language.RU, fwd, parameter("1.weight"));
        assertTrue(ru.contains("Матрица весов W линейного слоя «1»") && ru.contains("из 784 признаков в 128"), ru);
        assertTrue(ru.contains("начальное распределение PyTorch") && ru.contains("fan_in = 784"), ru);
        assertTrue(ru.contains("Обучается оптимизатором"), ru);
        String en = page(Language.EN, fwd, parameter("1.weight"));
        assertTrue(en.contains("Weight matrix W of the linear layer “1”") && en.contains("PyTorch’s default"), en);
    }

    @Test
    void attentionProjectionsAreNamedAndXavierIsRecognised() {
        GraphModel fwd = models(DemoModel.TRANSFORMER)[0];
        String en = page(Language.EN, fwd, parameter("block.self_attn.q_proj.weight"));
        assertTrue(en.contains("Query projection W_Q") && en.contains("Xavier (Glorot) uniform"), en);
        String ru = page(Language.RU, fwd, parameter("block.norm1.weight"));
        assertTrue(ru.contains("Масштаб γ нормализации") && ru.contains("Единицы"), ru);
        String gelu = page(Language.RU, fwd, v -> v.node().op().label().equals("gelu"));
        assertTrue(gelu.contains("GELU") && gelu.contains("трансформеров") && gelu.contains("block.ff"), gelu);
    }

    @Test
    void convolutionNodesAndTheirKernels() {
        GraphModel[] m = models(DemoModel.CNN);
        String conv = page(Language.RU, m[0], v -> v.node().op().label().equals("conv2d"));
        assertTrue(conv.contains("Двумерная свёртка") && conv.contains("NCHW"), conv);
        String kernel = page(Language.EN, m[0], parameter("0.weight"));
        assertTrue(kernel.contains("Convolution kernel of “0” (8 filters × 1 input channels × 3×3 pixels)") && kernel.contains("fan_in = 9"), kernel);
        String weightGrad = page(Language.EN, m[1], v -> v.node().op().label().equals("conv2d_weight_grad") && !v.proxy());
        assertTrue(weightGrad.contains("gradient of conv2d with respect to its kernel") && weightGrad.contains("backward pass"), weightGrad);
        String pool = page(Language.RU, m[0], v -> v.node().op().label().equals("max_pool_select"));
        assertTrue(pool.contains("max-пулинг"), pool);
    }

    @Test
    void outputsAndStandInsExplainThemselves() {
        GraphModel grad = models(DemoModel.MLP)[1];
        String out = page(Language.EN, grad, v -> v.isOutput() && v.output().equals("grad:1.weight"));
        assertTrue(out.contains("∂loss/∂1.weight"), out);
        String proxy = page(Language.RU, grad, ViewNode::proxy);
        assertTrue(proxy.contains("заместитель"), proxy);
        String empty = NodeDescription.empty(Language.RU);
        assertTrue(empty.contains("Инспектор узлов"), empty);
    }
}
