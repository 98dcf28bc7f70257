package io.netflow.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.models.ModelFixture;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run
 * installs) against a live three-node mesh. Screenshots go to target/console/.
 */
class ConsoleBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "console");

  @TempDir
  Path models;
  private TestMesh mesh;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER))
      .as("the console test needs chromium and chromium-driver: apt-get install chromium chromium-driver (.ci/run does)")
      .isTrue();
    mesh = new TestMesh();
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
      .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
    Files.createDirectories(SHOTS);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  private int shownNodes() {
    return browser.findElements(By.cssSelector("#topology g.node")).size();
  }

  private void shot(String name) throws Exception {
    Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  private WebDriverWait waiting(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  @Test
  void showsTheLiveMeshItsRolloutsAndLosses() throws Exception {
    ModelFixture fixture = new ModelFixture(models);
    NetflowNode a = mesh.start("edge-a", fixture.trusting());
    NetflowNode b = mesh.start("edge-b", fixture.trusting());
    NetflowNode c = mesh.start("cloud-c", fixture.trusting());

    browser.get(a.httpUrl() + "/console/");
    waiting(15).until(d -> shownNodes() == 3 && d.findElement(By.id("status")).getText().equals("live"));
    assertThat(browser.findElements(By.cssSelector("[data-node-card]"))).hasSize(3);
    assertThat(browser.findElement(By.id("summary")).getText()).contains("3 node(s)");
    assertThat(browser.findElements(By.cssSelector("#work [data-work-state]"))).hasSize(2);
    assertThat(browser.findElements(By.cssSelector("#events li"))).isNotEmpty();

    // Traffic between two nodes shows on their link, with its rate.
    TestMesh.join(b.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("ok"))));
    mesh.awaitHosts("match", 1);
    long until = System.currentTimeMillis() + 4_000;
    Thread traffic = new Thread(() -> {
      while (System.currentTimeMillis() < until) {
        a.mesh().request(Envelope.toService("match").priority(Priority.HIGH).payload("x".repeat(2_000)).build());
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    traffic.start();
    waiting(10).until(d -> d.findElement(By.cssSelector("g.link[data-link='edge-a|edge-b'] text.rate")).getText()
      .endsWith("/s"));
    traffic.join();

    // A rollout shows per-node progress until every node holds the version.
    assertThat(fixture.publish(a, "policy", "v1", fixture.model("policy-v1", 3 * ModelFixture.CHUNK + 5, 1)).statusCode())
      .isEqualTo(201);
    waiting(30).until(d -> d.findElements(By.cssSelector("[data-model='policy/v1'] [data-model-progress='100']")).size() == 3);
    waiting(5).until(d -> d.findElement(By.cssSelector("[data-node-card='edge-b']")).getText().contains("policy v1"));
    shot("desktop-1280x800");

    // Console errors so far: none (a refused admin call, below, logs its 401 on purpose).
    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
      .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertThat(errors).as("browser console errors").isEmpty();

    long killedAt = System.nanoTime();
    mesh.kill(c);
    waiting(5).until(d -> shownNodes() == 2);
    double seconds = (System.nanoTime() - killedAt) / 1e9;
    System.out.printf("[measure] console shows a killed node gone after %.2f s%n", seconds);
    assertThat(browser.findElement(By.id("events")).getText()).contains("cloud-c left");

    // Without an admin key, draining is refused and the page says so.
    browser.findElement(By.cssSelector("[data-node-card='edge-a'] button.drain")).click();
    waiting(5).until(d -> d.findElement(By.id("admin-result")).getText().contains("401"));
    assertThat(browser.findElement(By.cssSelector("[data-node-card='edge-a'] .state")).getText()).isEqualTo("UP");

    // Publishing from the console: refused without a key, published with one.
    Path v2 = fixture.model("policy-v2", 2 * ModelFixture.CHUNK + 7, 2);
    var signed = fixture.sign(v2, "policy", "v2");
    var form = browser.findElement(By.id("upload"));
    form.findElement(By.name("name")).sendKeys("policy");
    form.findElement(By.name("version")).sendKeys("v2");
    form.findElement(By.name("keyId")).sendKeys(signed.keyId());
    form.findElement(By.name("signature")).sendKeys(signed.signature());
    form.findElement(By.name("file")).sendKeys(v2.toAbsolutePath().toString());
    form.findElement(By.cssSelector("button[type=submit]")).click();
    waiting(10).until(d -> d.findElement(By.id("admin-result")).getText().contains("Upload refused (401"));
    browser.findElement(By.id("admin-key")).sendKeys(ModelFixture.ADMIN_KEY);
    form.findElement(By.cssSelector("button[type=submit]")).click();
    waiting(10).until(d -> d.findElement(By.id("admin-result")).getText().startsWith("Published policy v2"));
    waiting(30).until(d -> d.findElements(By.cssSelector("[data-model='policy/v2'] [data-model-progress='100']")).size() == 2);
    shot("published-from-console");

    browser.manage().window().setSize(new Dimension(390, 844));
    Thread.sleep(700);
    shot("phone-390x844");

    // The node goes away: the page says so plainly.
    mesh.close();
    mesh = null;
    waiting(10).until(d -> d.findElement(By.id("status")).getText().startsWith("Lost connection"));
    shot("lost-node");
  }
}
