package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.http.GatewayOptions;
import io.netflow.gateway.http.GatewayRoutes;
import io.netflow.gateway.http.HttpApi;
import io.netflow.gateway.http.HttpOptions;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/messages} (NORMAL, 200-byte payload, API key, routed to a service) under wrk,
 * against a bare vertx-web handler that reads the body and answers 202, on the same machine in
 * the same run, each after the same warm-up, each with the same number of HTTP server instances
 * ({@code -Dbench.gateway.instances=1,2} by default). Needs wrk (Debian package).
 *
 * <p>A third server splits the gap: the gateway alone, the node's own HTTP API and message routes
 * (key, rate, parse, checks, meter, answer, the batch hand-over on the event bus) in front of a
 * stand-in for the mesh that takes every request at once on its own event loop. NetFlow against
 * it is what the mesh behind the gateway costs; it against the bare handler, what the gateway's
 * own work costs.
 */
class GatewayBench {

  private static final String KEY = "bench-key";
  private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
  /** The node's data-plane loops ({@code mesh.shards}); 0, its default, is one per core. */
  private static final int SHARDS = Integer.getInteger("bench.gateway.shards", 0);
  /** Each server is loaded this long first, so that both are measured running JIT-compiled code. */
  private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warmup.seconds", 20);

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES) // -Dbench.runs=9 and more outlast the tests' 120 s default
  void messagesAgainstABareHandler() throws Exception {
    String body = new JsonObject().put("service", "ingest").put("priority", "NORMAL").put("payload", "x".repeat(200)).encode();
    Path script = Files.writeString(dir.resolve("post.lua"), "wrk.method = \"POST\"\nwrk.body = '" + body + "'\n"
      + "wrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer " + KEY + "\"\n");
    JsonObject byInstances = new JsonObject();
    for (String n : System.getProperty("bench.gateway.instances", "1,2").split(",")) {
      int instances = Integer.parseInt(n.trim());
      byInstances.put(String.valueOf(instances), measure(script, instances));
    }
    JsonObject result = new JsonObject()
      .put("what", "POST /v1/messages (NORMAL, 200 B, routed) req/s / bare vertx-web 202 handler req/s, each with the same"
        + " number of HTTP server instances (gateway.instances), wrk -t2 -c64 (target >= 0.85 at equal instances)")
      .put("byInstances", byInstances)
      .put("jvmArguments", Bench.array(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    // The figures of the first count stay at the top, as before this benchmark compared instance counts.
    JsonObject first = byInstances.getJsonObject(byInstances.fieldNames().iterator().next());
    first.fieldNames().forEach(f -> result.put(f, first.getValue(f)));
    Bench.save("gateway", result);
  }

  /** Runs of NetFlow and the bare handler, each with {@code instances} HTTP server instances sharing its port. */
  private JsonObject measure(Path script, int instances) throws Exception {
    Vertx bare = Vertx.vertx();
    Vertx alone = Vertx.vertx();
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("gateway", cfg -> cfg.set(NodeKeys.API_KEYS, List.of(ApiKeys.entry("bench", KEY, "publish:*")))
        .set(NodeKeys.RATE, 10_000_000L).set(NodeKeys.RATE_BURST, 10_000_000L).set(NodeKeys.HTTP_INSTANCES, instances)
        .set(NodeKeys.SHARDS, SHARDS));
      join(a.mesh().host("ingest", e -> Future.succeededFuture(Buffer.buffer())));
      mesh.awaitHosts("ingest", 1);
      int port = bareServer(bare, instances);
      String ours = a.httpUrl() + "/v1/messages";
      String baseline = "http://127.0.0.1:" + port + "/bare";
      String gatewayAlone = "http://127.0.0.1:" + gatewayAlone(alone, instances) + "/v1/messages";
      wrk(ours, script, WARM_UP_SECONDS);
      wrk(baseline, script, WARM_UP_SECONDS);
      wrk(gatewayAlone, script, WARM_UP_SECONDS);
      List<Double> ratios = new ArrayList<>();
      List<Double> oursRps = new ArrayList<>();
      List<Double> bareRps = new ArrayList<>();
      List<Double> oursBusiest = new ArrayList<>();
      List<Double> aloneRatios = new ArrayList<>();
      List<Double> meshRatios = new ArrayList<>();
      List<Double> aloneBusiest = new ArrayList<>();
      JsonObject runs = new JsonObject();
      for (int run = 1; run <= Bench.RUNS; run++) {
        ThreadCpu before = ThreadCpu.now();
        double[] o = wrk(ours, script, SECONDS);
        ThreadCpu between = ThreadCpu.now();
        double[] b = wrk(baseline, script, SECONDS);
        ThreadCpu after = ThreadCpu.now();
        double[] g = wrk(gatewayAlone, script, SECONDS);
        ThreadCpu last = ThreadCpu.now();
        double[] oCpu = between.since(before, o[0] * SECONDS);
        double[] bCpu = after.since(between, b[0] * SECONDS);
        double[] gCpu = last.since(after, g[0] * SECONDS);
        ratios.add(o[0] / b[0]);
        oursRps.add(o[0]);
        bareRps.add(b[0]);
        oursBusiest.add(oCpu[0]);
        aloneRatios.add(g[0] / b[0]);
        meshRatios.add(o[0] / g[0]);
        aloneBusiest.add(gCpu[0]);
        runs.put("run" + run, new JsonObject().put("netflowRps", o[0]).put("netflowP99Ms", o[1]).put("netflowNon2xx", o[2])
          .put("bareRps", b[0]).put("bareP99Ms", b[1])
          .put("gatewayAloneRps", g[0]).put("gatewayAloneNon2xx", g[2])
          .put("netflowServerThreadMicrosPerRequest", oCpu[0]).put("netflowJvmMicrosPerRequest", oCpu[1])
          .put("bareServerThreadMicrosPerRequest", bCpu[0]).put("bareJvmMicrosPerRequest", bCpu[1])
          .put("gatewayAloneServerThreadMicrosPerRequest", gCpu[0]).put("gatewayAloneJvmMicrosPerRequest", gCpu[1]));
        System.out.printf("%d instance(s), run %d: NetFlow %.0f req/s, bare %.0f req/s, ratio %.3f; CPU per request: busiest"
          + " thread %.2f vs %.2f us, whole JVM %.2f vs %.2f us%n", instances, run, o[0], b[0], o[0] / b[0], oCpu[0], bCpu[0],
          oCpu[1], bCpu[1]);
        System.out.printf("%d instance(s), run %d: gateway alone %.0f req/s (%.3f of bare; NetFlow %.3f of it); busiest"
          + " thread %.2f us, whole JVM %.2f us per request%n", instances, run, g[0], g[0] / b[0], o[0] / g[0], gCpu[0], gCpu[1]);
      }
      return new JsonObject().put("instances", instances)
        .put("medianRatio", Bench.median(ratios))
        .put("medianGatewayAloneRatio", Bench.median(aloneRatios))
        .put("medianNetflowOverGatewayAlone", Bench.median(meshRatios))
        .put("medianGatewayAloneBusiestThreadMicrosPerRequest", Bench.median(aloneBusiest))
        .put("medianNetflowRps", Bench.median(oursRps))
        .put("medianBareRps", Bench.median(bareRps))
        .put("medianNetflowBusiestThreadMicrosPerRequest", Bench.median(oursBusiest))
        .put("runs", runs);
    } finally {
      bare.close().toCompletionStage().toCompletableFuture().get();
      alone.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /**
   * The gateway alone: the node's HTTP API with the message routes, as the node configures them for
   * this bench, on {@code instances} event loops, handing its batches to a stand-in for the mesh (one
   * consumer per core, each on its own loop, as the data plane's shards) that takes every request.
   */
  private static int gatewayAlone(Vertx vertx, int instances) throws Exception {
    IngressBatch.registerCodecs(vertx.eventBus());
    join(vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.eventBus().<IngressBatch>localConsumer(Addresses.INGRESS_BATCH, m -> m.reply(new IngressBatch.Outcomes(
          m.body().envelopes().stream().map(e -> IngressBatch.Outcome.taken("stand-in")).toList()))).completion();
      }
    }, new io.vertx.core.DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors())));
    GatewayOptions options = new GatewayOptions().setApiKeys(List.of(ApiKeys.entry("bench", KEY, "publish:*")))
      .setRatePerSecond(10_000_000L).setRateBurst(10_000_000L);
    HealthChecks none = HealthChecks.create(vertx);
    return join(HttpApi.deploy(vertx, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, new HttpOptions().setPort(0)
        .setHost("127.0.0.1").setInstances(instances), none, none, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
      List.of(new GatewayRoutes(options)))).port();
  }

  /** The baseline: a vertx-web handler that reads the body and answers 202, on {@code instances} event loops. */
  private static int bareServer(Vertx bare, int instances) throws Exception {
    // Instances share a server by asking for the same port; port 0 is never shared, -1 is one random port shared.
    int ask = instances > 1 ? -1 : 0;
    java.util.concurrent.atomic.AtomicInteger port = new java.util.concurrent.atomic.AtomicInteger();
    join(bare.deployVerticle(() -> new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        Router r = Router.router(vertx);
        r.post("/bare").handler(BodyHandler.create(false)).handler(ctx -> ctx.response().setStatusCode(202).end());
        return vertx.createHttpServer().requestHandler(r).listen(ask, "127.0.0.1").onSuccess(s -> port.set(s.actualPort()));
      }
    }, new io.vertx.core.DeploymentOptions().setInstances(instances)));
    return port.get();
  }

  /** Runs wrk; returns requests per second, p99 in ms, and non-2xx responses. */
  private static double[] wrk(String url, Path script, int seconds) throws Exception {
    Process p = new ProcessBuilder("wrk", "-t2", "-c64", "-d" + seconds + "s", "--latency", "-s", script.toString(), url)
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(seconds + 30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("wrk failed: " + out);
    }
    double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
    String p99 = find(out, "99%\\s+([0-9.]+\\w+)");
    String non2xx = out.contains("Non-2xx") ? find(out, "Non-2xx or 3xx responses: (\\d+)") : "0";
    return new double[]{rps, millis(p99), Double.parseDouble(non2xx)};
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no " + regex + " in wrk output: " + text);
    }
    return m.group(1);
  }

  private static double millis(String v) {
    double n = Double.parseDouble(v.replaceAll("[a-z]+", ""));
    return v.endsWith("us") ? n / 1000 : v.endsWith("ms") ? n : v.endsWith("s") ? n * 1000 : n;
  }
}
