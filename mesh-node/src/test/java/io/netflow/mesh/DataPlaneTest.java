package io.netflow.mesh;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.Headers;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.membership.MembershipAddresses;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three clustered nodes: a (the game server's node, hosting nothing), b and c. */
class DataPlaneTest {

  private TestMesh mesh;
  private NetflowNode a;
  private NetflowNode b;
  private NetflowNode c;

  @BeforeEach
  void start() throws Exception {
    mesh = new TestMesh();
    a = mesh.start("a");
    b = mesh.start("b", cfg -> cfg.set(NodeKeys.BULK_QUEUE, 4096).set(NodeKeys.LINK_WINDOW, 2048));
    c = mesh.start("c");
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  /** Hosts {@code service} on a node: answers with the node's name after {@code delayMs}. */
  private static void host(NetflowNode node, String service, long delayMs, Set<String> handled) throws Exception {
    join(node.mesh().host(service, req -> {
      handled.add(req.id());
      Promise<Buffer> p = Promise.promise();
      node.vertx().setTimer(Math.max(1, delayMs), t -> p.complete(Buffer.buffer(node.name())));
      return p.future();
    }));
  }

  private static Envelope req(String service, Priority p) {
    return Envelope.toService(service).priority(p).timeoutMillis(5_000).payload("x").build();
  }

  private static Map<String, Long> shares(List<Reply> replies) {
    return replies.stream().collect(Collectors.groupingBy(Reply::nodeId, Collectors.counting()));
  }

  /** Sends {@code count} requests, {@code concurrency} at a time, and returns the replies. */
  private static List<Reply> load(Mesh m, int count, int concurrency, java.util.function.IntFunction<Envelope> make) throws Exception {
    List<Reply> replies = new CopyOnWriteArrayList<>();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      workers.add(worker(m, count, next, make, replies));
    }
    join(Future.all(workers));
    return replies;
  }

  private static Future<Void> worker(Mesh m, int count, AtomicInteger next, java.util.function.IntFunction<Envelope> make,
                                     List<Reply> replies) {
    int i = next.getAndIncrement();
    if (i >= count) {
      return Future.succeededFuture();
    }
    return m.request(make.apply(i)).compose(r -> {
      replies.add(r);
      return worker(m, count, next, make, replies);
    });
  }

  @Test
  void requestsReachAServiceWithoutNamingANode() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(b, "match", 1, handled);
    mesh.awaitHosts("match", 1);
    Reply r = join(a.mesh().request(req("match", Priority.NORMAL)));
    assertThat(r.body().toString()).isEqualTo("b");
    assertThat(r.nodeId()).isEqualTo(b.nodeId());
    assertThat(r.attempts()).isEqualTo(1);
  }

  @Test
  void unkeyedRoutingPrefersTheIdleNodeAndASlowNodeGetsLess() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(b, "ai-inference", 30, handled);
    host(c, "ai-inference", 2, handled);
    mesh.awaitHosts("ai-inference", 2);
    List<Reply> replies = load(a.mesh(), 400, 8, i -> req("ai-inference", Priority.NORMAL));
    Map<String, Long> share = shares(replies);
    assertThat(share.getOrDefault(c.nodeId(), 0L)).as("fast node's share of 400: %s", share).isGreaterThan(300);
  }

  @Test
  void aNodeWhoseHandlerSlowsDownGetsASmallerShare() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger bDelay = new AtomicInteger(2);
    join(b.mesh().host("telemetry", rq -> {
      Promise<Buffer> p = Promise.promise();
      b.vertx().setTimer(bDelay.get(), t -> p.complete(Buffer.buffer("b")));
      return p.future();
    }));
    host(c, "telemetry", 2, handled);
    mesh.awaitHosts("telemetry", 2);
    // Warm up first: a node whose first answers were slow (cold code, a busy moment) is penalised
    // for the latency decay time, which is what this test shows, but not what it starts from.
    load(a.mesh(), 300, 8, i -> req("telemetry", Priority.NORMAL));
    Thread.sleep(2_000);
    Map<String, Long> before = shares(load(a.mesh(), 300, 8, i -> req("telemetry", Priority.NORMAL)));
    assertThat(before.getOrDefault(b.nodeId(), 0L)).as("even split before: %s", before).isBetween(60L, 240L);
    bDelay.set(40);
    Map<String, Long> after = shares(load(a.mesh(), 300, 8, i -> req("telemetry", Priority.NORMAL)));
    assertThat(after.getOrDefault(b.nodeId(), 0L)).as("slow node's share after: %s", after).isLessThan(60);
  }

  @Test
  void killedNodesTrafficMovesToSurvivorsWithNoAcknowledgedCriticalLost() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(b, "match", 2, handled);
    host(c, "match", 2, handled);
    mesh.awaitHosts("match", 2);
    List<Reply> replies = new CopyOnWriteArrayList<>();
    List<String> sentIds = new CopyOnWriteArrayList<>();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    java.util.function.IntFunction<Envelope> make = i -> {
      Envelope e = req("match", Priority.CRITICAL);
      sentIds.add(e.id());
      return e;
    };
    for (int w = 0; w < 16; w++) {
      workers.add(worker(a.mesh(), 3_000, next, make, replies));
    }
    TestMesh.await(java.time.Duration.ofSeconds(10), "traffic flowing", () -> replies.size() > 300);
    mesh.kill(c);
    join(Future.all(workers));
    assertThat(replies).hasSize(3_000);
    Set<String> acknowledged = replies.stream().map(r -> r.body().toString()).collect(Collectors.toSet());
    assertThat(acknowledged).contains("b");
    assertThat(handled).containsAll(sentIds);
    assertThat(replies.stream().filter(r -> r.attempts() > 1).count()).as("rerouted").isPositive();
  }

  @Test
  void keyedEnvelopesStickToTheirNodeAndSpillPastTheirBound() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(b, "match", 1, handled);
    host(c, "match", 1, handled);
    host(a, "match", 1, handled);
    mesh.awaitHosts("match", 3);
    for (String key : List.of("match-1", "match-2", "match-3", "player-42")) {
      Set<String> homes = new java.util.HashSet<>();
      for (int i = 0; i < 20; i++) {
        homes.add(join(a.mesh().request(Envelope.toService("match").key(key).payload("x").build())).nodeId());
      }
      assertThat(homes).as("key %s", key).hasSize(1);
    }
    Map<String, Long> spread = shares(load(a.mesh(), 300, 1,
      i -> Envelope.toService("match").key("k" + i).payload("x").build()));
    assertThat(spread).as("distinct keys spread over every node").hasSize(3);

    // One hot key, 30 at once: its home node takes its bound, the rest spill to the next nodes.
    Map<String, Long> hot = shares(load(a.mesh(), 300, 30, i -> Envelope.toService("match").key("hot").payload("x").build()));
    assertThat(hot).as("hot key spills: %s", hot).hasSizeGreaterThan(1);
    long max = hot.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(max).as("home node keeps the largest share: %s", hot).isGreaterThan(300 / 3);
  }

  @Test
  void aNodePastItsAdmissionLimitSaysOverloadedAndTrafficMovesAway() throws Exception {
    NetflowNode d = mesh.start("d", cfg -> cfg.set(NodeKeys.ADMISSION_INITIAL, 2).set(NodeKeys.ADMISSION_MAX, 2));
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(c, "ai-inference", 100, handled);
    host(d, "ai-inference", 100, handled);
    mesh.awaitHosts("ai-inference", 2);
    java.util.concurrent.atomic.AtomicBoolean sawOverloaded = new java.util.concurrent.atomic.AtomicBoolean();
    long watch = a.vertx().setPeriodic(20, t -> {
      var entry = a.view().get(d.nodeId());
      if (entry != null && entry.report().state() == io.netflow.gateway.protocol.NodeState.OVERLOADED) {
        sawOverloaded.set(true);
      }
    });
    List<Reply> replies = load(a.mesh(), 200, 20, i -> req("ai-inference", Priority.NORMAL));
    a.vertx().cancelTimer(watch);
    assertThat(replies).hasSize(200);
    assertThat(replies.stream().filter(r -> r.attempts() > 1).count()).as("rerouted after OVERLOADED").isPositive();
    assertThat(TestMesh.get(d, "/metrics").body()).containsPattern("netflow_admission_rejected_total [1-9]");
    assertThat(sawOverloaded).as("peers saw d report OVERLOADED").isTrue();
    assertThat(shares(replies).getOrDefault(c.nodeId(), 0L)).isGreaterThan(100);
  }

  @Test
  void drainingNodeGetsNoNewTraffic() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(b, "match", 1, handled);
    host(c, "match", 1, handled);
    mesh.awaitHosts("match", 2);
    join(b.vertx().eventBus().request(MembershipAddresses.NODE_DRAIN, null, new DeliveryOptions().setLocalOnly(true)));
    TestMesh.await(java.time.Duration.ofSeconds(5), "a sees b draining",
      () -> a.view().get(b.nodeId()).report().state() == io.netflow.gateway.protocol.NodeState.DRAINING);
    Map<String, Long> share = shares(load(a.mesh(), 100, 4, i -> req("match", Priority.CRITICAL)));
    assertThat(share).containsOnlyKeys(c.nodeId());
  }

  @Test
  void duplicatesAreDeliveredOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    join(b.mesh().host("match", rq -> Future.succeededFuture(Buffer.buffer("n" + calls.incrementAndGet()))));
    mesh.awaitHosts("match", 1);
    Envelope e = Envelope.toService("match").id("action-7").priority(Priority.CRITICAL).payload("jump").build();
    Reply first = join(a.mesh().request(e));
    Reply again = join(a.mesh().request(e));
    Reply fromC = join(c.mesh().request(e));
    assertThat(calls.get()).isEqualTo(1);
    assertThat(List.of(first.body().toString(), again.body().toString(), fromC.body().toString()))
      .containsOnly("n1");
  }

  @Test
  void shedBulkIsAnsweredAndCounted() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    host(c, "telemetry", 50, handled);
    mesh.awaitHosts("telemetry", 1);
    // b's BULK queue holds 4 KiB and its window 2 KiB: 2 KiB payloads overflow it at once.
    List<Future<Reply>> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sent.add(b.mesh().request(Envelope.toService("telemetry").priority(Priority.BULK)
        .payload(Buffer.buffer(new byte[2_000])).build()));
    }
    join(Future.join(sent).otherwiseEmpty());
    List<MeshException> shed = sent.stream().filter(Future::failed).map(f -> MeshException.of(f.cause())).toList();
    assertThat(shed).isNotEmpty().allSatisfy(x -> {
      assertThat(x.code()).isEqualTo(ErrorCode.OVERLOADED);
      assertThat(x.retryAfterMs()).isPositive();
    });
    assertThat(sent.stream().filter(Future::succeeded).count()).isPositive();
    assertThat(b.laneStats().shed(Priority.BULK)).isEqualTo(shed.size());
    assertThat(TestMesh.get(b, "/metrics").body()).contains("netflow_lane_shed_total{dest=\"c\",lane=\"BULK\"} " + shed.size() + ".0");
  }

  @Test
  void publicationsReachEverySubscriberInOrder() throws Exception {
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    for (NetflowNode n : List.of(a, b, c)) {
      List<String> got = new CopyOnWriteArrayList<>();
      received.put(n.name(), got);
      join(n.mesh().subscribe("match-7.positions", e -> got.add(e.payload().toString())));
    }
    mesh.awaitSubscribers("match-7.positions", 3);
    List<Future<Integer>> published = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) {
      Priority p = i % 3 == 0 ? Priority.HIGH : Priority.NORMAL;
      // Mixed sizes, some large enough to travel in chunks.
      int size = random.nextInt(10) == 0 ? 100_000 : 10;
      String text = i + ":" + "p".repeat(size);
      published.add(a.mesh().publish(Envelope.toTopic("match-7.positions").priority(p).payload(text).build()));
    }
    join(Future.all(published));
    for (List<String> got : received.values()) {
      TestMesh.await(java.time.Duration.ofSeconds(5), "all delivered", () -> got.size() == 300);
    }
    // In order per publisher and topic within a lane.
    received.forEach((node, got) -> {
      List<Integer> high = new ArrayList<>();
      List<Integer> normal = new ArrayList<>();
      for (String s : got) {
        int i = Integer.parseInt(s.substring(0, s.indexOf(':')));
        (i % 3 == 0 ? high : normal).add(i);
      }
      assertThat(high).as(node).isSorted().hasSize(100);
      assertThat(normal).as(node).isSorted().hasSize(200);
    });
  }

  @Test
  void largePayloadsTravelInChunksAndArriveWhole() throws Exception {
    join(c.mesh().host("echo", rq -> Future.succeededFuture(rq.payload())));
    mesh.awaitHosts("echo", 1);
    byte[] bytes = new byte[300_000];
    new Random(1).nextBytes(bytes);
    Reply r = join(a.mesh().request(Envelope.toService("echo").payload(Buffer.buffer(bytes)).build()));
    assertThat(r.body().getBytes()).isEqualTo(bytes);
  }

  @Test
  void everyBadEnvelopeGetsItsCode() throws Exception {
    join(b.mesh().host("match", rq -> Future.succeededFuture(Buffer.buffer("ok"))));
    mesh.awaitHosts("match", 1);
    Mesh m = a.mesh();
    assertCode(m.request(new Envelope("1", null, null, null, Priority.NORMAL, System.currentTimeMillis() + 1000, null, null, null)),
      ErrorCode.NO_TARGET);
    assertCode(m.request(Envelope.toService("match").payload(Buffer.buffer(new byte[(1 << 20) + 1])).build()), ErrorCode.TOO_LARGE);
    assertCode(m.request(Envelope.toService("match").deadlineMillis(System.currentTimeMillis() - 1).build()),
      ErrorCode.DEADLINE_EXCEEDED);
    assertCode(m.request(Envelope.toService("nobody-hosts-this").build()), ErrorCode.NO_SUCH_SERVICE);
    assertCode(m.request(Envelope.toService("Bad Name!").build()), ErrorCode.MALFORMED);
    assertThatThrownBy(() -> Priority.parse("URGENT")).isInstanceOfSatisfying(MeshException.class,
      x -> assertThat(x.code()).isEqualTo(ErrorCode.UNKNOWN_PRIORITY));
  }

  @Test
  void vertxAppsOnTheClusteredBusUseTheIngressAddress() throws Exception {
    join(c.mesh().host("ai-inference", rq -> Future.succeededFuture(
      Buffer.buffer(rq.headers().getOrDefault("model", "?") + ":" + rq.payload()))));
    mesh.awaitHosts("ai-inference", 1);
    var bus = a.vertx().eventBus();
    var reply = join(bus.<Buffer>request(Addresses.INGRESS, Buffer.buffer("frame-1"), new DeliveryOptions()
      .addHeader(Headers.SERVICE, "ai-inference").addHeader(Headers.PRIORITY, "HIGH")
      .addHeader(Headers.PASS_PREFIX + "model", "v3")));
    assertThat(reply.body().toString()).isEqualTo("v3:frame-1");
    assertThat(reply.headers().get(Headers.NODE)).isEqualTo(c.nodeId());

    Throwable bad = bus.request(Addresses.INGRESS, Buffer.buffer("x"), new DeliveryOptions()
      .addHeader(Headers.SERVICE, "ai-inference").addHeader(Headers.PRIORITY, "URGENT"))
      .toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get();
    Throwable cause = bad instanceof java.util.concurrent.CompletionException ? bad.getCause() : bad;
    assertThat(cause).isInstanceOfSatisfying(ReplyException.class,
      x -> assertThat(x.failureCode()).isEqualTo(ErrorCode.UNKNOWN_PRIORITY.code()));
  }

  private static void assertCode(Future<?> f, ErrorCode code) throws Exception {
    Throwable err = f.toCompletionStage().toCompletableFuture().handle((ok, e) -> e).get();
    assertThat(err).as("expected %s", code).isNotNull();
    Throwable cause = err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
    assertThat(MeshException.of(cause).code()).isEqualTo(code);
  }
}
