package io.netflow.gateway;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A game server talks to node a's gateway; the service and the subscribers are elsewhere in the mesh. */
class GatewayEndToEndTest {

  private static final String KEY = "game-secret";
  private static final String OPS = "ops-secret";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private TestMesh mesh;
  private NetflowNode a;
  private NetflowNode b;
  private Vertx client;
  private int bridgePort;

  @BeforeEach
  void start() throws Exception {
    mesh = new TestMesh();
    var keys = List.of(ApiKeys.entry("game", KEY, "publish:match* subscribe:match-*"), ApiKeys.entry("ops", OPS, "admin"));
    bridgePort = TestMesh.freePort();
    a = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, keys).set(NodeKeys.WS_FRAME, 4096)
      .set(NodeKeys.TCP_BRIDGE_PORT, bridgePort));
    // b admits generously, so the gateway's own bound on unanswered sends is what a flood meets.
    b = mesh.start("b", cfg -> cfg.set(NodeKeys.API_KEYS, keys).set(NodeKeys.ADMISSION_INITIAL, 1_000)
      .set(NodeKeys.ADMISSION_MAX, 2_000).set(NodeKeys.WS_COMPRESSION, "deflate"));
    join(b.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("b got " + e.payload()))));
    mesh.awaitHosts("match", 1);
    client = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get();
    mesh.close();
  }

  @Test
  void httpMessagesAreRoutedToTheServiceOnAnotherNode() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/v1/messages"))
      .header("Authorization", "Bearer " + KEY)
      .POST(HttpRequest.BodyPublishers.ofString("{\"service\":\"match\",\"priority\":\"CRITICAL\",\"payload\":\"jump\"}"))
      .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("node")).isEqualTo(b.nodeId());
    assertThat(body.getString("reply")).isEqualTo("b got jump");
  }

  @Test
  void normalMessagesAreAnsweredOnceANodeHasTakenThemNotOnceServed() throws Exception {
    List<String> served = new CopyOnWriteArrayList<>();
    join(b.mesh().host("match-slow", e -> {
      io.vertx.core.Promise<Buffer> p = io.vertx.core.Promise.promise();
      b.vertx().setTimer(2_000, t -> {
        served.add(e.id());
        p.complete(Buffer.buffer("done"));
      });
      return p.future();
    }));
    mesh.awaitHosts("match-slow", 1);
    long start = System.nanoTime();
    HttpResponse<String> r = send(a, "{\"id\":\"n-1\",\"service\":\"match-slow\",\"payload\":\"x\"}");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("id", "n-1").put("node", b.nodeId()));
    assertThat(tookMs).as("answered before the 2 s service finished").isLessThan(1_500);
    TestMesh.await(Duration.ofSeconds(10), "the service ran it", () -> served.contains("n-1"));
    // Refused before acceptance: the client hears it, with its code.
    HttpResponse<String> none = send(a, "{\"service\":\"match-nobody\",\"payload\":\"x\"}");
    assertThat(new JsonObject(none.body()).getString("error")).as(none.body()).isEqualTo("NO_SUCH_SERVICE");
  }

  @Test
  void anAcceptedMessageThatNoNodeFinallyTakesIsCountedDropped() throws Exception {
    join(b.mesh().host("match-broken", e -> Future.failedFuture(
      new io.netflow.gateway.protocol.MeshException(io.netflow.gateway.protocol.ErrorCode.INTERNAL, "broken"))));
    mesh.awaitHosts("match-broken", 1);
    for (int i = 0; i < 3; i++) {
      assertThat(send(a, "{\"service\":\"match-broken\",\"priority\":\"BULK\",\"payload\":\"x\"}").statusCode())
        .isEqualTo(202);
    }
    TestMesh.await(Duration.ofSeconds(10), "three drops counted", () -> {
      var c = a.registry().find("netflow.routing.dropped").tags("priority", "BULK", "reason", "INTERNAL").counter();
      return c != null && c.count() == 3;
    });
  }

  private static HttpResponse<String> send(NetflowNode node, String message) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpUrl() + "/v1/messages"))
      .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(message)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void webSocketSendsWithAcksAndReceivesSubscribedTopics() throws Exception {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    WebSocketClient ws = client.createWebSocketClient();
    WebSocket socket = join(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(a.httpPort())
      .setURI("/v1/stream?key=" + KEY)));
    socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
    socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", "match-7").encode());
    TestMesh.await(Duration.ofSeconds(5), "subscribed", () -> frames.stream().anyMatch(f -> "subscribed".equals(f.getString("op"))));
    mesh.awaitSubscribers("match-7", 1);
    join(b.mesh().publish(Envelope.toTopic("match-7").payload("positions-1").build()));
    socket.writeTextMessage(new JsonObject().put("op", "send").put("id", "s1").put("service", "match").put("payload", "hi").encode());
    socket.writeTextMessage(new JsonObject().put("op", "send").put("id", "s2").put("service", "ai-inference").encode());
    socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", "admin-only").encode());
    TestMesh.await(Duration.ofSeconds(5), "all answers", () -> frames.size() >= 5);
    assertThat(frames).anySatisfy(f -> assertThat(f).isEqualTo(new JsonObject().put("op", "message").put("topic", "match-7")
      .put("id", f.getString("id")).put("payload", "positions-1")));
    assertThat(frames).anySatisfy(f -> {
      assertThat(f.getString("op")).isEqualTo("ack");
      assertThat(f.getString("id")).isEqualTo("s1");
      // NORMAL: acknowledged once a node took it (b hosts the service), without waiting for the reply.
      assertThat(f.getString("node")).isEqualTo(b.nodeId());
      assertThat(f.containsKey("reply")).isFalse();
      assertThat(f.getInteger("status")).isEqualTo(202);
    });
    assertThat(frames).anySatisfy(f -> {
      assertThat(f.getString("op")).isEqualTo("error");
      assertThat(f.getString("id")).isEqualTo("s2");
      assertThat(f.getInteger("code")).isEqualTo(1003);
    });
    assertThat(frames.stream().filter(f -> "error".equals(f.getString("op"))).count()).isEqualTo(2);

    // A frame over gateway.ws-max-frame-bytes closes the socket (Vert.x drops the connection: 1006).
    socket.writeTextMessage(new JsonObject().put("op", "send").put("service", "match").put("payload", "x".repeat(10_000)).encode());
    TestMesh.await(Duration.ofSeconds(5), "socket closed", socket::isClosed);
    assertThat(socket.closeStatusCode()).isIn((short) 1006, (short) 1009);
  }

  @Test
  void tcpBridgeClientsSendToServicesAndSubscribeWithinTheirScopes() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", bridgePort)) {
      socket.setSoTimeout(5_000);
      var out = new java.io.DataOutputStream(socket.getOutputStream());
      var in = new java.io.DataInputStream(socket.getInputStream());
      frame(out, new JsonObject().put("type", "send").put("address", "netflow.ingress").put("replyAddress", "r1")
        .put("headers", new JsonObject().put("apikey", KEY).put("nf-service", "match").put("nf-priority", "HIGH"))
        .put("body", "hello"));
      JsonObject reply = read(in);
      assertThat(reply.getString("address")).isEqualTo("r1");
      assertThat(reply.getString("body")).isEqualTo("b got hello");
      // nf-ack: accepted: answered once b has taken it, with no reply body.
      frame(out, new JsonObject().put("type", "send").put("address", "netflow.ingress").put("replyAddress", "r0")
        .put("headers", new JsonObject().put("apikey", KEY).put("nf-service", "match").put("nf-ack", "accepted"))
        .put("body", "hello"));
      JsonObject taken = read(in);
      assertThat(taken.getString("address")).isEqualTo("r0");
      assertThat(taken.getString("body")).isEmpty();

      frame(out, new JsonObject().put("type", "send").put("address", "netflow.ingress").put("replyAddress", "r2")
        .put("headers", new JsonObject().put("apikey", "wrong").put("nf-service", "match")).put("body", "x"));
      assertThat(read(in).getString("type")).isEqualTo("err");
      frame(out, new JsonObject().put("type", "send").put("address", "netflow.node.drain")
        .put("headers", new JsonObject().put("apikey", KEY)).put("body", "x"));
      assertThat(read(in).getString("type")).isEqualTo("err");

      frame(out, new JsonObject().put("type", "register").put("address", "netflow.topic.match-9")
        .put("headers", new JsonObject().put("apikey", KEY)));
      mesh.awaitSubscribers("match-9", 1);
      join(b.mesh().publish(Envelope.toTopic("match-9").payload("goal").build()));
      JsonObject delivery = read(in);
      assertThat(delivery.getString("address")).isEqualTo("netflow.topic.match-9");
      assertThat(delivery.getString("body")).isEqualTo("goal");
    }
  }

  private static void frame(java.io.DataOutputStream out, JsonObject json) throws java.io.IOException {
    byte[] bytes = json.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
    out.flush();
  }

  private static JsonObject read(java.io.DataInputStream in) throws java.io.IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new JsonObject(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void anAdminDrainsAPeerThroughTheApiAndItsWebSocketClientsAreSentAway() throws Exception {
    WebSocketClient ws = client.createWebSocketClient();
    WebSocket onB = join(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(b.httpPort())
      .setURI("/v1/stream?key=" + KEY)));
    WebSocket onA = join(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(a.httpPort())
      .setURI("/v1/stream?key=" + KEY)));
    java.util.concurrent.CompletableFuture<Short> closedWith = new java.util.concurrent.CompletableFuture<>();
    onB.closeHandler(v -> closedWith.complete(onB.closeStatusCode()));
    HttpResponse<String> r = post(a, "/v1/nodes/" + b.nodeId() + "/drain", OPS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("state")).isEqualTo("DRAINING");
    TestMesh.await(Duration.ofSeconds(5), "a sees b draining", () -> a.view().get(b.nodeId()).report().state()
      == io.netflow.gateway.protocol.NodeState.DRAINING);
    TestMesh.await(Duration.ofSeconds(5), "b not ready", () -> {
      try {
        return TestMesh.get(b, "/ready").statusCode() == 503;
      } catch (Exception e) {
        return false;
      }
    });
    // b's WebSocket clients are told to go (1001, going away) at once; a's stay.
    assertThat(closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(onA.isClosed()).isFalse();
    // and it takes no new ones.
    Throwable refused = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(b.httpPort())
      .setURI("/v1/stream?key=" + KEY)).toCompletionStage().toCompletableFuture().handle((ok, err) -> err).join();
    assertThat(refused).isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class);
    assertThat(((io.vertx.core.http.UpgradeRejectedException) refused).getStatus()).isEqualTo(503);
    assertThat(post(a, "/v1/nodes/no-such-node/drain", OPS).statusCode()).isEqualTo(404);
    assertThat(post(a, "/v1/nodes/" + a.nodeId() + "/drain", KEY).statusCode()).isEqualTo(403);
    assertThat(post(a, "/v1/nodes/" + a.nodeId() + "/drain", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aWebSocketClientThatFloodsIsReadNoFasterThanItIsServed() throws Exception {
    java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
    join(b.mesh().host("match-slow", e -> {
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      io.vertx.core.Promise<Buffer> p = io.vertx.core.Promise.promise();
      b.vertx().setTimer(300, t -> {
        now.decrementAndGet();
        p.complete(Buffer.buffer("ok"));
      });
      return p.future();
    }));
    mesh.awaitHosts("match-slow", 1);
    List<JsonObject> acks = new CopyOnWriteArrayList<>();
    WebSocket socket = join(client.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(a.httpPort()).setURI("/v1/stream?key=" + KEY)));
    socket.textMessageHandler(t -> acks.add(new JsonObject(t)));
    for (int i = 0; i < 600; i++) {
      // HIGH is acknowledged once served, so unanswered sends pile up at the gateway.
      socket.writeTextMessage(new JsonObject().put("op", "send").put("id", "m" + i).put("service", "match-slow")
        .put("priority", "HIGH").put("timeoutMs", 30_000).encode());
    }
    TestMesh.await(Duration.ofSeconds(30), "every send answered", () -> acks.size() == 600);
    assertThat(acks).allSatisfy(f -> assertThat(f.getString("op")).isEqualTo("ack"));
    // The gateway stopped reading at 256 unanswered sends; the service never saw more at once.
    assertThat(most.get()).isBetween(200, 256);
  }

  private static HttpResponse<String> post(NetflowNode node, String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).POST(HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void webSocketCompressionIsNegotiatedOnlyWhereConfigured() throws Exception {
    WebSocketClient ws = client.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    WebSocket plain = join(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(a.httpPort())
      .setURI("/v1/stream?key=" + KEY)));
    WebSocket deflate = join(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(b.httpPort())
      .setURI("/v1/stream?key=" + KEY)));
    assertThat(plain.headers().get("Sec-WebSocket-Extensions")).isNull();
    assertThat(deflate.headers().get("Sec-WebSocket-Extensions")).contains("permessage-deflate");
    join(plain.close());
    join(deflate.close());
  }

  @Test
  void webSocketWithoutAKeyIsRefused() {
    WebSocketClient ws = client.createWebSocketClient();
    Throwable refused = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(a.httpPort())
      .setURI("/v1/stream")).toCompletionStage().toCompletableFuture().handle((ok, err) -> err).join();
    assertThat(refused).hasMessageContaining("401");
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
    JsonObject doc = new JsonObject(TestMesh.get(a, "/v1/openapi.json").body());
    Set<String> documented = new TreeSet<>();
    doc.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).fieldNames()
      .forEach(method -> documented.add(method.toUpperCase() + " " + p.getKey())));
    assertThat(a.httpRoutes()).isEqualTo(documented);
  }

  @Test
  void theScopesTheKeyCommandKnowsAreTheScopesTheNodeChecks() {
    assertThat(a.scopes()).containsExactlyInAnyOrderElementsOf(io.netflow.node.NodeScopes.ALL);
  }
}
