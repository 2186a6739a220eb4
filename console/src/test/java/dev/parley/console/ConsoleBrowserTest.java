package dev.parley.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.CallEvent;
import dev.parley.ClientOptions;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.console.TestContracts.Charge;
import dev.parley.console.TestContracts.Fare;
import dev.parley.console.TestContracts.FareRequest;
import dev.parley.console.TestContracts.Payments;
import dev.parley.console.TestContracts.Pricing;
import dev.parley.console.TestContracts.TripCreated;
import dev.parley.console.TestContracts.TripEvents;
import dev.parley.contract.InteractionStyle;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.transport.InProcessTransport;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console end to end: real Parley runtimes on the in-process transport call each other in
 * a loop (with failures, a breaker that opens and events that end as dead letters), and a real
 * headless Chromium opens the page, watches it update over server-sent events, and takes a
 * screenshot that must show the charts. Skipped without Chromium and chromedriver, unless
 * {@code CI=true}, where that fails.
 */
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String HOSTILE = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>";
    private static final int WIDTH = 1440;
    private static final int HEIGHT = 1500;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread traffic;
    private OperationsConsole console;

    @TempDir
    Path profile;

    @BeforeEach
    void startServices() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("the console's browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian: apt-get install chromium chromium-driver); CI=true, so it is not skipped");
        }
        assumeTrue(installed, "Chromium or chromedriver not installed; browser test skipped");

        InProcessTransport transport = InProcessTransport.builder().redeliveryBackoff(Duration.ofMillis(10)).build();
        closing.add(transport);
        console = OperationsConsole.builder()
                .title("Taxi operations (test)")
                .pushInterval(Duration.ofMillis(250))
                .source(ConsoleSources.queueDepths(transport, List.of(ConsoleSources.Subscription.events(TripEvents.class, "billing"))))
                .source(ConsoleSources.deadLetters(transport))
                .source(() -> ConsoleSection.builder("Webhook deliveries")
                        .columns("endpoint", "delivered", "retrying")
                        .row("https://partner.example/hooks", "12", "1")
                        .row(HOSTILE, "0", "3")
                        .gauge(ConsoleGauge.of("pending retries", 4, 10))
                        .build())
                .build();
        closing.add(console);

        for (String instance : List.of("a1", "b2")) {
            Parley pricing = runtime("pricing", instance, transport);
            pricing.serve(Pricing.class, request -> {
                sleepMillis(ThreadLocalRandom.current().nextInt(1, 12));
                if (ThreadLocalRandom.current().nextInt(10) == 0) {
                    throw new IllegalStateException("pricing model unavailable");
                }
                return new Fare(1200 + request.from().length());
            });
            console.observe(pricing, Pricing.class);
        }
        Parley payments = runtime("payments", "p1", transport);
        payments.serve(Payments.class, charge -> {
            throw new IllegalStateException("card processor down");
        });
        console.observe(payments, Payments.class);
        Parley billing = runtime("billing", "bl1", transport);
        billing.subscribe(TripEvents.class, event -> {
            if (event.tripId().endsWith("0")) {   // every fifth event fails on every delivery
                throw new IllegalStateException("ledger locked");
            }
        });
        console.observe(billing);
        Parley trips = runtime("trips", "t1", transport);
        console.observe(trips);

        Pricing pricing = trips.client(Pricing.class);
        Payments paymentClient = trips.client(Payments.class, ClientOptions.custom()
                .circuitBreaker(BreakerPolicy.custom().minimumCalls(5).waitInOpen(Duration.ofMinutes(5)).build())
                .build());
        TripEvents events = trips.publisher(TripEvents.class);
        traffic = Thread.ofPlatform().name("console-test-traffic").daemon().start(() -> {
            int i = 0;
            while (running.get()) {
                i++;
                try {
                    pricing.quote(new FareRequest("from-" + i, "to"));
                } catch (RuntimeException expected) {
                    // a tenth of the quotes fail: that is what the page should show
                }
                if (i % 3 == 0) {
                    try {
                        paymentClient.charge(new Charge("t-" + i, 1200));
                    } catch (RuntimeException expected) {
                        // always fails: first INTERNAL, then rejected by the open breaker
                    }
                }
                if (i % 4 == 0) {
                    events.tripCreated(new TripCreated("t-" + i));
                }
                sleepMillis(ThreadLocalRandom.current().nextInt(5, 25));
            }
        });
        // A hostile name from somewhere the console does not control.
        console.listener(HOSTILE).onCall(new CallEvent(CallEvent.Side.CLIENT, "pricing/v1", HOSTILE, InteractionStyle.REQUEST_RESPONSE,
                "in-process:pricing/v1", Optional.of(ErrorCode.INTERNAL), 2_000_000, 1, false));
        console.start();
    }

    private Parley runtime(String service, String instance, InProcessTransport transport) {
        Parley p = Parley.builder().service(service).instanceId(instance).transport(transport).listener(console.listener(service)).build();
        closing.add(p);
        return p;
    }

    @AfterEach
    void stop() throws Exception {
        running.set(false);
        if (traffic != null) {
            traffic.join(Duration.ofSeconds(10));
        }
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void thePageShowsLiveDataUpdatedOverServerSentEvents() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--force-device-scale-factor=1", "--window-size=" + WIDTH + "," + HEIGHT, "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        WebDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(console.uri().toString());
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(45), Duration.ofMillis(200));
            wait.until(d -> d.findElement(By.id("status")).getText().equals("live") && sequence(d) >= 1);

            // Live: the numbers change with every pushed snapshot, without reloading the page.
            long firstSequence = sequence(driver);
            String firstCalls = totalCalls(driver);
            wait.until(d -> sequence(d) >= firstSequence + 2 && !totalCalls(d).equals(firstCalls));

            // Payments fails every time: its breaker opens and the page says so.
            wait.until(d -> !d.findElements(By.cssSelector("#interactions tr[data-operation='charge'] .badge.state-OPEN")).isEmpty());
            Map<String, Object> charge = row(driver, "trips", "charge");
            assertThat((String) charge.get("text")).contains("payments/v2", "OPEN");
            assertThat(charge.get("errorRate")).isEqualTo("100%");
            assertThat(driver.findElements(By.cssSelector("#breakers .badge.state-OPEN"))).isNotEmpty();
            assertThat(text(driver, "#kpi-open")).isNotEqualTo("0");

            Map<String, Object> quote = row(driver, "trips", "quote");
            assertThat((String) quote.get("text")).contains("pricing/v1", "CLOSED");
            assertThat((String) quote.get("p99")).matches("[0-9.]+ (ms|µs|s)");
            assertThat(quote.get("sparks")).isEqualTo(2L);

            String services = text(driver, "#services");
            assertThat(services).contains("pricing", "pricing/a1", "pricing/b2", "pricing 1.2", "payments 2.0", "billing", "trips");

            // Events that fail every delivery end as dead letters, shown with their topic, group and reason.
            wait.until(d -> {
                String sections = text(d, "#sections");
                return sections.contains("Dead letters") && sections.contains("trip-events.v1.events") && sections.contains("billing")
                        && sections.contains("INTERNAL: ");
            });

            // The hostile name is shown as text and ran nothing.
            Object serviceCells = ((JavascriptExecutor) driver).executeScript(
                    "return Array.from(document.querySelectorAll('#interactions td.service')).map(function (c) { return c.textContent; });");
            assertThat(serviceCells).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains(HOSTILE);
            assertThat(text(driver, "#sections")).contains(HOSTILE);
            Object pwned = ((JavascriptExecutor) driver).executeScript(
                    "return [typeof window.pwned, document.querySelectorAll('img').length, document.querySelectorAll('script').length];");
            assertThat(pwned).isEqualTo(List.of("undefined", 0L, 1L));

            // Let the traffic chart fill a few seconds, then look at it.
            long before = sequence(driver);
            wait.until(d -> sequence(d) >= before + 3);
            byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
            Path file = Path.of("target", "console-screenshot.png");
            Files.createDirectories(file.getParent());
            Files.write(file, png);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image).as("screenshot decodes as PNG").isNotNull();
            assertThat(image.getWidth()).isEqualTo(WIDTH);
            assertThat(image.getHeight()).isBetween(HEIGHT - 200, HEIGHT);

            Rectangle chart = driver.findElement(By.id("traffic")).getRect();   // the canvas stays; only its pixels change
            Colors traffic = colors(image, chart);
            assertThat(traffic.distinct()).as("distinct colors in the traffic chart").isGreaterThan(30);
            assertThat(traffic.has(0x2f, 0x6f, 0xed)).as("the blue calls line is drawn").isTrue();
            assertThat(traffic.has(0xe5, 0x48, 0x4d)).as("the red error bars are drawn").isTrue();
            // The last seconds (right) carry the traffic: far more ink than a stretch of the same
            // width in the middle, where only the zero line and an axis label are (a share of the
            // whole chart depended on how many seconds had passed, and on the browser's rendering).
            int strip = chart.getWidth() * 15 / 100;
            double recent = colors(image, new Rectangle(chart.getX() + chart.getWidth() - strip, chart.getY(), chart.getHeight(), strip)).inkShare();
            double quiet = colors(image, new Rectangle(chart.getX() + chart.getWidth() / 2 - strip / 2, chart.getY(), chart.getHeight(), strip)).inkShare();
            assertThat(recent).as("ink in the last seconds of the traffic chart, against its quiet middle (%.4f)", quiet)
                    .isGreaterThan(2 * quiet);

            Rectangle table = driver.findElement(By.id("interactions")).getRect();   // the table element stays too
            assertThat(colors(image, table).distinct()).as("distinct colors in the interactions table").isGreaterThan(30);
        } catch (AssertionError | RuntimeException e) {
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "console-screenshot-failure.png"), ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
            throw e;
        } finally {
            driver.quit();
        }
    }

    private static long sequence(WebDriver driver) {
        Object value = ((JavascriptExecutor) driver).executeScript("return Number(document.body.dataset.sequence || 0);");
        return ((Number) value).longValue();
    }

    private static String totalCalls(WebDriver driver) {
        return text(driver, "#interactions tbody");
    }

    /** The rendered text of an element, read in one script: the page replaces its tables every second. */
    private static String text(WebDriver driver, String selector) {
        Object value = ((JavascriptExecutor) driver).executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector);
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(WebDriver driver, String service, String operation) {
        Object value = ((JavascriptExecutor) driver).executeScript("""
                var rows = document.querySelectorAll('#interactions tbody tr');
                for (var i = 0; i < rows.length; i++) {
                  var r = rows[i];
                  if (r.dataset.service === arguments[0] && r.dataset.operation === arguments[1]) {
                    return { text: r.innerText, errorRate: r.querySelector('.error-rate').textContent,
                             p99: r.querySelector('.p99').textContent, sparks: r.querySelectorAll('canvas.spark').length };
                  }
                }
                return null;""", service, operation);
        assertThat(value).as("row of %s %s", service, operation).isNotNull();
        return (Map<String, Object>) value;
    }

    private record Colors(Set<Integer> set, long ink, long total) {
        int distinct() {
            return set.size();
        }

        double inkShare() {
            return total == 0 ? 0 : ink / (double) total;
        }

        boolean has(int r, int g, int b) {
            return set.contains((r << 16) | (g << 8) | b);
        }
    }

    /** The colors inside {@code area}, and how many pixels are not (near) white. */
    private static Colors colors(BufferedImage image, Rectangle area) {
        Set<Integer> distinct = new HashSet<>();
        long ink = 0;
        long total = 0;
        int x1 = Math.min(image.getWidth(), area.getX() + area.getWidth());
        int y1 = Math.min(image.getHeight(), area.getY() + area.getHeight());
        for (int y = Math.max(0, area.getY()); y < y1; y++) {
            for (int x = Math.max(0, area.getX()); x < x1; x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                distinct.add(rgb);
                int r = rgb >> 16, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                if (r + g + b < 3 * 235) {
                    ink++;
                }
                total++;
            }
        }
        return new Colors(distinct, ink, total);
    }

    private static void sleepMillis(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
