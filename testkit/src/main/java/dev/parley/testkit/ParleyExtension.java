package dev.parley.testkit;

import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.transport.InProcessTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives each test a fresh in-process world: one
 * {@link InProcessTransport}, a {@link ManualClock} and a {@link FaultInjector}, and closes
 * every service the test started.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ParleyExtension parley = ParleyExtension.create();
 *
 * @Test
 * void quotesAFare() {
 *     parley.service("pricing").serve(Pricing.class, new FlatPricing());
 *     Pricing client = parley.service("app").client(Pricing.class);
 *     ...
 *     parley.faults().on("pricing/v1").always().disconnect();
 *     parley.clock().advance(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class ParleyExtension implements BeforeEachCallback, AfterEachCallback {

    private final boolean manualClock;
    private final Consumer<InProcessTransport.Builder> transportSettings;
    private ManualClock clock;
    private FaultInjector faults;
    private InProcessTransport transport;
    private final List<Parley> services = new ArrayList<>();

    private ParleyExtension(boolean manualClock, Consumer<InProcessTransport.Builder> transportSettings) {
        this.manualClock = manualClock;
        this.transportSettings = transportSettings;
    }

    /** With a {@link ManualClock}: time moves only through {@link #clock()}. */
    public static ParleyExtension create() {
        return new ParleyExtension(true, b -> { });
    }

    /** With a {@link ManualClock} and extra transport settings (e.g. {@code passByReference(true)}). */
    public static ParleyExtension create(Consumer<InProcessTransport.Builder> transportSettings) {
        return new ParleyExtension(true, transportSettings);
    }

    /** On the system clock, for tests that need real time to pass. */
    public static ParleyExtension withSystemClock() {
        return new ParleyExtension(false, b -> { });
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        clock = ManualClock.create();
        faults = FaultInjector.create();
        InProcessTransport.Builder b = InProcessTransport.builder().faults(faults);
        if (manualClock) {
            b.clock(clock);
        }
        transportSettings.accept(b);
        transport = b.build();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (Parley p : services) {
            p.close();
        }
        services.clear();
        transport.close();
    }

    /** A new service instance on the shared transport; closed after the test. */
    public Parley service(String name) {
        return service(name, b -> { });
    }

    /** Like {@link #service(String)}, with more builder settings such as {@code clientDefaults}. */
    public Parley service(String name, Consumer<Parley.Builder> settings) {
        Parley.Builder b = Parley.builder().service(name).transport(transport);
        if (manualClock) {
            b.clock(clock);
        }
        settings.accept(b);
        Parley p = b.build();
        services.add(p);
        return p;
    }

    /** A service whose clients use {@code options} by default. */
    public Parley service(String name, ClientOptions options) {
        return service(name, b -> b.clientDefaults(options));
    }

    public ManualClock clock() {
        return clock;
    }

    public FaultInjector faults() {
        return faults;
    }

    public InProcessTransport transport() {
        return transport;
    }
}
