package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The showcase command's settings. Running the showcase itself is tested in examples/taxi (its
 * trip flows and behaviour tests start the same application this command starts).
 */
class ShowcaseCommandTest {

    @AfterEach
    void forgetSettings() {
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("taxi.")).forEach(System::clearProperty);
    }

    @Test
    void optionsBecomeTheShowcasesSettings() {
        CommandLine line = ParleyCommand.commandLine();
        line.parseArgs("showcase", "--broker", "nats", "--discovery", "etcd", "--role", "payments", "--set", "taxi.payments.port=9191");
        ShowcaseCommand command = line.getSubcommands().get("showcase").getCommand();

        var config = command.settings();

        assertThat(config.broker().name()).isEqualTo("NATS");
        assertThat(config.discovery().name()).isEqualTo("ETCD");
        assertThat(config.role().label()).isEqualTo("payments");
        assertThat(config.port("payments")).isEqualTo(9191);
    }

    @Test
    void anInvalidSettingExitsTwoNamingIt() {
        CliRun run = CliRun.of("showcase", "--broker", "activemq");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("taxi.broker").contains("activemq");
    }

    @Test
    void aKeyThatIsNoShowcaseSettingExitsTwo() {
        CliRun run = CliRun.of("showcase", "--set", "java.home=/tmp");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--set java.home: not a showcase setting");
    }
}
