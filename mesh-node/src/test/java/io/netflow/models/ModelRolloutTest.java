package io.netflow.models;

import static io.netflow.node.TestMesh.await;
import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRolloutTest {

  @TempDir
  Path dir;
  private TestMesh mesh;
  private ModelFixture fx;

  @BeforeEach
  void setUp() {
    mesh = new TestMesh();
    fx = new ModelFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    mesh.close();
  }

  private static JsonObject rollout(NetflowNode n, String id) throws Exception {
    return new JsonObject(TestMesh.get(n, "/v1/models/" + id + "/rollout").body());
  }

  private static String state(NetflowNode reader, String id, NetflowNode of) throws Exception {
    return rollout(reader, id).getJsonArray("nodes").stream().map(JsonObject.class::cast)
      .filter(n -> n.getString("nodeName").equals(of.name())).map(n -> n.getString("state")).findFirst().orElse("NONE");
  }

  private void awaitState(NetflowNode n, String id, String state, Duration timeout) throws Exception {
    await(timeout, n.name() + " has " + id + " " + state, () -> {
      try {
        return state.equals(state(n, id, n));
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** Nodes a and b, with {@code model} published from a as policy/v1 and active on both. */
  private List<NetflowNode> twoRunning(Path model) throws Exception {
    NetflowNode a = mesh.start("a", fx.trusting());
    NetflowNode b = mesh.start("b", fx.trusting());
    assertThat(fx.publish(a, "policy", "v1", model).statusCode()).isEqualTo(201);
    awaitState(a, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    awaitState(b, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    return List.of(a, b);
  }

  private static Path activeFile(NetflowNode n, String name) throws Exception {
    Path base = n.dataDir().resolve("models").resolve(name);
    return base.resolve(Files.readString(base.resolve("ACTIVE")).trim()).resolve("model.bin");
  }

  @Test
  void aPublishedVersionReachesEveryNodeVerifiedAndAppsAreTold() throws Exception {
    NetflowNode a = mesh.start("a", fx.trusting());
    NetflowNode b = mesh.start("b", fx.trusting());
    NetflowNode c = mesh.start("c", fx.trusting());
    Map<String, JsonObject> told = new ConcurrentHashMap<>();
    for (NetflowNode n : List.of(a, b, c)) {
      join(n.vertx().eventBus().<JsonObject>localConsumer(ModelAddresses.MODEL_ACTIVATED, m -> told.put(n.name(), m.body()))
        .completion());
    }
    Path model = fx.model("policy.bin", 2_000_000, 1);
    HttpResponse<String> r = fx.publish(b, "policy", "v1", model);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(new JsonObject(r.body()).getInteger("chunks")).isEqualTo(31);
    for (NetflowNode n : List.of(a, b, c)) {
      awaitState(n, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
      assertThat(Files.readAllBytes(activeFile(n, "policy"))).isEqualTo(Files.readAllBytes(model));
    }
    await(Duration.ofSeconds(5), "every node's apps told", () -> told.size() == 3);
    assertThat(told.get("a").getString("version")).isEqualTo("v1");
    assertThat(Path.of(told.get("a").getString("path"))).hasSameBinaryContentAs(model);
    JsonObject list = new JsonObject(TestMesh.get(a, "/v1/models").body());
    assertThat(list.getJsonArray("models").getJsonObject(0).getJsonArray("nodes")).hasSize(3);
    // The origin served a share, not every chunk to every node: its peers re-served chunks to each other.
    double fromOrigin = served(b);
    assertThat(fromOrigin).as("chunks the origin served").isGreaterThan(0).isLessThan(2 * 31);
    assertThat(served(a) + served(c)).as("chunks peers re-served").isGreaterThan(0);
    assertThat(fromOrigin + served(a) + served(c)).as("every chunk each peer fetched").isGreaterThanOrEqualTo(2 * 31);
  }

  @Test
  void eachChunkCrossesIntoTheOtherRegionAboutOnceAndSpreadsThere() throws Exception {
    NetflowNode origin = mesh.start("origin", fx.trusting(cfg -> cfg.set(NodeKeys.NODE_REGION, "eu-west")));
    NetflowNode eu = mesh.start("eu", fx.trusting(cfg -> cfg.set(NodeKeys.NODE_REGION, "eu-west")));
    List<NetflowNode> us = List.of(
      mesh.start("us1", fx.trusting(cfg -> cfg.set(NodeKeys.NODE_REGION, "us-east"))),
      mesh.start("us2", fx.trusting(cfg -> cfg.set(NodeKeys.NODE_REGION, "us-east"))),
      mesh.start("us3", fx.trusting(cfg -> cfg.set(NodeKeys.NODE_REGION, "us-east"))));
    Path model = fx.model("policy.bin", 4_000_000, 3);
    assertThat(fx.publish(origin, "policy", "v1", model).statusCode()).isEqualTo(201);
    for (NetflowNode n : List.of(eu, us.get(0), us.get(1), us.get(2))) {
      awaitState(n, "policy/v1", "ACTIVE", Duration.ofSeconds(30));
      assertThat(activeFile(n, "policy")).hasSameBinaryContentAs(model);
    }
    int chunks = (int) Math.ceil(4_000_000 / (double) ModelFixture.CHUNK);
    double crossed = us.stream().mapToDouble(ModelRolloutTest::crossed).sum();
    // Region-blind, each us node would fetch about half its chunks from eu-west: 1.5x the model.
    // The lab holds 1.15x; here, on a CI machine busy with other tests, a fetcher idle for 3 s
    // takes any chunk (so a stuck designee cannot stall it), which may bring a few across twice.
    assertThat(crossed).as("chunks us-east fetched from eu-west, of %d", chunks).isBetween((double) chunks, 1.25 * chunks);
    assertThat(crossed(eu)).as("eu-west fetched within its region").isZero();
  }

  private static double crossed(NetflowNode n) {
    return n.registry().get("netflow.model.chunks.crossed").counter().count();
  }

  private static double served(NetflowNode n) {
    return n.registry().get("netflow.model.chunks.served").counter().count();
  }

  @Test
  void forgedUnsignedAndUnknownKeyVersionsAreRefusedAndNeverActive() throws Exception {
    NetflowNode a = mesh.start("a", fx.trusting());
    NetflowNode b = mesh.start("b", fx.trusting());
    Path model = fx.model("m.bin", 300_000, 2);
    ModelManifest good = ModelKeys.sign(ModelStore.describe(model, "policy", "v1", ModelFixture.CHUNK), "ops",
      fx.publisher.getPrivate());
    var stranger = ModelKeys.generate();
    ModelManifest byStranger = ModelKeys.sign(ModelStore.describe(model, "policy", "v1", ModelFixture.CHUNK), "ops",
      stranger.getPrivate());
    assertCode(fx.upload(a, "policy", "v1", model, good.size(), null, null), 400, 1017, "not signed");
    assertCode(fx.upload(a, "policy", "v1", model, good.size(), "ops", byStranger.signature()), 400, 1017, "wrong signature");
    assertCode(fx.upload(a, "policy", "v1", model, good.size(), "someone", good.signature()), 400, 1017, "unknown key");
    // A member that forges a manifest and announces it straight on the bus gets nowhere either.
    b.vertx().eventBus().publish(ModelAddresses.MODEL_ANNOUNCE, byStranger.toJson());
    await(Duration.ofSeconds(5), "a refuses the forged manifest", () -> metric(a, "netflow_model_manifests_rejected_total") >= 4);
    assertThat(new JsonObject(TestMesh.get(a, "/v1/models").body()).getJsonArray("models")).isEmpty();
    assertThat(a.dataDir().resolve("models").resolve("policy")).doesNotExist();
    try (Stream<Path> left = Files.list(a.dataDir().resolve("uploads"))) {
      assertThat(left).as("no upload left behind").isEmpty();
    }
  }

  @Test
  void truncatedOrMisdeclaredUploadsStoreNothingAndExistingVersionsConflict() throws Exception {
    // Four connections at most (this test's clients hold up to three, one more may be closing): a
    // hung-up upload must give its connection back, or the five below lock the node out.
    NetflowNode a = mesh.start("a", fx.trusting(cfg -> cfg.set(NodeKeys.MAX_CONNECTIONS, 4)));
    Path model = fx.model("m.bin", 300_000, 3);
    ModelManifest signed = ModelKeys.sign(ModelStore.describe(model, "policy", "v1", ModelFixture.CHUNK), "ops",
      fx.publisher.getPrivate());
    assertCode(fx.upload(a, "policy", "v1", model, 299_000, "ops", signed.signature()), 400, 1018, "differs");
    for (int i = 0; i < 5; i++) {
      // A connection that promises more than it sends and hangs up.
      try (var socket = new java.net.Socket("127.0.0.1", a.httpPort())) {
        var out = socket.getOutputStream();
        out.write(("PUT /v1/models/policy/v1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ModelFixture.ADMIN_KEY
          + "\r\n" + ModelRoutes.SIZE + ": 300000\r\nContent-Length: 300000\r\n" + ModelRoutes.KEY_ID + ": ops\r\n"
          + ModelRoutes.SIGNATURE + ": " + signed.signature() + "\r\n\r\n").getBytes());
        out.write(new byte[100_000]);
        out.flush();
      }
      await(Duration.ofSeconds(5), "the broken upload is cleaned up", () -> {
        try (Stream<Path> left = Files.list(a.dataDir().resolve("uploads"))) {
          return left.findAny().isEmpty();
        } catch (java.io.IOException e) {
          return false;
        }
      });
    }
    // Each hung-up connection is given back (on its own event loop, perhaps a moment after its
    // upload was cleaned up): a fresh connection is served again. A leaked count never would be.
    await(Duration.ofSeconds(5), "the hung-up connections are given back", () -> freshConnectionServed(a));
    assertThat(a.dataDir().resolve("models").resolve("policy")).doesNotExist();
    assertThat(fx.publish(a, "policy", "v1", model).statusCode()).isEqualTo(201);
    assertCode(fx.publish(a, "policy", "v1", model), 409, 1005, "already exists");
    assertCode(fx.upload(a, "policy", "v2", model, 300_000, "ops", signed.signature()), 400, 1017, "wrong signature");
    var noAdmin = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest.newBuilder(
      java.net.URI.create(a.httpUrl() + "/v1/models/policy/v3")).PUT(java.net.http.HttpRequest.BodyPublishers.ofFile(model))
      .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertCode(noAdmin, 401, 1002, "admin key required");
  }

  /** Whether a fresh connection to {@code n} is served (not refused for the connection limit). */
  private static boolean freshConnectionServed(NetflowNode n) {
    try (var socket = new java.net.Socket("127.0.0.1", n.httpPort())) {
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
      return new String(socket.getInputStream().readAllBytes()).startsWith("HTTP/1.1 200");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void aTamperingPeerIsAvoidedAndALateJoinerCatchesUp() throws Exception {
    NetflowNode a = mesh.start("a", fx.trusting());
    NetflowNode b = mesh.start("b", fx.trusting());
    NetflowNode c = mesh.start("c", fx.trusting());
    Path model = fx.model("m.bin", 1_500_000, 4);
    assertThat(fx.publish(a, "policy", "v1", model).statusCode()).isEqualTo(201);
    awaitState(b, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    awaitState(c, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    // b's copy goes bad on disk after it verified it: b now serves garbage.
    Path bFile = activeFile(b, "policy");
    Files.write(bFile, new byte[(int) Files.size(bFile)]);
    NetflowNode late = mesh.start("late", fx.trusting());
    awaitState(late, "policy/v1", "ACTIVE", Duration.ofSeconds(30));
    assertThat(Files.readAllBytes(activeFile(late, "policy"))).isEqualTo(Files.readAllBytes(model));
    // Up to two requests were in flight to b when its first bad chunk came back; then b is avoided.
    assertThat(metric(late, "netflow_model_chunks_rejected_total"))
      .as("served by a %s, b %s, c %s", metric(a, "netflow_model_chunks_served_total"),
        metric(b, "netflow_model_chunks_served_total"), metric(c, "netflow_model_chunks_served_total"))
      .isBetween(1.0, 2.0);
  }

  @Test
  void anIdleMeshAnnouncesNoHoldingsUntilAPeerArrivesAndALeaversAreTakenOutAtOnce() throws Exception {
    List<NetflowNode> ab = twoRunning(fx.model("m.bin", 500_000, 7));
    NetflowNode a = ab.get(0);
    NetflowNode b = ab.get(1);
    List<String> heard = new CopyOnWriteArrayList<>();
    join(a.vertx().eventBus().<JsonObject>consumer(ModelAddresses.MODEL_HOLDINGS, m -> heard.add(m.body().getString("nodeName")))
      .completion());
    // What changed last goes out within a tick; then the mesh is idle and says nothing (it used to
    // announce every holding again every 2 s).
    Thread.sleep(1_000);
    heard.clear();
    Thread.sleep(3_000);
    assertThat(heard).as("holdings announced in 3 idle seconds").isEmpty();
    NetflowNode c = mesh.start("c", fx.trusting());
    await(Duration.ofSeconds(10), "b announces its holdings again as c arrives", () -> heard.contains("b"));
    awaitState(c, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    AsyncMap<String, JsonObject> holdings = join(a.vertx().sharedData().getAsyncMap(ModelVerticle.HOLDINGS));
    assertThat(join(holdings.get("policy/v1@" + b.nodeId()))).isNotNull();
    // Kept with a TTL of 90 s, b's entry goes as soon as the others see b leave.
    mesh.kill(b);
    String bHoldings = "policy/v1@" + b.nodeId();
    await(Duration.ofSeconds(15), "b's holdings out of the map", () -> {
      try {
        return join(holdings.get(bHoldings)) == null;
      } catch (Exception e) {
        return false;
      }
    });
  }

  /**
   * A split cluster's merge hands the merging side's map entries over at best effort. A node whose
   * side merged puts back the manifests of the versions it holds and the wishes it knows, and
   * writes its holdings again: the version is listed again, and a node that joins later gets it.
   */
  @Test
  void theManifestAndTheWishAMergeDroppedComeBackFromANodeThatHoldsTheVersion() throws Exception {
    Path model = fx.model("m.bin", 300_000, 9);
    List<NetflowNode> ab = twoRunning(model);
    NetflowNode a = ab.get(0);
    for (String map : List.of(ModelVerticle.MANIFESTS, ModelVerticle.DESIRED, ModelVerticle.HOLDINGS)) {
      TestMesh.hazelcast(a).getMap(map).clear();
    }
    assertThat(new JsonObject(TestMesh.get(a, "/v1/models").body()).getJsonArray("models")).as("lost").isEmpty();

    TestMesh.mergedIntoOtherSide(ab.get(1));
    await(Duration.ofSeconds(10), "policy/v1 listed again", () -> {
      try {
        return new JsonObject(TestMesh.get(a, "/v1/models").body()).getJsonArray("models").size() == 1;
      } catch (Exception e) {
        return false;
      }
    });
    NetflowNode late = mesh.start("late", fx.trusting());
    awaitState(late, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    assertThat(Files.readAllBytes(activeFile(late, "policy"))).isEqualTo(Files.readAllBytes(model));
  }

  @Test
  void aNodeRestartedMidDownloadResumesWithoutFetchingAgain() throws Exception {
    NetflowNode a = mesh.start("a", fx.trusting());
    // b downloads at about 512 KiB/s: 2 MB takes some 4 s.
    var slow = fx.trusting(cfg -> cfg.set(NodeKeys.NODE_DOWNLOAD, 512L * 1024).set(NodeKeys.MODEL_MIN_RATE, 512L * 1024));
    NetflowNode b = mesh.start("b", slow);
    Path model = fx.model("m.bin", 2_000_000, 5);
    assertThat(fx.publish(a, "policy", "v1", model).statusCode()).isEqualTo(201);
    await(Duration.ofSeconds(10), "b half way", () -> metric(b, "netflow_model_chunks_fetched_total") >= 10);
    mesh.stop(b);
    NetflowNode again = mesh.start("b", slow);
    awaitState(again, "policy/v1", "ACTIVE", Duration.ofSeconds(30));
    double refetched = metric(again, "netflow_model_chunks_fetched_total");
    assertThat(refetched).as("chunks fetched after restart, of 31").isLessThanOrEqualTo(21);
    assertThat(Files.readAllBytes(activeFile(again, "policy"))).isEqualTo(Files.readAllBytes(model));
  }

  @Test
  void whenTheOriginDiesMidRolloutThePeersFinishAmongThemselves() throws Exception {
    NetflowNode origin = mesh.start("origin", fx.trusting());
    // b and c download from the origin faster than they trade with each other, so there is a
    // moment when they hold every chunk between them and neither holds all.
    var slow = fx.trusting(cfg -> cfg.set(NodeKeys.NODE_DOWNLOAD, 768L * 1024).set(NodeKeys.MODEL_MIN_RATE, 768L * 1024)
      .set(NodeKeys.NODE_UPLOAD, 160L * 1024));
    NetflowNode b = mesh.start("b", slow);
    NetflowNode c = mesh.start("c", slow);
    Path model = fx.model("m.bin", 3_000_000, 6);
    assertThat(fx.publish(origin, "policy", "v1", model).statusCode()).isEqualTo(201);
    AsyncMap<String, JsonObject> holdings = join(b.vertx().sharedData().getAsyncMap(ModelVerticle.HOLDINGS));
    // The window lasts as long as b and c take to trade half the version at 160 KiB/s (about 9 s):
    // wide enough to see on a loaded machine.
    await(Duration.ofSeconds(30), "b and c hold every chunk between them", () -> {
      try {
        BitSet union = new BitSet();
        int complete = 0;
        for (NetflowNode n : List.of(b, c)) {
          JsonObject h = join(holdings.get("policy/v1@" + n.nodeId()));
          if (h != null) {
            union.or(BitSet.valueOf(Base64.getDecoder().decode(h.getString("bitmap"))));
            complete += h.getInteger("held").equals(h.getInteger("total")) ? 1 : 0;
          }
        }
        return union.cardinality() == 46 && complete == 0;
      } catch (Exception e) {
        return false;
      }
    });
    mesh.kill(origin);
    awaitState(b, "policy/v1", "ACTIVE", Duration.ofSeconds(40));
    awaitState(c, "policy/v1", "ACTIVE", Duration.ofSeconds(40));
    assertThat(Files.readAllBytes(activeFile(c, "policy"))).isEqualTo(Files.readAllBytes(model));
  }

  @Test
  void theMeshOrOneNodeRollsBack() throws Exception {
    NetflowNode a = mesh.start("a", fx.trusting());
    NetflowNode b = mesh.start("b", fx.trusting());
    Path v1 = fx.model("v1.bin", 200_000, 7);
    Path v2 = fx.model("v2.bin", 250_000, 8);
    assertThat(fx.publish(a, "policy", "v1", v1).statusCode()).isEqualTo(201);
    awaitState(b, "policy/v1", "ACTIVE", Duration.ofSeconds(20));
    assertThat(fx.publish(a, "policy", "v2", v2).statusCode()).isEqualTo(201);
    awaitState(b, "policy/v2", "ACTIVE", Duration.ofSeconds(20));
    awaitState(a, "policy/v2", "ACTIVE", Duration.ofSeconds(20));

    var one = ModelFixture.post(a, "/v1/models/policy/rollback?node=" + b.nodeId());
    assertThat(one.statusCode()).as(one.body()).isEqualTo(202);
    awaitState(b, "policy/v1", "ACTIVE", Duration.ofSeconds(10));
    assertThat(state(a, "policy/v2", a)).isEqualTo("ACTIVE");

    assertThat(ModelFixture.post(b, "/v1/models/policy/rollback").statusCode()).isEqualTo(202);
    awaitState(a, "policy/v1", "ACTIVE", Duration.ofSeconds(10));
    assertThat(Files.readAllBytes(activeFile(a, "policy"))).isEqualTo(Files.readAllBytes(v1));
    // Each version's state is announced on its own (within a tick of the other, not at once): a
    // reader may see v1 ACTIVE a moment before v2 VERIFIED (a clean-clone CI run on 2100f11 did).
    awaitState(a, "policy/v2", "VERIFIED", Duration.ofSeconds(2));
  }

  private static double metric(NetflowNode n, String name) {
    try {
      return TestMesh.get(n, "/metrics").body().lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void assertCode(HttpResponse<String> r, int status, int code, String text) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getInteger("code")).isEqualTo(code);
    assertThat(body.getString("message")).contains(text);
  }
}
