package dev.parley.maven;

import com.example.fleet.FleetService;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.apache.maven.project.MavenProject;

/** A Maven project whose compiled classes are this module's test classes, where the test contracts live. */
final class TestProjects {

    private TestProjects() {}

    static MavenProject withTestContracts() {
        MavenProject project = new MavenProject();
        project.getBuild().setOutputDirectory(testClasses().toString());
        return project;
    }

    static Path testClasses() {
        try {
            return Path.of(FleetService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes", e);
        }
    }
}
