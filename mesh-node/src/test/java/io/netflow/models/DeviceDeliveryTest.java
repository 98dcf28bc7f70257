package io.netflow.models;

import static io.netflow.node.TestMesh.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.client.models.ModelSync;
import io.netflow.client.models.ModelSyncException;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model versions reach devices: a device asks a node which version to run, downloads it from the
 * advised sources (redirected, cut mid-file, tampered with), verifies it on the device and switches;
 * a rollback sends it back to the version it kept; waves hold devices back until theirs opens.
 */
class DeviceDeliveryTest {

  private static final String DEVICE_KEY = "device-secret";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .followRedirects(HttpClient.Redirect.NORMAL).build();

  @TempDir
  Path tmp;
  private ModelFixture fx;
  private TestMesh mesh;
  private Vertx proxyVertx;

  @BeforeEach
  void setUp() {
    fx = new ModelFixture(tmp);
    mesh = new TestMesh();
    proxyVertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    TestMesh.join(proxyVertx.close());
    mesh.close();
  }

  private UnaryOperator<io.netflow.node.config.NodeConfig> node(List<String> waves) {
    return fx.trusting(cfg -> cfg.set(NodeKeys.API_KEYS, List.of(ApiKeys.entry("phone", DEVICE_KEY, "models:policy*")))
      .set(NodeKeys.DEVICE_WAVES, waves).set(NodeKeys.DEVICE_WAVE_MS, 60_000L).set(NodeKeys.DEVICE_RANGE, 256 * 1024));
  }

  private ModelSync device(String id, URI... nodes) throws Exception {
    return new ModelSync(HTTP, new ModelSync.Options(List.of(nodes), DEVICE_KEY, id, Files.createDirectories(tmp.resolve(id)),
      ModelSync.trust("ops=" + ModelKeys.encode(fx.publisher.getPublic())), 256 * 1024, Duration.ofSeconds(10)));
  }

  /** A random 1.5 MB file published as policy/v1 on {@code a}, once {@code a} holds it verified. */
  private Path publishedV1(NetflowNode a, long seed) throws Exception {
    Path v1 = fx.model("v1.bin", 1_500_000, seed);
    assertThat(fx.publish(a, "policy", "v1", v1).statusCode()).isEqualTo(201);
    awaitHeld(a, "policy/v1");
    return v1;
  }

  private void awaitHeld(NetflowNode n, String id) {
    await(Duration.ofSeconds(20), n.name() + " holds " + id, () -> {
      try {
        return new JsonObject(TestMesh.get(n, "/v1/models/" + id + "/rollout").body()).getJsonArray("nodes").stream()
          .map(JsonObject.class::cast).anyMatch(h -> h.getString("nodeName").equals(n.name())
            && List.of("VERIFIED", "ACTIVE").contains(h.getString("state")));
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  void aDeviceTakesTheVersionThroughANodeThatDoesNotHoldItAndFollowsARollback() throws Exception {
    NetflowNode a = mesh.start("a", node(List.of("100")));
    // c trusts no publisher: it never holds a version, so it sends devices elsewhere (307).
    NetflowNode c = mesh.start("c", cfg -> node(List.of("100")).apply(cfg).set(NodeKeys.TRUSTED_KEYS, List.of()));
    Path v1 = publishedV1(a, 1);

    HttpResponse<String> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(c.httpUrl() + "/v1/models/policy/v1/file")).header("Authorization", "Bearer " + DEVICE_KEY).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(redirect.statusCode()).isEqualTo(307);
    assertThat(redirect.headers().firstValue("Location")).hasValue(a.httpUrl() + "/v1/models/policy/v1/file");

    ModelSync phone = device("phone-1", URI.create(c.httpUrl()));
    ModelSync.Outcome first = phone.sync("policy");
    assertThat(first.version()).isEqualTo("v1");
    assertThat(first.switched()).isTrue();
    assertThat(first.file()).hasSameBinaryContentAs(v1);
    assertThat(phone.sync("policy").switched()).isFalse();

    Path v2 = fx.model("v2.bin", 700_000, 2);
    assertThat(fx.publish(a, "policy", "v2", v2).statusCode()).isEqualTo(201);
    awaitHeld(a, "policy/v2");
    // c learns of v2 from the cluster a moment after a holds it; the device takes it on a next sync.
    await(Duration.ofSeconds(10), "the device on v2", () -> "v2".equals(phone.sync("policy").version()));
    assertThat(phone.file("policy", "v2")).hasSameBinaryContentAs(v2);
    // The device count follows what devices say they run.
    await(Duration.ofSeconds(5), "counted", () -> {
      phone.sync("policy");
      try {
        return new JsonObject(get(a, "/v1/models/policy/devices").body()).getJsonObject("devices").getLong("v2") >= 1;
      } catch (Exception e) {
        return false;
      }
    });

    // A rollback closes the waves: the device is told v1, which it kept, and switches back without a download.
    long served = served(a);
    assertThat(ModelFixture.post(a, "/v1/models/policy/rollback").statusCode()).isEqualTo(202);
    await(Duration.ofSeconds(10), "told v1", () -> "v1".equals(phone.sync("policy").version()));
    assertThat(phone.active("policy")).hasValue("v1");
    assertThat(phone.file("policy", "v1")).hasSameBinaryContentAs(v1);
    assertThat(served(a)).isEqualTo(served);
  }

  @Test
  void aDownloadCutMidFileResumesAndATamperedOneIsRefused() throws Exception {
    NetflowNode a = mesh.start("a", node(List.of("100")));
    Path v1 = publishedV1(a, 3);

    // Through a proxy that drops the connection after 300 kB of the first answer: the device
    // resumes from the chunks it verified, and the file ends byte for byte.
    URI cutting = proxy(a, 300_000, false);
    ModelSync phone = device("phone-2", advising(a, cutting));
    long before = served(a);
    assertThat(phone.sync("policy").file()).hasSameBinaryContentAs(v1);
    assertThat(connections.get()).as("the device came back after the cut").isGreaterThanOrEqualTo(2);
    assertThat(served(a) - before).as("bytes served: the cut part was not sent twice, more or less")
      .isLessThan(1_500_000 + 300_000 + 256 * 1024);

    // A source that flips a byte: every chunk it serves fails its hash; nothing is switched to.
    URI tampering = proxy(a, Long.MAX_VALUE, true);
    ModelSync other = device("phone-3", advising(a, tampering));
    assertThatThrownBy(() -> other.sync("policy")).isInstanceOf(ModelSyncException.class)
      .hasMessageContaining("does not match the signed manifest");
    assertThat(other.active("policy")).isEmpty();
  }

  @Test
  void aDeviceWhoseWaveIsClosedKeepsItsVersionAndIsToldWhenToAskAgain() throws Exception {
    NetflowNode a = mesh.start("a", node(List.of("50", "100")));
    Path v1 = fx.model("v1.bin", 200_000, 4);
    assertThat(fx.publish(a, "policy", "v1", v1).statusCode()).isEqualTo(201);
    awaitHeld(a, "policy/v1");
    String late = null;
    for (int i = 0; late == null; i++) {
      if (io.netflow.models.impl.Waves.place("d-" + i, "v1") >= 50) {
        late = "d-" + i;
      }
    }
    HttpResponse<String> r = get(a, "/v1/models/policy/active?device=" + late);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("version")).isNull();
    assertThat(new JsonObject(r.body()).getBoolean("waiting")).isTrue();
    assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(50L, 60L);
    // Bad input: a malformed device id, an unknown model, a key without the scope, a bad range.
    assertThat(get(a, "/v1/models/policy/active?device=no%20spaces").statusCode()).isEqualTo(400);
    assertThat(get(a, "/v1/models/policy-x/active?device=d-1").statusCode()).isEqualTo(404);
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/v1/models/policy/v1/file"))
      .header("Authorization", "Bearer " + DEVICE_KEY).header("Range", "bytes=900000-").build(),
      HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(416);
    assertThat(get(a, "/v1/models/other/v1/file").statusCode()).isEqualTo(403);
    HttpResponse<String> notModified = HTTP.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/v1/models/policy/v1/file"))
      .header("Authorization", "Bearer " + DEVICE_KEY).header("If-None-Match", "\"" + fx.sign(v1, "policy", "v1").sha256()
        + "\"").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(notModified.statusCode()).isEqualTo(304);
  }

  /**
   * A split cluster's merge hands the merging side's map entries over at best effort. Had the
   * device rollouts' entry been dropped, devices would have been told no version is out, and the
   * next wish would have started the waves over, unpaused. The node puts back the state it has seen.
   */
  @Test
  void aPausedDeviceRolloutAMergeDroppedComesBackPaused() throws Exception {
    NetflowNode a = mesh.start("a", node(List.of("50", "100")));
    publishedV1(a, 7);
    HttpResponse<String> paused = ModelFixture.post(a, "/v1/models/policy/devices/pause");
    assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
    JsonObject before = rollout(a);
    assertThat(before.getLong("pausedAt")).isPositive();

    TestMesh.hazelcast(a).getMap(io.netflow.models.impl.DeviceRollouts.MAP).delete("policy");
    assertThat(rollout(a)).as("dropped").isNull();
    TestMesh.mergedIntoOtherSide(a);

    await(Duration.ofSeconds(10), "the rollout back", () -> {
      try {
        return rollout(a) != null;
      } catch (Exception e) {
        return false;
      }
    });
    JsonObject after = rollout(a);
    assertThat(after.getString("version")).isEqualTo("v1");
    assertThat(after.getLong("startedAt")).as("the same waves, not new ones").isEqualTo(before.getLong("startedAt"));
    assertThat(after.getLong("pausedAt")).as("still paused").isEqualTo(before.getLong("pausedAt"));
  }

  private static JsonObject rollout(NetflowNode n) throws Exception {
    HttpResponse<String> r = get(n, "/v1/models/policy/devices");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonObject("rollout");
  }

  private static HttpResponse<String> get(NetflowNode n, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(n.httpUrl() + path)).header("Authorization", "Bearer " + DEVICE_KEY)
      .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aBusySourcePassesEachRangeToTheNextAndTheDeviceComesBackToIt() throws Exception {
    NetflowNode a = mesh.start("a", node(List.of("100")));
    Path v1 = publishedV1(a, 5);
    // A source whose device budget is spent: 503, Retry-After, retryAfterMs, for every range.
    AtomicInteger asked = new AtomicInteger();
    io.vertx.core.http.HttpServer spent = proxyVertx.createHttpServer().requestHandler(req -> {
      asked.incrementAndGet();
      req.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", "OVERLOADED").put("code", 1008).put("retryAfterMs", 20).encode());
    });
    TestMesh.join(spent.listen(0, "127.0.0.1"));
    URI busy = URI.create("http://127.0.0.1:" + spent.actualPort());

    long before = served(a);
    ModelSync.Outcome o = device("phone-busy", advising(a, busy, URI.create(a.httpUrl()))).sync("policy");
    assertThat(o.file()).hasSameBinaryContentAs(v1);
    assertThat(served(a) - before).as("every byte from the next source").isEqualTo(1_500_000);
    // Each of the 6 ranges was asked of the first source first: the device came back to it each time.
    assertThat(asked.get()).isGreaterThanOrEqualTo(6);
  }

  @Test
  void aNodePastItsDeviceBudgetTellsDevicesToLookElsewhereAndEndsEveryRangeItTook() throws Exception {
    // 512 KiB/s for devices and 300 ms of waiting at most: of eight 256 KiB ranges asked at once, the
    // bucket sends one, one waits its turn, and the rest are told to try another source.
    NetflowNode a = mesh.start("a", cfg -> node(List.of("100")).apply(cfg).set(NodeKeys.DEVICE_EGRESS, 512L * 1024)
      .set(NodeKeys.DEVICE_QUEUE_MS, 300L));
    publishedV1(a, 6);
    long before = served(a);
    List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> asked = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      asked.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/v1/models/policy/v1/file"))
        .header("Authorization", "Bearer " + DEVICE_KEY).header("Range", "bytes=0-262143").build(),
        HttpResponse.BodyHandlers.ofByteArray()));
    }
    int whole = 0;
    int refused = 0;
    for (var f : asked) {
      HttpResponse<byte[]> r = f.get(20, java.util.concurrent.TimeUnit.SECONDS);
      if (r.statusCode() == 206) {
        assertThat(r.body()).hasSize(262_144);
        whole++;
      } else {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        JsonObject error = new JsonObject(new String(r.body()));
        assertThat(error.getString("error")).isEqualTo("OVERLOADED");
        assertThat(error.getLong("retryAfterMs")).isPositive();
        refused++;
      }
    }
    assertThat(whole).isBetween(1, 3);
    assertThat(refused).isEqualTo(8 - whole);
    assertThat(served(a) - before).isEqualTo(whole * 262_144L);
  }

  private static long served(NetflowNode n) {
    return (long) n.registry().get("netflow.model.device.bytes").functionCounter().count();
  }

  /**
   * A node stand-in that answers {@code /active} as {@code a} does but names only {@code sources},
   * in that order, so that every byte goes through them.
   */
  private URI advising(NetflowNode a, URI... sources) throws Exception {
    io.vertx.core.http.HttpServer server = proxyVertx.createHttpServer().requestHandler(req -> HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(a.httpUrl() + req.uri())).header("Authorization", "Bearer " + DEVICE_KEY).build(),
        HttpResponse.BodyHandlers.ofString())
      .thenAccept(r -> {
        JsonObject advice = new JsonObject(r.body());
        if (advice.getString("version") != null) {
          io.vertx.core.json.JsonArray named = new io.vertx.core.json.JsonArray();
          for (URI source : sources) {
            named.add(source + "/v1/models/policy/" + advice.getString("version") + "/file");
          }
          advice.put("sources", named);
        }
        req.response().setStatusCode(r.statusCode()).end(advice.encode());
      }));
    TestMesh.join(server.listen(0, "127.0.0.1"));
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** A TCP proxy to {@code a}'s HTTP port that cuts the first connection after {@code cutAfter} bytes back, or flips bytes. */
  private final AtomicInteger connections = new AtomicInteger();

  private URI proxy(NetflowNode a, long cutAfter, boolean tamper) throws Exception {
    NetServer server = proxyVertx.createNetServer().connectHandler(client -> {
      boolean cutThis = connections.incrementAndGet() == 1 && cutAfter < Long.MAX_VALUE;
      client.pause();
      proxyVertx.createNetClient().connect(a.httpPort(), "127.0.0.1").onSuccess(upstream -> {
        long[] sent = {0};
        client.handler(upstream::write);
        upstream.handler(bytes -> relay(client, upstream, bytes, sent, cutThis ? cutAfter : Long.MAX_VALUE, tamper));
        client.closeHandler(v -> upstream.close());
        upstream.closeHandler(v -> client.close());
        client.resume();
      });
    });
    TestMesh.join(server.listen(0, "127.0.0.1"));
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  private static void relay(NetSocket client, NetSocket upstream, Buffer bytes, long[] sent, long cutAfter, boolean tamper) {
    Buffer out = bytes;
    if (tamper && bytes.length() > 600) {
      // Past the response headers: flip one byte of the body.
      out = bytes.copy();
      out.setByte(bytes.length() - 1, (byte) ~bytes.getByte(bytes.length() - 1));
    }
    if (sent[0] + out.length() >= cutAfter) {
      client.write(out.slice(0, (int) Math.max(0, cutAfter - sent[0])));
      client.close();
      upstream.close();
      return;
    }
    sent[0] += out.length();
    client.write(out);
  }
}
