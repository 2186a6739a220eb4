package dev.parley.cli;

import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code parley} command line: {@code parley compat <previous.json> <current.json>} compares
 * two contract descriptors, {@code parley describe --classpath <path> <contract-class>...} prints
 * the descriptors of compiled contracts, {@code parley publish} publishes a test event to a
 * broker, {@code parley bench} runs the benchmarks of a checkout, {@code parley showcase} runs
 * the taxi showcase, {@code parley registry} the embedded service registry, and
 * {@code parley services} lists what a registry knows.
 *
 * <p>Exit codes are meant for scripts and CI: 0 when all is well, 1 when {@code compat} found
 * breaking changes, 2 for bad input or usage (the message is one line on standard error, without a
 * stack trace), 3 for an unexpected internal error (with the stack trace).
 */
@Command(name = "parley",
        mixinStandardHelpOptions = true,
        versionProvider = ParleyCommand.VersionProvider.class,
        description = "Checks, describes and exercises Parley contracts and services.",
        subcommands = {ShowcaseCommand.class, RegistryCommand.class, ServicesCommand.class, CompatCommand.class, DescribeCommand.class,
            PublishCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class ParleyCommand implements Runnable {

    /** Exit code of {@code compat} when the current descriptor breaks the previous one. */
    public static final int BREAKING = 1;
    /** Exit code for bad input (a missing file, invalid JSON, an unknown class) and usage errors. */
    public static final int BAD_INPUT = 2;
    /** Exit code for an unexpected internal error. */
    public static final int INTERNAL_ERROR = 3;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, ready for {@link CommandLine#execute}: bad input is reported as
     * one line on the error stream with exit code {@value #BAD_INPUT}.
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new ParleyCommand());
        // Everything after the benchmark's name is the benchmark's, options included (bench/http.sh 5 10 --flag).
        commandLine.getSubcommands().get("bench").setStopAtPositional(true);
        commandLine.setExecutionExceptionHandler((e, failed, parseResult) -> {
            if (e instanceof InputException) {
                failed.getErr().println("parley " + failed.getCommandName() + ": " + e.getMessage().replaceAll("\\R+", " "));
                return BAD_INPUT;
            }
            failed.getErr().println("parley " + failed.getCommandName() + ": internal error: " + e);
            e.printStackTrace(failed.getErr());
            return INTERNAL_ERROR;
        });
        return commandLine;
    }

    /** {@code parley} without a subcommand is a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (expected one of: "
                + String.join(", ", spec.subcommands().keySet().stream().filter(name -> !name.equals("help")).toList()) + ")");
    }

    /** The version from the jar manifest, or "development build" when run from classes. */
    static final class VersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"parley " + Optional.ofNullable(ParleyCommand.class.getPackage().getImplementationVersion())
                    .orElse("(development build)")};
        }
    }
}
