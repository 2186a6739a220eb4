package dev.parley.maven;

import java.io.File;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Writes the descriptor of each configured contract as {@code <contract-name>-v<major>.json} into
 * {@code target/parley}, right after compilation. These files are what you keep as the baseline
 * of a release (copy them to {@code src/contract-baseline}) and what other tools read.
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>dev.parley</groupId>
 *   <artifactId>parley-maven-plugin</artifactId>
 *   <configuration>
 *     <contracts><contract>com.example.trips.TripService</contract></contracts>
 *   </configuration>
 *   <executions>
 *     <execution><goals><goal>descriptor</goal><goal>check-compatibility</goal></goals></execution>
 *   </executions>
 * </plugin>
 * }</pre>
 *
 * <p>A misdeclared contract fails the build with the message naming the method and the problem.
 */
@Mojo(name = "descriptor", defaultPhase = LifecyclePhase.PROCESS_CLASSES,
        requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public final class DescriptorMojo extends AbstractContractMojo {

    /** Where the descriptor files go. */
    @Parameter(property = "parley.outputDirectory", defaultValue = "${project.build.directory}/parley", required = true)
    File outputDirectory;

    @Override
    void execute(ContractBuild build) throws MojoExecutionException {
        build.writeDescriptors(outputDirectory.toPath());
    }
}
