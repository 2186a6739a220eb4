package dev.parley.bench.plugins;

import dev.parley.bench.Echo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The plugin of the plugin benchmarks: {@link Echo} answered with the plugin's label in the
 * reply's id, so a load generator can tell which version answered. {@link PluginJar} packages
 * this class's bytes into plugin jars; the plugin's class loader defines it afresh from the jar
 * (this package is not shared with the consumer), as it would a provider's class.
 */
public final class EchoPlugin implements Echo {

    private final String label;

    public EchoPlugin() {
        Properties p = new Properties();
        try (InputStream in = EchoPlugin.class.getResourceAsStream("/plugin.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.label = p.getProperty("label", "unlabelled");
    }

    @Override
    public Pong ping(Ping request) {
        return new Pong(label, request.seq() + 1);
    }
}
