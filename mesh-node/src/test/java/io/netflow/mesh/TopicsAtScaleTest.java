package io.netflow.mesh;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Publish/subscribe at the scale of a real game: ten thousand topics, subscribers on other nodes
 * than the publisher, over the WebSocket and the TCP bridge. Every publication that is acknowledged
 * reaches every subscriber, and subscriptions go away, everywhere, with the clients that held them.
 */
class TopicsAtScaleTest {

  private static final String KEY = "game-secret";
  private static final int TOPICS = 10_000;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private TestMesh mesh;
  private NetflowNode a;
  private NetflowNode b;
  private NetflowNode c;
  private int bridgePort;
  private Vertx client;
  // Held for the test's length: Vert.x 5 closes a client nothing refers to, mid-handshake if it must.
  private io.vertx.core.http.WebSocketClient webSockets;

  @BeforeEach
  void start() throws Exception {
    mesh = new TestMesh();
    var keys = List.of(ApiKeys.entry("game", KEY, "publish:match-* subscribe:match-*"));
    bridgePort = TestMesh.freePort();
    a = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, keys));
    b = mesh.start("b", cfg -> cfg.set(NodeKeys.API_KEYS, keys).set(NodeKeys.WS_MAX_SUBSCRIPTIONS, TOPICS));
    c = mesh.start("c", cfg -> cfg.set(NodeKeys.API_KEYS, keys).set(NodeKeys.TCP_BRIDGE_PORT, bridgePort)
      .set(NodeKeys.WS_MAX_SUBSCRIPTIONS, TOPICS));
    client = Vertx.vertx();
    webSockets = client.createWebSocketClient();
  }

  @AfterEach
  void stop() throws Exception {
    join(client.close());
    mesh.close();
  }

  private static String topic(int i) {
    return "match-" + i + ".state";
  }

  @Test
  void everyAcknowledgedPublicationReachesEverySubscriberAcrossTenThousandTopics() throws Exception {
    // A WebSocket client on b and a TCP-bridge client on c, each subscribed to all the topics.
    Map<String, Set<String>> onWebSocket = new ConcurrentHashMap<>();
    List<JsonObject> control = new CopyOnWriteArrayList<>();
    WebSocket ws = webSocket(b, onWebSocket, control);
    for (int i = 0; i < TOPICS; i++) {
      ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", topic(i)).encode());
    }
    // A repeated subscribe is one subscription, answered again.
    ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", topic(7)).encode());
    TestMesh.await(Duration.ofSeconds(60), "every subscription confirmed", () -> count(control, "subscribed") == TOPICS + 1);
    // Past gateway.ws-max-subscriptions: a coded error, nothing held.
    ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", "match-extra").encode());
    TestMesh.await(Duration.ofSeconds(5), "the subscription over the cap refused", () -> count(control, "error") == 1);
    assertThat(control).filteredOn(f -> "error".equals(f.getString("op")))
      .singleElement().satisfies(f -> assertThat(f.getInteger("code")).isEqualTo(1021));

    Map<String, Set<String>> onBridge = new ConcurrentHashMap<>();
    NetSocket bridge = join(client.createNetClient().connect(bridgePort, "127.0.0.1"));
    RecordParser frames = RecordParser.newFixed(4);
    // The bridge's framing: a 4-byte length, then that many bytes of JSON.
    frames.handler(new Handler<Buffer>() {
      int length = -1;

      @Override
      public void handle(Buffer b) {
        if (length < 0) {
          length = b.getInt(0);
          frames.fixedSizeMode(length);
        } else {
          JsonObject m = b.toJsonObject();
          if ("message".equals(m.getString("type"))) {
            onBridge.computeIfAbsent(m.getString("address"), x -> ConcurrentHashMap.newKeySet()).add(m.getString("body"));
          }
          length = -1;
          frames.fixedSizeMode(4);
        }
      }
    });
    bridge.handler(frames);
    for (int i = 0; i < TOPICS; i++) {
      Buffer json = new JsonObject().put("type", "register").put("address", "netflow.topic." + topic(i))
        .put("headers", new JsonObject().put("apikey", KEY)).toBuffer();
      bridge.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
    }
    TestMesh.await(Duration.ofSeconds(60), "a knows both subscribers of every topic",
      () -> a.topicInterest().count(b.nodeId()) == TOPICS && a.topicInterest().count(c.nodeId()) == TOPICS);
    for (NetflowNode n : mesh.nodes()) {
      assertThat(n.topicInterest().nodes(topic(7))).as(n.name()).containsExactlyInAnyOrder(b.nodeId(), c.nodeId());
    }

    // From a, over the Java API: one publication per topic, every one acknowledged by both nodes.
    List<Future<Integer>> acks = new ArrayList<>();
    for (int i = 0; i < TOPICS; i++) {
      acks.add(a.mesh().publish(Envelope.toTopic(topic(i)).priority(Priority.HIGH).payload("p" + i).build()));
    }
    for (Future<Integer> ack : acks) {
      assertThat(join(ack)).isEqualTo(2);
    }
    // And over HTTP, as the game server in the report did: 400 publications, each answered 202.
    for (int i = 0; i < 400; i++) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/v1/messages"))
        .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
          .put("topic", topic(i)).put("priority", "HIGH").put("payload", "h" + i).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }
    TestMesh.await(Duration.ofSeconds(30), "every publication on the WebSocket", () -> total(onWebSocket) == TOPICS + 400);
    TestMesh.await(Duration.ofSeconds(30), "every publication on the bridge", () -> total(onBridge) == TOPICS + 400);
    for (int i = 0; i < TOPICS; i++) {
      Set<String> expected = i < 400 ? Set.of("p" + i, "h" + i) : Set.of("p" + i);
      assertThat(onWebSocket.get(topic(i))).as(topic(i)).isEqualTo(expected);
      assertThat(onBridge.get("netflow.topic." + topic(i))).as(topic(i)).isEqualTo(expected);
    }

    // The clients leave: their topics go from every node's table.
    join(ws.close());
    TestMesh.await(Duration.ofSeconds(30), "b's topics gone everywhere", () -> mesh.nodes().stream()
      .allMatch(n -> n.topicInterest().count(b.nodeId()) == 0));
    join(bridge.close());
    TestMesh.await(Duration.ofSeconds(30), "c's topics gone everywhere", () -> mesh.nodes().stream()
      .allMatch(n -> n.topicInterest().topics() == 0));
    assertThat(join(a.mesh().publish(Envelope.toTopic(topic(1)).payload("nobody").build()))).isZero();
  }

  @Test
  void subscriptionsGoWithTheirLastSubscriberAndANodeThatJoinsLearnsThemAll() throws Exception {
    Map<String, Set<String>> received = new ConcurrentHashMap<>();
    List<JsonObject> control = new CopyOnWriteArrayList<>();
    WebSocket first = webSocket(b, received, control);
    WebSocket second = webSocket(b, received, control);
    for (WebSocket ws : List.of(first, second)) {
      ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", "match-1").encode());
      ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("topic", "match-2").encode());
    }
    TestMesh.await(Duration.ofSeconds(10), "four confirmations", () -> count(control, "subscribed") == 4);
    Mesh.Registration java = join(c.mesh().subscribe("match-2", e -> { }));

    // One client unsubscribes: the other still holds both topics on b.
    first.writeTextMessage(new JsonObject().put("op", "unsubscribe").put("topic", "match-1").encode());
    TestMesh.await(Duration.ofSeconds(10), "unsubscribed", () -> count(control, "unsubscribed") == 1);
    assertThat(a.topicInterest().nodes("match-1")).containsExactly(b.nodeId());
    // A node that joins now learns every topic before it is ready.
    NetflowNode d = mesh.start("d");
    assertThat(d.topicInterest().nodes("match-1")).containsExactly(b.nodeId());
    assertThat(d.topicInterest().nodes("match-2")).containsExactlyInAnyOrder(b.nodeId(), c.nodeId());

    join(second.close());
    TestMesh.await(Duration.ofSeconds(10), "match-1 gone everywhere", () -> mesh.nodes().stream()
      .allMatch(n -> n.topicInterest().nodes("match-1").length == 0));
    // match-2: b's subscribers are gone too (first still held it; it closes now); c's Java one stays.
    join(first.close());
    TestMesh.await(Duration.ofSeconds(10), "only c holds match-2", () -> mesh.nodes().stream()
      .allMatch(n -> List.of(n.topicInterest().nodes("match-2")).equals(List.of(c.nodeId()))));
    join(java.close());
    TestMesh.await(Duration.ofSeconds(10), "no topics anywhere", () -> mesh.nodes().stream()
      .allMatch(n -> n.topicInterest().topics() == 0));
  }

  private WebSocket webSocket(NetflowNode node, Map<String, Set<String>> received, List<JsonObject> control)
    throws Exception {
    WebSocket ws = join(webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(node.httpPort()).setURI("/v1/stream").addHeader("Authorization", "Bearer " + KEY)));
    ws.textMessageHandler(text -> {
      JsonObject f = new JsonObject(text);
      if ("message".equals(f.getString("op"))) {
        received.computeIfAbsent(f.getString("topic"), t -> ConcurrentHashMap.newKeySet()).add(f.getString("payload"));
      } else {
        control.add(f);
      }
    });
    return ws;
  }

  private static long count(List<JsonObject> frames, String op) {
    return frames.stream().filter(f -> op.equals(f.getString("op"))).count();
  }

  private static int total(Map<String, Set<String>> received) {
    return received.values().stream().mapToInt(Set::size).sum();
  }
}
