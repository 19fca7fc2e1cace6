package dev.jasg.viewer.build;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the reactor's POM files for the build tests (plain DOM: no Maven libraries on the test class path). */
final class ReactorPoms {
    /** Reactor modules that are not published: programs, not libraries. */
    static final List<String> UNPUBLISHED = List.of("examples", "benchmarks", "jasg-bom");

    private ReactorPoms() {}

    /** The reactor root: asg-viewer's parent directory (surefire runs tests in the module's basedir). */
    static Path root() {
        Path basedir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path root = basedir.getParent();
        if (root == null || !Files.isRegularFile(root.resolve("pom.xml")))
            throw new IllegalStateException("no reactor pom.xml above " + basedir);
        return root;
    }

    static Element read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    /** The direct child elements of {@code parent} named {@code name}. */
    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++)
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) out.add(e);
        return out;
    }

    static Optional<Element> child(Element parent, String name) {
        return children(parent, name).stream().findFirst();
    }

    /** The text of the path of child elements below {@code parent}, e.g. {@code text(pom, "properties", "x")}. */
    static Optional<String> text(Element parent, String... path) {
        Element e = parent;
        for (String name : path) {
            Optional<Element> next = child(e, name);
            if (next.isEmpty()) return Optional.empty();
            e = next.get();
        }
        return Optional.of(e.getTextContent().trim());
    }

    /** The root pom's modules, in reactor order. */
    static List<String> modules() throws Exception {
        Element root = read(root().resolve("pom.xml"));
        return child(root, "modules").map(m -> children(m, "module").stream().map(Node::getTextContent).map(String::trim).toList())
                .orElseThrow();
    }

    /** The published (jar) modules: every reactor module but {@link #UNPUBLISHED}. */
    static List<String> publishedJars() throws Exception {
        return modules().stream().filter(m -> !UNPUBLISHED.contains(m)).toList();
    }
}
