package io.netflow.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.models.ModelFixture;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.netflow.rewards.RewardOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
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
 *
 * <p>The page re-renders every 500 ms, replacing much of what it shows. So the test never keeps
 * a {@code WebElement} of a rendered part: it reads the page with one script per check (a script
 * runs between two renders, never across one) and waits by re-running a whole check until it
 * passes.
 */
class ConsoleBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "console");

  private static final String DEVICE_KEY = "fleet-secret";

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
    ((ChromeDriver) browser).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", FIRST_RENDER));
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

  @Test
  void showsTheLiveMeshItsRolloutsAndLosses() throws Exception {
    ModelFixture fixture = new ModelFixture(models);
    NetflowNode a = mesh.start("edge-a", fixture.trusting(cfg -> cfg.set(NodeKeys.API_KEYS,
      List.of(ApiKeys.entry("fleet", DEVICE_KEY, "models:*")))));
    NetflowNode b = mesh.start("edge-b", fixture.trusting());
    NetflowNode c = mesh.start("cloud-c", fixture.trusting());

    browser.get(a.httpUrl() + "/console/");
    cpuChartShowsEveryNodeFromItsFirstSample();
    eventually("the page is live with three nodes", 15, () -> {
      assertThat(count("#topology g.node")).isEqualTo(3);
      assertThat(text("#status")).isEqualTo("live");
    });
    eventually("every panel has content", 10, () -> everyPanelHasContent(3));
    assertThat(text("#summary")).contains("3 node(s)");
    rewardsShowTheFlatMinimumAndWhy();
    laneTablesWholeAt(1500, 900, "desktop-1500x900");

    trafficShowsOnItsLink(a, b);
    rolloutShowsProgress(fixture, a);
    laneTablesWholeAt(1280, 800, "desktop-1280x800");

    // Console errors so far: none (a refused admin call, below, logs its 401 on purpose).
    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
      .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertThat(errors).as("browser console errors").isEmpty();

    killedNodeLeaves(c);
    drainWithoutKeyIsRefused();
    publishFromThePage(fixture);
    shot("published-from-console");

    laneTablesWholeAt(390, 844, "phone-390x844");
    eventually("every panel has content on a phone", 10, () -> everyPanelHasContent(2));

    // The node goes away: the page says so plainly.
    mesh.close();
    mesh = null;
    eventually("the page says it lost the node", 10, () -> assertThat(text("#status")).startsWith("Lost connection"));
    shot("lost-node");
  }

  /**
   * A line needs two samples; the chart must not wait for a second one. Checked on the chart as
   * the page drew it from its first snapshot (one sample per node), by its pixels and by what
   * Chart.js placed.
   */
  private void cpuChartShowsEveryNodeFromItsFirstSample() {
    JsonObject chart = new WebDriverWait(browser, Duration.ofSeconds(15)).withMessage("the page's first render")
      .until(d -> js("return window.firstCpuChart;") instanceof String json ? new JsonObject(json) : null);
    JsonArray lines = chart.getJsonArray("lines");
    assertThat(lines).as("CPU chart lines at the first snapshot").isNotEmpty();
    for (Object o : lines) {
      JsonObject line = (JsonObject) o;
      assertThat(line.getInteger("samples")).as("samples at the first snapshot: " + line).isEqualTo(1);
      assertThat(line.getBoolean("shown")).as("CPU chart shows " + line).isTrue();
    }
    assertThat(chart.getInteger("inked")).as("pixels of node colours in the CPU plot").isPositive();
  }

  private void everyPanelHasContent(int nodes) {
    JsonObject page = new JsonObject((String) js(PANELS));
    assertThat(page.getInteger("topologyNodes")).as("topology: a circle per node").isEqualTo(nodes);
    assertThat(page.getInteger("topologyLinks")).as("topology: a link between every two nodes")
      .isEqualTo(nodes * (nodes - 1) / 2);
    JsonArray cards = page.getJsonArray("cards");
    assertThat(cards).as("node cards").hasSize(nodes);
    cards.forEach(card -> laneTableIsComplete((JsonObject) card));
    assertThat(page.getJsonArray("cpuLines")).as("CPU chart: samples per node's line").hasSize(nodes)
      .allMatch(n -> ((Number) n).intValue() > 0);
    assertThat(page.getString("models")).as("model rollouts").isNotBlank();
    JsonArray work = page.getJsonArray("work");
    assertThat(work).as("scheduled work: queued and running rows").hasSize(2);
    work.forEach(row -> assertThat(((JsonArray) row).getList()).as("scheduled work row").hasSize(4)
      .allMatch(cell -> !cell.toString().isBlank()));
    assertThat(page.getString("workNote")).as("scheduled work on this node").contains("this node runs");
    assertThat(!page.getJsonArray("rewardBars").isEmpty() || !page.getString("rewardNote").isBlank())
      .as("reward chart: its bars, or a note saying why there are none").isTrue();
    assertThat(page.getJsonArray("events")).as("recent events").isNotEmpty()
      .allMatch(e -> !e.toString().isBlank());
    assertThat(page.getInteger("adminForms")).as("admin: key and publish forms").isEqualTo(2);
  }

  private static void laneTableIsComplete(JsonObject card) {
    String name = card.getString("name");
    assertThat(card.getJsonArray("header").getList()).as(name + ": lane table columns")
      .containsExactly("lane", "queued", "flight", "sent", "shed");
    JsonArray lanes = card.getJsonArray("lanes");
    assertThat(lanes.stream().map(row -> ((JsonArray) row).getString(0)).toList()).as(name + ": lanes")
      .containsExactly("CRITICAL", "HIGH", "NORMAL", "MODEL", "BULK");
    lanes.forEach(row -> assertThat(((JsonArray) row).getList()).as(name + ": a lane's cells").hasSize(5)
      .allMatch(cell -> !cell.toString().isBlank()));
    assertThat(card.getInteger("drain")).as(name + ": drain button").isEqualTo(1);
  }

  /** A fresh mesh has no load history: every window pays the minimum, and the page says why. */
  private void rewardsShowTheFlatMinimumAndWhy() {
    double min = new RewardOptions().getMinMultiplier();
    eventually("the reward chart shows the flat minimum with a note", 10, () -> {
      JsonObject page = new JsonObject((String) js(PANELS));
      assertThat(page.getJsonArray("rewardValues")).as("multipliers charted").isNotEmpty()
        .allMatch(m -> ((Number) m).doubleValue() == min);
      assertThat(page.getJsonArray("rewardBars")).as("bar heights (px)").isNotEmpty()
        .allMatch(h -> ((Number) h).doubleValue() > 0);
      assertThat(page.getString("rewardNote")).contains("No load history yet").contains("every window pays the minimum");
    });
  }

  /** At this window size no lane table is cut off (its last column is shed) and the charts fit again. */
  private void laneTablesWholeAt(int width, int height, String shotName) throws Exception {
    browser.manage().window().setSize(new Dimension(width, height));
    eventually("lane tables whole at " + width + "x" + height, 10, () -> {
      JsonObject page = new JsonObject((String) js(LAYOUT));
      assertThat(page.getInteger("innerWidth")).as("viewport width").isEqualTo(width);
      assertThat(page.getInteger("pageOverflow")).as("page wider than the window by (px)").isLessThanOrEqualTo(0);
      assertThat(page.getJsonArray("cards")).as("node cards").isNotEmpty();
      for (Object o : page.getJsonArray("cards")) {
        JsonObject card = (JsonObject) o;
        String name = card.getString("name");
        assertThat(card.getString("last")).as(name + ": last column").isEqualTo("shed");
        assertThat(card.getInteger("clippedBy")).as(name + ": shed column cut off by (px)").isLessThanOrEqualTo(0);
        assertThat(card.getInteger("scrollsBy")).as(name + ": card scrolls sideways by (px)").isLessThanOrEqualTo(0);
      }
      for (Object chart : page.getJsonArray("charts")) {
        assertThat(((JsonObject) chart).getInteger("off")).as("chart width off its panel (px): " + chart)
          .isBetween(0, 1);
      }
    });
    // The picture shows what was checked: the first card's lane table, whole.
    js("document.querySelector('[data-node-card]').scrollIntoView({ block: 'nearest' });");
    shot(shotName);
  }

  /** Traffic between two nodes shows on their link, with its rate. */
  private void trafficShowsOnItsLink(NetflowNode a, NetflowNode b) throws Exception {
    TestMesh.join(b.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("ok"))));
    mesh.awaitHosts("match", 1);
    long until = System.currentTimeMillis() + 4_000;
    Thread traffic = new Thread(() -> {
      while (System.currentTimeMillis() < until) {
        a.mesh().request(Envelope.toService("match").priority(Priority.HIGH).payload("x".repeat(2_000)).build());
        try {
          Thread.sleep(2);   // paces the traffic: about 500 requests a second
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    traffic.start();
    eventually("a rate on the edge-a|edge-b link", 10,
      () -> assertThat(text("g.link[data-link='edge-a|edge-b'] text.rate")).endsWith("/s"));
    traffic.join();
  }

  /** A rollout shows per-node progress until every node holds the version. */
  private void rolloutShowsProgress(ModelFixture fixture, NetflowNode a) throws Exception {
    assertThat(fixture.publish(a, "policy", "v1", fixture.model("policy-v1", 3 * ModelFixture.CHUNK + 5, 1)).statusCode())
      .isEqualTo(201);
    eventually("policy v1 on every node", 30,
      () -> assertThat(count("[data-model='policy/v1'] [data-model-progress='100']")).isEqualTo(3));
    eventually("edge-b's card lists policy v1", 5,
      () -> assertThat(text("[data-node-card='edge-b']")).contains("policy v1"));
    // Two devices report running v1 (one twice): the console counts them.
    for (String device : List.of("dev-1", "dev-2", "dev-1")) {
      var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
          a.httpUrl() + "/v1/models/policy/active?device=" + device + "&running=v1"))
        .header("Authorization", "Bearer " + DEVICE_KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
    eventually("the console shows the devices running policy v1", 10,
      () -> assertThat(text("[data-model='policy/v1'] [data-model-devices]")).contains("devices running it: ~2"));
  }

  private void killedNodeLeaves(NetflowNode c) throws Exception {
    long killedAt = System.nanoTime();
    mesh.kill(c);
    eventually("cloud-c gone from the topology", 5, () -> assertThat(count("#topology g.node")).isEqualTo(2));
    double seconds = (System.nanoTime() - killedAt) / 1e9;
    System.out.printf("[measure] console shows a killed node gone after %.2f s%n", seconds);
    // The snapshot that drops the node also carries the event saying so.
    assertThat(text("#events")).contains("cloud-c left");
  }

  /** Without an admin key, draining is refused and the page says so. */
  private void drainWithoutKeyIsRefused() {
    click("[data-node-card='edge-a'] button.drain");
    eventually("the drain refused", 5, () -> assertThat(text("#admin-result")).contains("401"));
    assertThat(text("[data-node-card='edge-a'] .state")).isEqualTo("UP");
  }

  /** Publishing from the console: refused without a key, published with one. */
  private void publishFromThePage(ModelFixture fixture) throws Exception {
    Path v2 = fixture.model("policy-v2", 2 * ModelFixture.CHUNK + 7, 2);
    var signed = fixture.sign(v2, "policy", "v2");
    // The admin panel is static (never re-rendered): its fields can be typed into directly.
    type("#upload [name=name]", "policy");
    type("#upload [name=version]", "v2");
    type("#upload [name=keyId]", signed.keyId());
    type("#upload [name=signature]", signed.signature());
    type("#upload [name=file]", v2.toAbsolutePath().toString());
    click("#upload button[type=submit]");
    eventually("the upload refused", 10, () -> assertThat(text("#admin-result")).contains("Upload refused (401"));
    type("#admin-key", ModelFixture.ADMIN_KEY);
    click("#upload button[type=submit]");
    eventually("policy v2 published", 10, () -> assertThat(text("#admin-result")).startsWith("Published policy v2"));
    eventually("policy v2 on both nodes", 30,
      () -> assertThat(count("[data-model='policy/v2'] [data-model-progress='100']")).isEqualTo(2));
  }

  /**
   * Waits until {@code check} passes, running all of it again (fresh lookups) at every poll; on
   * timeout the exception carries the check's last failure.
   */
  private void eventually(String what, int seconds, Runnable check) {
    new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(50))
      .withMessage(what)
      .ignoring(AssertionError.class)
      // A click can still meet a node replaced between its lookup and the click: try again.
      .ignoring(StaleElementReferenceException.class)
      .until(d -> {
        check.run();
        return true;
      });
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** The text of the first match (textContent for SVG), or null: read in one script. */
  private String text(String css) {
    return (String) js("const e = document.querySelector(arguments[0]);"
      + " return e === null ? null : e instanceof HTMLElement ? e.innerText : e.textContent;", css);
  }

  private long count(String css) {
    return (Long) js("return document.querySelectorAll(arguments[0]).length;", css);
  }

  private void click(String css) {
    eventually("clicking " + css, 5, () -> browser.findElement(By.cssSelector(css)).click());
  }

  private void type(String css, String keys) {
    browser.findElement(By.cssSelector(css)).sendKeys(keys);
  }

  private void shot(String name) throws Exception {
    Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  /**
   * The CPU chart as drawn: how many plot pixels carry a line's colour, and per node whether
   * Chart.js put something visible in the plot (a line of two or more samples, or a dot inside it).
   */
  private static final String CPU_CHART = """
    const chart = Chart.getChart('load-chart');
    if (!chart) return JSON.stringify({ inked: 0, lines: [] });
    const a = chart.chartArea, r = window.devicePixelRatio || 1, m = 4;
    const inside = (p) => p.x >= a.left - m && p.x <= a.right + m && p.y >= a.top - m && p.y <= a.bottom + m;
    const rgb = (colour) => {
      const c = document.createElement('canvas').getContext('2d');
      c.fillStyle = colour;
      c.fillRect(0, 0, 1, 1);
      return c.getImageData(0, 0, 1, 1).data;
    };
    const colours = chart.data.datasets.map((d) => rgb(d.borderColor));
    const px = chart.ctx.getImageData(Math.floor((a.left - m) * r), Math.floor((a.top - m) * r),
      Math.ceil((a.width + 2 * m) * r), Math.ceil((a.height + 2 * m) * r)).data;
    let inked = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 200 && colours.some((c) =>
        Math.abs(px[i] - c[0]) + Math.abs(px[i + 1] - c[1]) + Math.abs(px[i + 2] - c[2]) < 60)) inked++;
    }
    return JSON.stringify({ inked, lines: chart.data.datasets.map((d, i) => {
      const points = chart.getDatasetMeta(i).data;
      const newest = points[points.length - 1];
      const shown = points.length > 1 || (!!newest && newest.options.radius > 0 && inside(newest));
      return { node: d.label, samples: d.data.length, shown };
    }) });
    """;

  /**
   * Installed before the page's own scripts: wraps the page's stream handler to read the CPU
   * chart once, right after the page has rendered its first snapshot, into window.firstCpuChart.
   */
  private static final String FIRST_RENDER = """
    const NativeEventSource = window.EventSource;
    window.EventSource = class extends NativeEventSource {
      set onmessage(handler) {
        super.onmessage = (m) => {
          handler(m);
          if (window.firstCpuChart === undefined) window.firstCpuChart = (() => {
    """ + CPU_CHART + """
          })();
        };
      }
      get onmessage() { return super.onmessage; }
    };
    """;

  /** What every panel shows, read in one script. */
  private static final String PANELS = """
    const q = (s, root = document) => [...root.querySelectorAll(s)];
    const txt = (e) => (e ? e.innerText.trim() : '');
    const cpu = Chart.getChart('load-chart');
    const rewards = Chart.getChart('rewards-chart');
    const note = document.getElementById('rewards-note');
    return JSON.stringify({
      topologyNodes: q('#topology g.node').length,
      topologyLinks: q('#topology g.link line').length,
      cards: q('[data-node-card]').map((c) => ({
        name: c.dataset.nodeCard,
        header: q('thead th', c).map(txt),
        lanes: q('tbody tr', c).map((row) => q('td', row).map(txt)),
        drain: q('button.drain', c).length,
      })),
      cpuLines: cpu ? cpu.data.datasets.map((d) => d.data.length) : [],
      models: txt(document.getElementById('models')),
      work: q('#work tr[data-work-state]').map((row) => q('td', row).map(txt)),
      workNote: txt(document.querySelector('#work .meta')),
      rewardValues: rewards ? rewards.data.datasets[0].data : [],
      rewardBars: rewards ? rewards.getDatasetMeta(0).data.map((bar) => bar.height) : [],
      rewardNote: note.hidden ? '' : txt(note),
      events: q('#events li').map(txt),
      adminForms: q('#admin-panel form').length,
    });
    """;

  /**
   * Per node card, how far its lane table's last column reaches past the card's content edge or
   * the window (positive: cut off) and how far the card scrolls sideways; per chart, how far its
   * drawing is off its panel's width (it redraws after a resize).
   */
  private static final String LAYOUT = """
    const q = (s, root = document) => [...root.querySelectorAll(s)];
    const view = document.documentElement.clientWidth;
    return JSON.stringify({
      innerWidth: window.innerWidth,
      pageOverflow: document.documentElement.scrollWidth - view,
      cards: q('[data-node-card]').map((c) => {
        const box = c.getBoundingClientRect();
        const style = getComputedStyle(c);
        const contentRight = box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
        const lastColumn = q('tr > :last-child', c);
        const right = Math.max(...lastColumn.map((cell) => cell.getBoundingClientRect().right));
        return {
          name: c.dataset.nodeCard,
          last: lastColumn.length ? lastColumn[0].innerText.trim() : '',
          clippedBy: Math.round(Math.max(right - contentRight, right - view)),
          scrollsBy: c.scrollWidth - c.clientWidth,
        };
      }),
      charts: ['load-chart', 'rewards-chart'].map((id) => {
        const chart = Chart.getChart(id);
        return { id, off: chart ? Math.abs(chart.width - chart.canvas.parentNode.clientWidth) : -1 };
      }),
    });
    """;
}
