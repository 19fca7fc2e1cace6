package dev.jasg.viewer.build;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a project using JASG from a repository sees besides the classes: the BOM lists every published
 * artifact (issue 13 item 17) and every jar has a stable Automatic-Module-Name (item 20). The built
 * jars' manifests are checked by the command in README ("Use it from Maven/Gradle"); this test checks
 * the POMs that produce them, so it runs with {@code mvn test}.
 */
class PublishedArtifactsTest {
    @Test
    void bomListsEveryPublishedArtifactAndIsInTheReactor() throws Exception {
        assertTrue(ReactorPoms.modules().contains("jasg-bom"), "the reactor builds jasg-bom: " + ReactorPoms.modules());
        Element bom = ReactorPoms.read(ReactorPoms.root().resolve("jasg-bom/pom.xml"));
        assertEquals("dev.jasg", ReactorPoms.text(bom, "groupId").orElse(null), "jasg-bom groupId");
        assertEquals("pom", ReactorPoms.text(bom, "packaging").orElse(null), "jasg-bom packaging");
        Element parent = ReactorPoms.read(ReactorPoms.root().resolve("pom.xml"));
        assertEquals(ReactorPoms.text(parent, "version"), ReactorPoms.text(bom, "version"), "jasg-bom version (in step with jasg-parent)");
        Set<String> listed = new HashSet<>();
        for (Element d : ReactorPoms.children(ReactorPoms.child(bom, "dependencyManagement").flatMap(m -> ReactorPoms.child(m, "dependencies")).orElseThrow(), "dependency")) {
            assertEquals("dev.jasg", ReactorPoms.text(d, "groupId").orElse(null), "groupId in jasg-bom");
            assertEquals("${project.version}", ReactorPoms.text(d, "version").orElse(null), "version of " + ReactorPoms.text(d, "artifactId").orElse("?") + " in jasg-bom");
            listed.add(ReactorPoms.text(d, "artifactId").orElseThrow());
        }
        assertEquals(new HashSet<>(ReactorPoms.publishedJars()), listed, "jasg-bom's artifacts against the reactor's published modules");
    }

    @Test
    void everyJarNamesItsModuleAfterItsPackage() throws Exception {
        List<String> problems = new ArrayList<>();
        String parentPom = Files.readString(ReactorPoms.root().resolve("pom.xml"));
        if (!parentPom.contains("<Automatic-Module-Name>${jasg.module.name}</Automatic-Module-Name>"))
            problems.add("pom.xml: maven-jar-plugin does not write Automatic-Module-Name from ${jasg.module.name}");
        Set<String> seen = new HashSet<>();
        for (String module : ReactorPoms.modules()) {
            if (module.equals("jasg-bom")) continue;
            Path dir = ReactorPoms.root().resolve(module);
            String name = ReactorPoms.text(ReactorPoms.read(dir.resolve("pom.xml")), "properties", "jasg.module.name").orElse(null);
            if (name == null) { problems.add(module + ": no jasg.module.name property (the jar's Automatic-Module-Name)"); continue; }
            if (!seen.add(name)) problems.add(module + ": Automatic-Module-Name " + name + " is used twice");
            Path pkg = dir.resolve("src/main/java").resolve(name.replace('.', '/'));
            if (!Files.isDirectory(pkg)) problems.add(module + ": Automatic-Module-Name " + name + " is no package of the module (" + pkg + " missing)");
        }
        assertEquals(List.of(), problems);
    }
}
