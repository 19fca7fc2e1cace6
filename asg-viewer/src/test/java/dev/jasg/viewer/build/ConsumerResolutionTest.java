package dev.jasg.viewer.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A project that depends on the published artifacts resolves no version range (issue 13 item 18).
 *
 * <p>Inside this reactor the parent's dependencyManagement pins every version, so a range declared
 * deep in the tree (ELK's Guava {@code [15.0,)}) is invisible here; a consumer does not inherit that
 * management and had to resolve the range, which failed offline. So this test writes a consumer
 * project that imports {@code jasg-bom} and depends on every artifact it lists, and builds it in a
 * reactor with the published modules themselves (their POMs are read from this checkout, nothing is
 * installed), offline, with maven-enforcer's {@code banDynamicVersions} rule. A range anywhere in
 * the consumer's tree fails it, either as the rule's report or, when the range's metadata was never
 * downloaded, as "No versions available for ... within specified range" (the original symptom).
 * It starts one Maven (a few seconds); the POM reading needs no network.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsumerResolutionTest {
    @Test
    void aConsumerOfEveryPublishedArtifactResolvesNoVersionRange() throws Exception {
        String mavenHome = System.getProperty("jasg.maven.home", "");
        assumeTrue(!mavenHome.isBlank() && !mavenHome.startsWith("${"), "run through Maven (mvn test), which passes jasg.maven.home");
        Path root = ReactorPoms.root();
        Path work = root.resolve("asg-viewer/target/consumer-check");
        Path consumer = work.resolve("consumer");
        Files.createDirectories(consumer);

        StringBuilder modules = new StringBuilder();
        for (String m : ReactorPoms.publishedJars()) modules.append("    <module>").append(work.relativize(root.resolve(m)).toString().replace('\\', '/')).append("</module>\n");
        modules.append("    <module>").append(work.relativize(root.resolve("jasg-bom")).toString().replace('\\', '/')).append("</module>\n");
        Files.writeString(work.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>consumer.check</groupId><artifactId>reactor</artifactId><version>1</version><packaging>pom</packaging>
                  <modules>
                %s    <module>consumer</module>
                  </modules>
                </project>
                """.formatted(modules));

        String version = ReactorPoms.text(ReactorPoms.read(root.resolve("jasg-bom/pom.xml")), "version").orElseThrow();
        StringBuilder deps = new StringBuilder();
        for (String m : ReactorPoms.publishedJars()) deps.append("    <dependency><groupId>dev.jasg</groupId><artifactId>").append(m).append("</artifactId></dependency>\n");
        // No parent: exactly what a user's project sees. Only our own SNAPSHOTs are allowed as dynamic versions.
        Files.writeString(consumer.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>consumer.check</groupId><artifactId>consumer</artifactId><version>1</version>
                  <dependencyManagement><dependencies>
                    <dependency><groupId>dev.jasg</groupId><artifactId>jasg-bom</artifactId><version>%s</version><type>pom</type><scope>import</scope></dependency>
                  </dependencies></dependencyManagement>
                  <dependencies>
                %s  </dependencies>
                  <build><plugins><plugin>
                    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-enforcer-plugin</artifactId><version>%s</version>
                    <executions><execution><id>no-version-ranges</id><phase>validate</phase><goals><goal>enforce</goal></goals>
                      <configuration><rules><banDynamicVersions><allowSnapshots>true</allowSnapshots></banDynamicVersions></rules></configuration>
                    </execution></executions>
                  </plugin></plugins></build>
                </project>
                """.formatted(version, deps, System.getProperty("jasg.enforcer.version")));

        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        List<String> cmd = new ArrayList<>(List.of(Path.of(mavenHome, "bin", windows ? "mvn.cmd" : "mvn").toString(),
                "-o", "-B", "-q", "-f", work.resolve("pom.xml").toString(), "-pl", "consumer", "-am", "validate"));
        String repo = System.getProperty("jasg.maven.repo.local", "");
        if (!repo.isBlank() && !repo.startsWith("${")) cmd.add("-Dmaven.repo.local=" + repo);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path log = work.resolve("mvn.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(150, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        assertTrue(done, "the consumer build did not finish in 150 s; see " + log);
        List<String> published = ReactorPoms.publishedJars();
        assertEquals(0, p.exitValue(), () -> "a consumer of " + published + " resolves a version range (or fails to resolve):\n" + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains("ERROR") || l.contains("range") || l.contains("dynamic")).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
