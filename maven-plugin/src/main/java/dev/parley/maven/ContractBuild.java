package dev.parley.maven;

import dev.parley.contract.Compatibility;
import dev.parley.contract.CompatibilityReport;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.ContractException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/**
 * The work behind both goals, kept apart from Maven's injection so that it can be tested with a
 * plain class loader and temporary directories: load the configured contract interfaces, describe
 * them, write the descriptors, and compare them with the baseline descriptors.
 *
 * <p>Problems in the project (an unknown class name, a misdeclared contract, a breaking change, an
 * unreadable baseline) are {@link MojoFailureException}s, which Maven reports as a build failure;
 * I/O errors are {@link MojoExecutionException}s.
 */
final class ContractBuild {

    private final List<ContractDescriptor> descriptors;
    private final Log log;

    private ContractBuild(List<ContractDescriptor> descriptors, Log log) {
        this.descriptors = List.copyOf(descriptors);
        this.log = log;
    }

    /**
     * Loads every class in {@code contractClasses} with {@code loader} and describes it.
     *
     * @throws MojoFailureException when no contract is configured, a class is missing or cannot be
     *                              linked, a class is not a valid contract, or two classes describe
     *                              the same contract name and major version
     */
    static ContractBuild load(ClassLoader loader, List<String> contractClasses, Log log) throws MojoFailureException {
        if (contractClasses.isEmpty()) {
            throw new MojoFailureException("parley: no contracts configured (expected: <contracts><contract>"
                    + "com.example.TripService</contract></contracts> in the parley-maven-plugin configuration)");
        }
        Map<String, String> byFile = new LinkedHashMap<>();
        List<ContractDescriptor> descriptors = new ArrayList<>();
        for (String className : contractClasses) {
            ContractDescriptor descriptor = describe(loader, className.strip());
            String previous = byFile.putIfAbsent(fileName(descriptor), className.strip());
            if (previous != null) {
                throw new MojoFailureException("parley: " + previous + " and " + className.strip() + " both describe contract "
                        + descriptor.address() + " (expected: one interface per contract name and major version)");
            }
            descriptors.add(descriptor);
        }
        return new ContractBuild(descriptors, log);
    }

    private static ContractDescriptor describe(ClassLoader loader, String className) throws MojoFailureException {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new MojoFailureException("parley: contract class " + className + " not found in the project's classes or"
                    + " compile class path (expected: a fully qualified interface name, with $ before a nested interface's name;"
                    + " was the class compiled?)", e);
        } catch (LinkageError e) {
            throw new MojoFailureException("parley: contract class " + className + " cannot be loaded: " + e, e);
        }
        try {
            return ContractDescriptor.of(type);
        } catch (ContractException e) {
            throw new MojoFailureException("parley: " + className + " is not a valid contract: " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new MojoFailureException("parley: contract class " + className + " refers to a class that cannot be loaded: " + e, e);
        }
    }

    /** {@code <contract-name>-v<major>.json}, the descriptor and baseline file name of a contract. */
    static String fileName(ContractDescriptor descriptor) {
        return descriptor.name() + "-v" + descriptor.version().major() + ".json";
    }

    List<ContractDescriptor> descriptors() {
        return descriptors;
    }

    /** Writes each descriptor to {@code <outputDirectory>/<contract-name>-v<major>.json} and returns the files. */
    List<Path> writeDescriptors(Path outputDirectory) throws MojoExecutionException {
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(outputDirectory);
            for (ContractDescriptor descriptor : descriptors) {
                Path file = outputDirectory.resolve(fileName(descriptor));
                Files.writeString(file, descriptor.toJson() + "\n", StandardCharsets.UTF_8);
                log.info("parley: wrote descriptor of contract " + descriptor.name() + " " + descriptor.version() + " to " + file);
                written.add(file);
            }
        } catch (IOException e) {
            throw new MojoExecutionException("parley: cannot write contract descriptors to " + outputDirectory + ": " + e, e);
        }
        return written;
    }

    /**
     * Compares each contract with {@code <baselineDirectory>/<contract-name>-v<major>.json}. Logs
     * compatible changes; a missing baseline is a warning, or a failure when
     * {@code failOnMissingBaseline}.
     *
     * @return the reports of the contracts that had a baseline
     * @throws MojoFailureException with the rendered reports when a contract has breaking changes,
     *                              when a baseline is missing and {@code failOnMissingBaseline}, or
     *                              when a baseline is not a valid descriptor
     */
    List<CompatibilityReport> checkCompatibility(Path baselineDirectory, boolean failOnMissingBaseline)
            throws MojoFailureException, MojoExecutionException {
        List<CompatibilityReport> reports = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (ContractDescriptor current : descriptors) {
            Path baselineFile = baselineDirectory.resolve(fileName(current));
            if (!Files.isRegularFile(baselineFile)) {
                String missing = "no baseline for contract " + current.address() + " at " + baselineFile;
                if (failOnMissingBaseline) {
                    failures.add(missing + " (failOnMissingBaseline is set; copy the descriptor written by the"
                            + " 'descriptor' goal there once the contract is released)");
                } else {
                    log.warn("parley: " + missing + "; skipping its compatibility check. If this is its first release,"
                            + " copy the descriptor written by the 'descriptor' goal there once it is released.");
                }
                continue;
            }
            ContractDescriptor baseline = readBaseline(baselineFile);
            CompatibilityReport report = Compatibility.check(baseline, current);
            reports.add(report);
            if (report.isCompatible()) {
                report.render().lines().forEach(line -> log.info("parley: " + line));
            } else {
                failures.add("contract " + current.name() + " breaks compatibility with its baseline " + baselineFile + "\n"
                        + report.render());
            }
        }
        if (!failures.isEmpty()) {
            throw new MojoFailureException(String.join("\n\n", failures));
        }
        return reports;
    }

    private static ContractDescriptor readBaseline(Path file) throws MojoFailureException, MojoExecutionException {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MojoExecutionException("parley: cannot read baseline " + file + ": " + e, e);
        }
        try {
            return ContractDescriptor.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("parley: baseline " + file + " is not a valid contract descriptor: " + e.getMessage(), e);
        }
    }
}
