package dev.parley.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.contract.ContractClassLoader;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.ContractException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parley describe --classpath <path> <contract-class>...}: loads compiled contract
 * interfaces and prints their descriptors as JSON, one object for one class and an array of
 * objects for several, so that the output always parses. Redirect it to a file to get a baseline
 * for {@code parley compat}.
 */
@Command(name = "describe",
        description = "Prints the descriptor JSON of compiled contract interfaces (an array when several are given).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:described",
            "2:bad input: a missing class path entry, an unknown class, or a misdeclared contract",
            "3:internal error"})
final class DescribeCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = {"--classpath", "-cp"}, required = true, paramLabel = "<path>",
            description = "Class directories and jars holding the contracts and their messages, separated by '${sys:path.separator}'.")
    String classpath;

    @Parameters(arity = "1..*", paramLabel = "<contract-class>",
            description = "Fully qualified names of contract interfaces (a nested one as com.example.Api$Trips).")
    List<String> contractClasses;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Path> entries = Classpaths.entries(classpath);
        List<ContractDescriptor> descriptors = new ArrayList<>();
        try (ContractClassLoader loader = ContractClassLoader.of(entries, ParleyCommand.class.getClassLoader())) {
            for (String className : contractClasses) {
                descriptors.add(describe(loader, className));
            }
        }
        String json;
        if (descriptors.size() == 1) {
            json = descriptors.get(0).toJson();
        } else {
            ArrayNode array = JSON.createArrayNode();
            for (ContractDescriptor descriptor : descriptors) {
                array.add(JSON.readTree(descriptor.toJson()));
            }
            json = JSON.writeValueAsString(array);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json);
        out.flush();
        return 0;
    }

    private ContractDescriptor describe(ClassLoader loader, String className) {
        Class<?> type = Classpaths.load(loader, className, classpath);
        try {
            return ContractDescriptor.of(type);
        } catch (ContractException e) {
            throw new InputException(className + " is not a valid contract: " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new InputException(className + " refers to a class missing from --classpath " + classpath + ": " + e, e);
        }
    }
}
