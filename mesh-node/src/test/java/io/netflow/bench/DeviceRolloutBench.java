package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.auth.AdminAuth;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.models.ModelKeys;
import io.netflow.models.ModelManifest;
import io.netflow.models.ModelRoutes;
import io.netflow.models.ModelStore;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A model version reaching a fleet of devices: 4 nodes hold a 16 MiB version, each with a device
 * budget ({@code node.device-egress-bytes-per-second}, 32 MiB/s), and simulated devices (asynchronous
 * HTTP clients in this JVM, each asking its home node) fetch it as the device client does: ask
 * {@code /active}, download ranges from the advised sources, the next source when one is spent.
 * Reported: the time until 50%, 95% and 100% of devices hold it against the floor (devices x size /
 * the nodes' total budget), every node's device egress per second against its budget, the origin's
 * share of the bytes, and CRITICAL p99 on the mesh during the rollout against idle. Baseline in the
 * same run: every device downloads the whole file from the origin at once, from a plain file server.
 */
class DeviceRolloutBench {

  private static final int DEVICES = Integer.getInteger("bench.devices.count", 2_000);
  private static final int SIZE = Integer.getInteger("bench.devices.size", 16 << 20);
  private static final long BUDGET = Long.getLong("bench.devices.budget", 32L << 20);
  private static final int RANGE = 1 << 20;
  private static final String KEY = "fleet-secret";
  private static final String ADMIN = "bench-admin";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .followRedirects(HttpClient.Redirect.NORMAL).executor(Executors.newFixedThreadPool(4)).build();

  @Test
  @Timeout(3_600)
  void aFleetTakesANewVersionWithinTheBudget() throws Exception {
    Path dir = Files.createTempDirectory("device-bench");
    KeyPair publisher = ModelKeys.generate();
    try (TestMesh mesh = new TestMesh()) {
      List<NetflowNode> nodes = new ArrayList<>();
      for (String name : List.of("origin", "b", "c", "d")) {
        nodes.add(mesh.start(name, cfg -> cfg
          .set(NodeKeys.TRUSTED_KEYS, List.of("ops=" + ModelKeys.encode(publisher.getPublic())))
          .set(NodeKeys.ADMIN_KEYS, List.of(AdminAuth.sha256Hex(ADMIN)))
          .set(NodeKeys.API_KEYS, List.of(ApiKeys.entry("fleet", KEY, "models:*")))
          .set(NodeKeys.DEVICE_WAVES, List.of("100")).set(NodeKeys.DEVICE_RANGE, RANGE)
          .set(NodeKeys.DEVICE_EGRESS, BUDGET).set(NodeKeys.RATE, 10_000_000L).set(NodeKeys.RATE_BURST, 10_000_000L)));
      }
      NetflowNode origin = nodes.get(0);
      join(nodes.get(1).mesh().host("control", e -> Future.succeededFuture(Buffer.buffer("ok"))));
      mesh.awaitHosts("control", 1);
      Path file = dir.resolve("policy-v1.bin");
      byte[] bytes = new byte[SIZE];
      new Random(7).nextBytes(bytes);
      Files.write(file, bytes);
      publish(origin, file, publisher);
      for (NetflowNode n : nodes) {
        awaitHeld(n);
      }

      Histogram idle = critical(nodes.get(2), new AtomicBoolean(true), 2_000);
      Measured ours = fleet(nodes, () -> devices(nodes));
      Measured naive;
      Vertx plain = Vertx.vertx();
      try {
        HttpServer server = join(plain.createHttpServer().requestHandler(req -> req.response()
          .sendFile(origin.dataDir().resolve("models").resolve("policy").resolve("v1").resolve("model.bin").toString()))
          .listen(0, "127.0.0.1"));
        naive = fleet(nodes, () -> naive(URI.create("http://127.0.0.1:" + server.actualPort() + "/model.bin")));
      } finally {
        join(plain.close());
      }
      double floor = (double) DEVICES * SIZE / (nodes.size() * BUDGET);
      Bench.save("device-rollout", new JsonObject()
        .put("what", DEVICES + " devices, a " + (SIZE >> 20) + " MiB version, 4 nodes with " + (BUDGET >> 20)
          + " MiB/s device budgets; goals: 95% of devices within 1.3x the floor, no node over budget, CRITICAL p99"
          + " ratio at most 1.5, origin share at most 1/N + 10%")
        .put("floorSeconds", floor)
        .put("netflow", ours.toJson(floor).put("perNodeMaxEgressOverBudget", ours.maxOverBudget(nodes, BUDGET))
          .put("originShare", ours.shares().get(0)).put("shares", Bench.array(ours.shares())))
        .put("naiveFromOrigin", naive.toJson(floor))
        .put("criticalIdle", Bench.latency(idle))
        .put("criticalP99Ratio", Bench.ms(ours.critical, 99) / Bench.ms(idle, 99))
        .put("criticalP99RatioNaive", Bench.ms(naive.critical, 99) / Bench.ms(idle, 99)));
    }
  }

  /** A fleet's downloads while CRITICAL probes run, and each node's device bytes sampled every 100 ms. */
  private Measured fleet(List<NetflowNode> nodes, Fleet run) throws Exception {
    AtomicBoolean on = new AtomicBoolean(true);
    Measured m = new Measured();
    var sampler = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    sampler.scheduleAtFixedRate(() -> {
      // Per node: its counter, and the time just before and just after it was read (the sampler
      // may be preempted between reads on a busy machine; a window is timed by what brackets it).
      int count = nodes.size();
      long[] now = new long[3 * count];
      for (int i = 0; i < count; i++) {
        now[count + i] = System.nanoTime();
        now[i] = (long) nodes.get(i).registry().get("netflow.model.device.bytes").functionCounter().count();
        now[2 * count + i] = System.nanoTime();
      }
      m.samples.add(now);
      if (Boolean.getBoolean("bench.debug") && m.samples.size() % 10 == 0) {
        StringBuilder sb = new StringBuilder("[debug]");
        for (NetflowNode n : nodes) {
          var e = nodes.get(0).view().get(n.nodeId());
          if (e != null) {
            var t = e.report().traffic();
            sb.append(String.format(" %s a=%.0f r=%.0f cpu=%.2f u=%.2f |", n.name(), t.deviceAllowed() / 1e6, t.deviceRate() / 1e6,
              e.report().load().cpu(), t.utilisation()));
          }
        }
        System.out.println(sb);
      }
      // What each node allows devices now (its budget, less while it yields to CRITICAL latency).
      nodes.forEach(n -> {
        var self = n.view().get(n.nodeId());
        if (self != null) {
          m.allowed.add(self.report().traffic().deviceAllowed() / BUDGET);
        }
      });
    }, 0, 100, TimeUnit.MILLISECONDS);
    CompletableFuture<Histogram> critical = CompletableFuture.supplyAsync(() -> {
      try {
        return critical(nodes.get(2), on, Integer.MAX_VALUE);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<Long> done = run.start();
    on.set(false);
    sampler.shutdownNow();
    m.critical = critical.get();
    m.done = done.stream().map(t -> (t - start) / 1e9).sorted().toList();
    return m;
  }

  @FunctionalInterface
  private interface Fleet {
    List<Long> start() throws Exception;
  }

  /** Every device, at once, as the device client fetches: /active on its home node, then ranges. */
  private List<Long> devices(List<NetflowNode> nodes) throws Exception {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int i = 0; i < DEVICES; i++) {
      NetflowNode home = nodes.get(i % nodes.size());
      all.add(get(URI.create(home.httpUrl() + "/v1/models/policy/active?device=d-" + i), null)
        .thenCompose(r -> {
          JsonArray sources = new JsonObject(new String(r.body())).getJsonArray("sources");
          List<URI> from = new ArrayList<>();
          sources.forEach(s -> from.add(URI.create((String) s)));
          return download(from, 0, 0);
        }));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> all.stream().map(CompletableFuture::join)
      .toList()).get(3_000, TimeUnit.SECONDS);
  }

  /**
   * Fetches ranges from {@code offset} on as the client does: each range from the first advised
   * source with room (the next when one is spent), back to the first for the next range, waiting
   * as told when all are spent.
   */
  private CompletableFuture<Long> download(List<URI> from, long offset, int tried) {
    if (offset >= SIZE) {
      return CompletableFuture.completedFuture(System.nanoTime());
    }
    long last = Math.min(SIZE, offset + RANGE) - 1;
    URI source = from.get(tried % from.size());
    return get(source, "bytes=" + offset + "-" + last).thenCompose(r -> {
      if (r.statusCode() == 206 || r.statusCode() == 200) {
        return download(from, last + 1, 0);
      }
      long waitMs = tried % from.size() == from.size() - 1 ? retryAfterMs(r) : 0;
      return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(waitMs, TimeUnit.MILLISECONDS))
        .thenCompose(v -> download(from, offset, tried + 1));
    });
  }

  private static long retryAfterMs(HttpResponse<byte[]> r) {
    try {
      return Math.max(5, new JsonObject(new String(r.body())).getLong("retryAfterMs", 100L));
    } catch (RuntimeException e) {
      return 100;
    }
  }

  /** Every device at once, the whole file from the origin. */
  private List<Long> naive(URI file) throws Exception {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int i = 0; i < DEVICES; i++) {
      all.add(http.sendAsync(HttpRequest.newBuilder(file).build(), HttpResponse.BodyHandlers.discarding())
        .thenApply(r -> System.nanoTime()));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> all.stream().map(CompletableFuture::join)
      .toList()).get(3_000, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<byte[]>> get(URI uri, String range) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(60));
    if (range != null) {
      b.header("Range", range);
    }
    // A range's bytes are counted, not kept: 2,000 devices holding a MiB each would measure the garbage collector.
    return http.sendAsync(b.build(), info -> range != null && info.statusCode() / 100 == 2
      ? HttpResponse.BodySubscribers.replacing(new byte[0]) : HttpResponse.BodySubscribers.ofByteArray());
  }

  private static Histogram critical(NetflowNode from, AtomicBoolean whileOn, int count) throws Exception {
    return Bench.probe(from.vertx(), () -> from.mesh().request(Envelope.toService("control").priority(Priority.CRITICAL)
      .payload("move").build()), count, whileOn);
  }

  private static void publish(NetflowNode origin, Path file, KeyPair publisher) throws Exception {
    ModelManifest m = ModelKeys.sign(ModelStore.describe(file, "policy", "v1", 64 * 1024), "ops", publisher.getPrivate());
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(origin.httpUrl() + "/v1/models/policy/v1")).header("Authorization", "Bearer " + ADMIN)
      .header(ModelRoutes.SIZE, String.valueOf(m.size())).header(ModelRoutes.CHUNK_SIZE, String.valueOf(64 * 1024))
      .header(ModelRoutes.KEY_ID, m.keyId()).header(ModelRoutes.SIGNATURE, m.signature())
      .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("publish: " + r.statusCode() + " " + r.body());
    }
  }

  private static void awaitHeld(NetflowNode n) {
    TestMesh.await(Duration.ofSeconds(120), n.name() + " holds policy/v1", () -> {
      try {
        return new JsonObject(TestMesh.get(n, "/v1/models/policy/v1/rollout").body()).getJsonArray("nodes").stream()
          .map(JsonObject.class::cast).anyMatch(h -> h.getString("nodeName").equals(n.name())
            && List.of("VERIFIED", "ACTIVE").contains(h.getString("state")));
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** What one fleet's rollout measured. */
  private static final class Measured {
    final ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Double> allowed = new ConcurrentLinkedQueue<>();
    Histogram critical;
    List<Double> done;

    double at(double share) {
      return done.get(Math.max(0, (int) Math.ceil(share * done.size()) - 1));
    }

    JsonObject toJson(double floor) {
      return new JsonObject().put("seconds50", at(0.5)).put("seconds95", at(0.95)).put("seconds100", at(1.0))
        .put("ratio95ToFloor", at(0.95) / floor).put("ratio100ToFloor", at(1.0) / floor)
        .put("critical", Bench.latency(critical))
        .put("meanAllowedOverBudget", allowed.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
    }

    /**
     * The most any node sent devices per second over any window of at least a second (between two of
     * the 100 ms samples), over its budget. The bytes between two reads of a node's counter were
     * released between the moment before the first read and the moment after the second: that span
     * times the window, and the budget guarantees no more than the budget per second over it.
     */
    double maxOverBudget(List<NetflowNode> nodes, long budget) {
      List<long[]> s = new ArrayList<>(samples);
      int t = nodes.size();
      double worst = 0;
      for (int n = 0; n < t; n++) {
        for (int i = 0; i < s.size(); i++) {
          int j = i + 1;
          while (j < s.size() && s.get(j)[2 * t + n] - s.get(i)[t + n] < 1_000_000_000L) {
            j++;
          }
          if (j == s.size()) {
            break;
          }
          double seconds = (s.get(j)[2 * t + n] - s.get(i)[t + n]) / 1e9;
          worst = Math.max(worst, (s.get(j)[n] - s.get(i)[n]) / seconds / budget);
        }
      }
      return worst;
    }

    /** Each node's share of the device bytes, in the order of the nodes (the origin first). */
    List<Double> shares() {
      List<long[]> s = new ArrayList<>(samples);
      long[] first = s.get(0);
      long[] last = s.get(s.size() - 1);
      int nodes = last.length / 3;
      long total = 0;
      for (int n = 0; n < nodes; n++) {
        total += last[n] - first[n];
      }
      List<Double> out = new ArrayList<>();
      for (int n = 0; n < nodes; n++) {
        out.add(total == 0 ? 0 : (last[n] - first[n]) / (double) total);
      }
      return out;
    }
  }
}
