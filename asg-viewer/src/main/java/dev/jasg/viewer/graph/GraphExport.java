package dev.jasg.viewer.graph;

import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a whole laid-out graph to a file: PNG (raster, scaled down when the graph would exceed
 * {@value #MAX_PIXELS} pixels) or SVG (vector, through JFreeSVG), with the same painter as the
 * canvas. Files are written to a temporary sibling and moved into place, so a failed export never
 * leaves half a file.
 */
public final class GraphExport {
    /** The largest PNG, in pixels. */
    public static final long MAX_PIXELS = 60_000_000L;

    private GraphExport() {}

    /** The whole graph as an image at {@code scale} (or smaller, to stay under {@link #MAX_PIXELS}). */
    public static BufferedImage image(LayoutResult layout, GraphPainter.Palette palette, GraphPainter.Marks marks, double scale, String nodesFormat) {
        Rectangle2D b = layout.bounds();
        double s = Math.min(scale, Math.sqrt(MAX_PIXELS / Math.max(1, b.getWidth() * b.getHeight())));
        s = Math.min(s, 16_000 / Math.max(b.getWidth(), b.getHeight()));
        int w = Math.max(1, (int) Math.ceil(b.getWidth() * s)), h = Math.max(1, (int) Math.ceil(b.getHeight() * s));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(palette.background());
            g.fillRect(0, 0, w, h);
            g.transform(AffineTransform.getScaleInstance(s, s));
            g.translate(-b.getX(), -b.getY());
            GraphPainter.paint(g, layout, palette, marks, Math.max(s, 1), nodesFormat);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes the graph as a PNG at zoom 2 (for sharp text), or smaller when large. */
    public static void png(LayoutResult layout, GraphPainter.Palette palette, GraphPainter.Marks marks, String nodesFormat, Path file) throws IOException {
        BufferedImage img = image(layout, palette, marks, 2, nodesFormat);
        writeAtomically(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
        });
    }

    /** Writes the graph as an SVG document. */
    public static void svg(LayoutResult layout, GraphPainter.Palette palette, GraphPainter.Marks marks, String nodesFormat, Path file) throws IOException {
        writeAtomically(file, tmp -> SVGUtils.writeToSVG(tmp.toFile(), svgDocument(layout, palette, marks, nodesFormat)));
    }

    /** The graph as an SVG document. */
    public static String svgDocument(LayoutResult layout, GraphPainter.Palette palette, GraphPainter.Marks marks, String nodesFormat) {
        Rectangle2D b = layout.bounds();
        SVGGraphics2D g = new SVGGraphics2D(Math.max(1, b.getWidth()), Math.max(1, b.getHeight()));
        g.setColor(palette.background());
        g.fill(new Rectangle2D.Double(0, 0, b.getWidth(), b.getHeight()));
        g.translate(-b.getX(), -b.getY());
        g.setClip(b);
        GraphPainter.paint(g, layout, palette, marks, 1, nodesFormat);
        return g.getSVGDocument();
    }

    /** What writes the file's content to a temporary path. */
    @FunctionalInterface
    interface Writer {
        void write(Path tmp) throws IOException;
    }

    static void writeAtomically(Path file, Writer w) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        // A sibling, not Files.createTempFile: that makes the file owner-only, and the move would keep it so.
        Path tmp = (dir != null ? dir : Path.of(".")).resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            w.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
