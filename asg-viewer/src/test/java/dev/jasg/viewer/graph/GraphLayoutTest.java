package dev.jasg.viewer.graph;

import dev.jasg.core.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class GraphLayoutTest {
    /**
     * The layout benchmark's large case completes: 2,000+ boxes in the gradient view of twelve
     * transformer blocks. Speed is measured by {@code dev.jasg.bench.LayoutBench}, not here; the budget is
     * only a guard against a layout that no longer finishes.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aGraphOfTwoThousandBoxesIsLaidOut() {
        GraphModel model = SampleGraphs.model(12, GraphModel.Mode.GRADIENT);
        assertTrue(model.nodes().size() >= 2000, model.nodes().size() + " boxes");
        SampleGraphs.Result r = SampleGraphs.measure(model);
        assertEquals(model.nodes().size(), r.boxes());
        assertTrue(r.millis() < 90_000, r.millis() + " ms");
    }

    @Test
    void boxesDoNotOverlapAndScopesHoldTheirBoxes() {
        GraphModel model = SampleGraphs.model(1, GraphModel.Mode.FORWARD);
        LayoutResult r = new GraphLayout().layout(model, Set.of());
        List<LayoutResult.Box> boxes = r.boxes();
        for (int i = 0; i < boxes.size(); i++) {
            Rectangle2D a = boxes.get(i).bounds();
            assertTrue(r.bounds().contains(a), "box " + i + " outside the graph");
            for (int j = i + 1; j < boxes.size(); j++) assertFalse(a.intersects(boxes.get(j).bounds()), "boxes " + i + " and " + j + " overlap");
        }
        for (LayoutResult.Group g : r.groups()) {
            for (int index : model.scopes().get(g.scope())) {
                int b = r.boxOf(index);
                Rectangle2D box = r.boxes().get(b).bounds();
                assertTrue(g.bounds().contains(box.getCenterX(), box.getCenterY()), g.scope() + " does not hold box " + index);
            }
        }
        for (LayoutResult.Route e : r.edges()) {
            assertTrue(e.xs().length >= 2);
            Rectangle2D to = r.boxes().get(e.to()).bounds();
            double ex = e.xs()[e.xs().length - 1], ey = e.ys()[e.ys().length - 1];
            assertTrue(to.getMinY() - 1 <= ey && ey <= to.getMaxY() + 1 && to.getMinX() - 1 <= ex && ex <= to.getMaxX() + 1, "edge ends at its target");
            assertFalse(e.label().isEmpty());
        }
    }

    @Test
    void collapsingAScopeMakesOneBoxAndMergesItsEdges() {
        GraphModel model = SampleGraphs.model(2, GraphModel.Mode.FORWARD);
        Set<String> collapsed = Set.of("block0", "block1");
        LayoutResult r = new GraphLayout().layout(model, collapsed);
        long scopes = r.boxes().stream().filter(LayoutResult.Box::isScope).count();
        assertEquals(2, scopes);
        int inside = model.scopes().get("block0").size();
        LayoutResult.Box b0 = r.boxes().stream().filter(b -> "block0".equals(b.scope())).findFirst().orElseThrow();
        assertEquals(inside, b0.count());
        assertEquals(model.nodes().size() - inside - model.scopes().get("block1").size() + 2, r.boxes().size());
        assertTrue(GraphLayout.visible(model, GraphLayout.collapseToFit(model, 60)) <= 60 || GraphLayout.collapseToFit(model, 60).stream().noneMatch(s -> s.contains(".")));
    }

    @Test
    void theGradientViewHasStandInsForForwardValues() {
        GraphModel grad = SampleGraphs.model(1, GraphModel.Mode.GRADIENT);
        assertTrue(grad.nodes().stream().anyMatch(ViewNode::proxy));
        assertTrue(grad.nodes().stream().filter(v -> !v.proxy() && !v.isOutput()).allMatch(ViewNode::gradient));
        assertTrue(grad.nodes().stream().filter(ViewNode::isOutput).allMatch(v -> v.output().startsWith("grad:")));
        GraphModel fwd = SampleGraphs.model(1, GraphModel.Mode.FORWARD);
        assertTrue(fwd.nodes().stream().noneMatch(v -> v.proxy() || v.gradient()));
        assertTrue(fwd.nodes().stream().anyMatch(v -> v.node().op() instanceof Op.Normalize && v.category() == Category.NORMALISATION));
    }

    @Test
    void pngAndSvgExports(@TempDir Path dir) throws Exception {
        LayoutResult r = new GraphLayout().layout(SampleGraphs.model(1, GraphModel.Mode.FORWARD), Set.of());
        GraphExport.png(r, GraphPainter.Palette.light(), GraphPainter.Marks.none(), "nodes: {0}", dir.resolve("g.png"));
        GraphExport.svg(r, GraphPainter.Palette.darkTheme(), GraphPainter.Marks.none(), "nodes: {0}", dir.resolve("g.svg"));
        assertTrue(Files.size(dir.resolve("g.png")) > 10_000);
        String svg = Files.readString(dir.resolve("g.svg"));
        assertTrue(svg.startsWith("<?xml") || svg.contains("<svg"));
        assertTrue(svg.contains("matmul"));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files left");
        }
    }
}
