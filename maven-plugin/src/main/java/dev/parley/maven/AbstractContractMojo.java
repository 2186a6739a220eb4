package dev.parley.maven;

import dev.parley.contract.ContractClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What both goals share: the project, the configured contract interfaces, the skip switch, and
 * loading the contracts from the project's compiled classes and compile class path.
 */
abstract class AbstractContractMojo extends AbstractMojo {

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /**
     * The contract interfaces to describe, as fully qualified class names
     * ({@code com.example.trips.TripService}; a nested interface as {@code com.example.Api$Trips}).
     */
    @Parameter(property = "parley.contracts", required = true)
    List<String> contracts = new ArrayList<>();

    /** Skips the goal. */
    @Parameter(property = "parley.skip", defaultValue = "false")
    boolean skip;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("parley: skipped (parley.skip is set)");
            return;
        }
        List<Path> classpath = new ArrayList<>();
        try {
            for (String element : project.getCompileClasspathElements()) {
                classpath.add(Path.of(element));
            }
        } catch (DependencyResolutionRequiredException e) {
            throw new MojoExecutionException("parley: the compile class path of " + project.getId() + " is not resolved: " + e.getMessage(), e);
        }
        // dev.parley.* resolves from this plugin's class loader first: ContractDescriptor.of looks for
        // the plugin's own @Contract class, not the copy in the project's parley-core jar.
        try (ContractClassLoader loader = ContractClassLoader.of(classpath, getClass().getClassLoader())) {
            execute(ContractBuild.load(loader, contracts, getLog()));
        }
    }

    abstract void execute(ContractBuild build) throws MojoExecutionException, MojoFailureException;
}
