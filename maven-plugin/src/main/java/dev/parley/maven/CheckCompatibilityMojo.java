package dev.parley.maven;

import java.io.File;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Fails the build when a configured contract breaks compatibility with its previous release.
 *
 * <p>The previous release is the baseline descriptor {@code <contract-name>-v<major>.json} in
 * {@code baselineDirectory} (by default {@code src/contract-baseline}), normally a copy of the
 * file the {@code descriptor} goal wrote for that release. Breaking changes fail the build with
 * the full report; compatible changes are logged. Raising the major version allows anything, and
 * since the file name carries the major version a new major simply has no baseline yet.
 *
 * <p>A contract without a baseline file (its first release) logs a warning and passes, unless
 * {@code failOnMissingBaseline} is set.
 */
@Mojo(name = "check-compatibility", defaultPhase = LifecyclePhase.VERIFY,
        requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public final class CheckCompatibilityMojo extends AbstractContractMojo {

    /** Where the baseline descriptors of the previous releases are kept. */
    @Parameter(property = "parley.baselineDirectory", defaultValue = "${project.basedir}/src/contract-baseline", required = true)
    File baselineDirectory;

    /** Whether a contract without a baseline file fails the build instead of logging a warning. */
    @Parameter(property = "parley.failOnMissingBaseline", defaultValue = "false")
    boolean failOnMissingBaseline;

    @Override
    void execute(ContractBuild build) throws MojoExecutionException, MojoFailureException {
        build.checkCompatibility(baselineDirectory.toPath(), failOnMissingBaseline);
    }
}
