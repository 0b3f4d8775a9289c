package dev.oomsim.coordinator.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

import dev.oomsim.coordinator.CoordinatorConfig;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.Profile;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.ZoneType;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium through Debian's chromedriver)
 * against a running coordinator on the embedded broker: a kill produced on {@code kills} appears in the timeline
 * without a reload, a click shows why that victim, the node's memory bar is there, nothing is fetched from anywhere
 * but the coordinator, and a screenshot is left at {@code target/dashboard.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final long T0 = System.currentTimeMillis();

    private static Topics topics;
    private static CoordinatorService coordinator;
    private static ChromeDriver browser;

    @BeforeAll
    @Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES) // apt-get may have to install chromium
    static void start() throws IOException {
        DebianChromium.ensureInstalled(TARGET);
        topics = new Topics(KAFKA.uniqueTopic("dashboard") + ".", 1);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        CoordinatorConfig defaults = CoordinatorConfig.defaults(topics);
        CoordinatorConfig config = new CoordinatorConfig(topics, "dashboard-it-" + UUID.randomUUID(),
                defaults.rateWindow(), defaults.grace(), defaults.recentKills());
        coordinator = new CoordinatorService(CoordinatorService.Spec.local(KAFKA.bootstrapServers(), config)
                .withStateDir(Files.createTempDirectory(Files.createDirectories(TARGET.resolve("tmp")), "dash-")))
                .start();
        await().atMost(DEADLINE).until(coordinator::isReady);
        browser = startChromium();
    }

    private static ChromeDriver startChromium() throws IOException {
        Path profile = Files.createTempDirectory(Files.createDirectories(TARGET.resolve("tmp")), "chromium-profile-");
        ChromeOptions options = new ChromeOptions().setBinary(DebianChromium.BROWSER.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--user-data-dir=" + profile, "--window-size=1280,1500");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DebianChromium.DRIVER.toFile()).usingAnyFreePort()
                .withLogFile(TARGET.resolve("tmp").resolve("chromedriver.log").toFile()).build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (coordinator != null) {
                coordinator.close();
            }
        }
    }

    @Test
    @Order(1)
    void aKillAppearsWithoutReloadAndAClickShowsWhyThatVictim() throws IOException {
        browser.get(coordinator.httpUri().toString());
        await().atMost(DEADLINE).until(() -> text("#status").startsWith("live"));
        assertThat(browser.findElements(By.cssSelector("#kills tr.kill"))).as("no kill yet").isEmpty();
        JavascriptExecutor js = browser;
        js.executeScript("window.oomsimLoadMarker = 'loaded-once';");

        try (KafkaProducer<Integer, NodeState> states = producer(topics.nodeState());
             KafkaProducer<Integer, KillEvent> kills = producer(topics.kills())) {
            states.send(new ProducerRecord<>(topics.nodeState().name(), null, T0, 0, nodeState()));
            states.flush();
            kills.send(new ProducerRecord<>(topics.kills().name(), null, T0 + 1, 4242, kill()));
            kills.flush();
        }

        await().atMost(DEADLINE).until(() -> !browser.findElements(By.cssSelector("#kills tr.kill")).isEmpty());
        assertThat(js.executeScript("return window.oomsimLoadMarker;")).as("the page was not reloaded")
                .isEqualTo("loaded-once");
        WebElement row = browser.findElement(By.cssSelector("#kills tr.kill"));
        assertThat(row.getText()).contains("4242", "hog", "CONSTRAINT_NONE", "912", "cache 310");

        row.click();
        await().atMost(DEADLINE).until(() -> !browser.findElements(By.cssSelector("#kills pre.explanation"))
                .isEmpty());
        String why = text("#kills pre.explanation");
        assertThat(why).as("the explanation: victim, constraint, top candidates with points")
                .contains("victim 4242 (hog)", "CONSTRAINT_NONE", "4242 hog: 912 points", "77 cache: 310 points",
                        "oom-kill:constraint=CONSTRAINT_NONE");
        assertThat(why.indexOf("hog: 912")).as("best candidate first").isLessThan(why.indexOf("cache: 310"));

        await().atMost(DEADLINE).until(() -> !browser.findElements(By.cssSelector("#nodes [data-node='0'] .bar"))
                .isEmpty());
        WebElement normal = browser.findElement(By.cssSelector("#nodes [data-node='0'][data-zone='NORMAL']"));
        assertThat(normal.getText()).contains("node-0 NORMAL", "MIN_TO_LOW", "200/49,152");
        List<WebElement> bars = normal.findElements(By.cssSelector(".bar"));
        assertThat(bars).as("share of managed pages, and the watermark gauge").hasSize(2);
        assertThat(bars.get(1).findElement(By.cssSelector(".fill")).getAttribute("class")).contains("MIN_TO_LOW");
        assertThat(bars.get(1).findElements(By.cssSelector(".mark"))).as("min, low, high").hasSize(3);
        // The cluster card folds the node views one commit later than the node's own bar: wait for it, never assume.
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(text("#cards")).contains("MIN_TO_LOW"));

        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topics.kills().name(), null, T0 + 2, new byte[] {0, 0, 0, 1},
                    "not avro".getBytes(StandardCharsets.UTF_8)));
        }
        await().atMost(DEADLINE).until(() -> text("#dead-letters").contains(topics.kills().name()));
        assertThat(browser.findElements(By.cssSelector("#psi polyline"))).as("some and full lines").hasSize(2);
        assertThat(js.executeScript("return window.oomsimLoadMarker;")).as("still the same page")
                .isEqualTo("loaded-once");

        @SuppressWarnings("unchecked")
        List<String> fetched = (List<String>) js.executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        String origin = coordinator.httpUri().toString();
        assertThat(fetched).as("everything the page fetched came from the coordinator").isNotEmpty()
                .allSatisfy(url -> assertThat(url).startsWith(origin));
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("no script errors in the console").isEmpty();

        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, TARGET.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(TARGET.resolve("dashboard.png"))).isPositive();
    }

    /**
     * A real OOM report pasted into the page (RHEL 7, two NUMA nodes: the kernel killed mysqld 6576, score 651) comes
     * back explained, drawn as candidates with their points, and a what-if (mysqld made unkillable) beside it.
     */
    @Test
    @Order(2)
    void aPastedOomReportIsExplainedWithAWhatIfBesideIt() throws IOException {
        String report = Files.readString(Path.of("..", "oom-report", "src", "test", "resources", "reports",
                "rhel7-3.10-x86_64-2-nodes.txt"));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "document.getElementById('explain-text').value = arguments[0];", report);
        browser.findElement(By.id("explain-set")).sendKeys("6576.oom_score_adj=-1000");
        browser.findElement(By.id("explain-go")).click();

        await().atMost(DEADLINE).until(() -> !browser.findElements(By.cssSelector("#explain-result .verdict"))
                .isEmpty());
        assertThat(text("#explain-result .kernel-victim")).isEqualTo("6576");
        assertThat(text("#explain-result .model-victim")).isEqualTo("6576 mysqld");
        assertThat(text("#explain-result .verdict")).contains("same decision").contains("score 651");
        assertThat(browser.findElements(By.cssSelector("#explain-result table.candidates tbody tr")))
                .as("the top candidates, drawn").isNotEmpty();
        assertThat(text("#explain-result .what-if")).contains("--set 6576.oom_score_adj=-1000")
                .doesNotContain("6576 mysqld");
        assertThat(text("#explain-result pre.explanation")).contains("mysqld");

        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, TARGET.resolve("dashboard-explain.png"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(TARGET.resolve("dashboard-explain.png"))).isPositive();
    }

    private static String text(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private static <V> KafkaProducer<Integer, V> producer(TopicSpec<Integer, V> topic) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private static ZoneState zone(ZoneType type, long managed, long free, long min, long low, long high) {
        return ZoneState.newBuilder().setZone(type).setManagedPages(managed).setFreePages(free)
                .setNrFree(List.of(free / 2, free / 8, 4L, 2L, 1L, 0L, 0L, 0L, 0L, 0L, 0L)).setWatermarkMin(min)
                .setWatermarkLow(low).setWatermarkHigh(high).build();
    }

    private static NodeState nodeState() {
        return NodeState.newBuilder().setNode(0).setSequence(7).setProfile(Profile.SEED).setMinFreeKbytes(1024)
                .setTotalramPages(65_536).setZones(List.of(zone(ZoneType.DMA32, 16_384, 4_000, 64, 80, 96),
                        zone(ZoneType.NORMAL, 49_152, 200, 150, 250, 350)))
                .build();
    }

    private static KillEvent kill() {
        return KillEvent.newBuilder().setRequestId("req-kill-1").setVictimPid(4242).setVictimComm("hog")
                .setVictimUid(1000).setChosenPid(4242).setPoints(912).setScore(912).setTotalpages(65_536)
                .setConstraint(OomConstraint.CONSTRAINT_NONE).setGfpMask(0xcc0).setOrder(0).setInvokingNode(0)
                .setInvokingPid(4242).setInvokingComm("hog").setLockToken(3).setProfile(Profile.SEED)
                .setCandidates(List.of(new KillCandidate(4242, "hog", 912L), new KillCandidate(77, "cache", 310L),
                        new KillCandidate(12, "sshd", 1L)))
                .setLog(List.of("hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
                        "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=hog,pid=4242,uid=1000",
                        "Out of memory: Killed process 4242 (hog) total-vm:0kB, anon-rss:0kB"))
                .build();
    }
}
