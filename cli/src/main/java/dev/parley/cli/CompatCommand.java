package dev.parley.cli;

import dev.parley.contract.Compatibility;
import dev.parley.contract.CompatibilityReport;
import dev.parley.contract.ContractDescriptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parley compat <previous.json> <current.json>}: prints the compatibility report of two
 * descriptor files (as written by the Maven plugin's {@code descriptor} goal or by
 * {@code parley describe}) and exits 0 when the current one can replace the previous one, 1 when
 * it breaks it.
 */
@Command(name = "compat",
        description = "Compares two contract descriptors and prints the changes, breaking ones first.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:compatible (or unchanged)",
            "1:breaking changes",
            "2:bad input: a missing file, or one that is not a contract descriptor",
            "3:internal error"})
final class CompatCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<previous.json>", description = "The descriptor of the previous release (the baseline).")
    Path previous;

    @Parameters(index = "1", paramLabel = "<current.json>", description = "The descriptor of the release to check.")
    Path current;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ContractDescriptor before = read(previous, "previous");
        ContractDescriptor after = read(current, "current");
        CompatibilityReport report = Compatibility.check(before, after);
        PrintWriter out = spec.commandLine().getOut();
        out.println(report.render());
        out.flush();
        return report.isCompatible() ? 0 : ParleyCommand.BREAKING;
    }

    static ContractDescriptor read(Path file, String role) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException(role + " descriptor " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new InputException(role + " descriptor " + file + " cannot be read: access denied", e);
        } catch (CharacterCodingException e) {
            throw new InputException(role + " descriptor " + file + " is not UTF-8 text (expected: descriptor JSON)", e);
        } catch (IOException e) {
            throw new InputException(role + " descriptor " + file + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return ContractDescriptor.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new InputException(role + " descriptor " + file + ": " + e.getMessage(), e);
        }
    }
}
