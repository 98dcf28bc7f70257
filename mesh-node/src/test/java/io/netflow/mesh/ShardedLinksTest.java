package io.netflow.mesh;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.mesh.impl.LinkShards;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane's links spread over {@code mesh.shards} event loops: each destination's link is
 * owned by one loop, links to different nodes run on different loops, and a BULK flood to one node
 * holds back a CRITICAL request neither to a node whose link runs on another loop nor, as on one
 * loop, to the flooded node itself.
 */
class ShardedLinksTest {

  private TestMesh mesh;
  private NetflowNode a;
  private NetflowNode b;
  private NetflowNode c;

  @BeforeEach
  void start() throws Exception {
    mesh = new TestMesh();
    a = mesh.start("a", cfg -> cfg.set(NodeKeys.SHARDS, 2));
    b = mesh.start("b");
    c = mesh.start("c");
    join(b.mesh().host("game", e -> Future.succeededFuture(Buffer.buffer("b"))));
    join(c.mesh().host("telemetry", e -> Future.succeededFuture(Buffer.buffer("c"))));
    mesh.awaitHosts("game", 1);
    mesh.awaitHosts("telemetry", 1);
    // The first link made goes to the first shard, the next to the other (the one with fewer links).
    join(a.mesh().request(critical("game")));
    join(a.mesh().request(critical("telemetry")));
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  private static Envelope critical(String service) {
    return Envelope.toService(service).priority(Priority.CRITICAL).timeoutMillis(5_000).payload("move").build();
  }

  @Test
  void eachDestinationsLinkIsOwnedByOneLoopAndDestinationsRunOnDifferentLoops() throws Exception {
    LinkShards links = a.links();
    assertThat(links.count()).isEqualTo(2);
    assertThat(links.shardOf(b.nodeId())).isZero();
    assertThat(links.shardOf(c.nodeId())).isEqualTo(1);
    assertThat(thread(links, 0)).isNotEqualTo(thread(links, 1));
    // Both links carry their lanes' traffic as before, and report it.
    assertThat(a.mesh().request(critical("telemetry")).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
      .nodeId()).isEqualTo(c.nodeId());
    assertThat(links.sentBytes().getJsonObject(c.nodeId()).getLong("CRITICAL")).isPositive();
    assertThat(TestMesh.get(a, "/metrics").body()).contains("netflow_mesh_shard_links{shard=\"0\"} 1.0")
      .contains("netflow_mesh_shard_links{shard=\"1\"} 1.0");
  }

  @Test
  void aSendToANodeOutsideTheMeshMakesNoLink() throws Exception {
    LinkShards links = a.links();
    Future<?> late = links.send("gone-node", critical("game"), 1_000);
    assertThat(late.toCompletionStage().toCompletableFuture()).failsWithin(5, TimeUnit.SECONDS)
      .withThrowableThat().havingCause().isInstanceOfSatisfying(MeshException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_HANDLERS));
    assertThat(links.shardOf("gone-node")).isEqualTo(-1);
    assertThat(links.linksOn(0) + links.linksOn(1)).isEqualTo(2);
  }

  @Test
  void aNodeThatStopsLeavesNoCallerWaitingOnARequestHeldOnAnotherLoop() throws Exception {
    Promise<Buffer> never = Promise.promise();
    join(c.mesh().host("slow", e -> never.future()));
    mesh.awaitHosts("slow", 1);
    // Held on the link to c, on a's second loop, with a deadline far past the stop.
    Future<Reply> held = a.mesh().request(Envelope.toService("slow").priority(Priority.CRITICAL).timeoutMillis(60_000)
      .payload("move").build());
    Thread.sleep(300);
    assertThat(a.links().shardOf(c.nodeId())).isEqualTo(1);
    assertThat(held.isComplete()).isFalse();
    mesh.stop(a);
    assertThat(held.toCompletionStage().toCompletableFuture()).failsWithin(10, TimeUnit.SECONDS);
  }

  @Test
  void aBulkFloodToOneNodeDelaysCriticalToNeitherThatNodeNorAnother() throws Exception {
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger bulkAnswered = new AtomicInteger();
    AtomicInteger bulkShed = new AtomicInteger();
    List<Future<Void>> floods = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    for (int i = 0; i < 64; i++) {
      floods.add(flood(until, flooding, bulkAnswered, bulkShed));
    }
    List<Double> toB = new ArrayList<>();
    List<Double> toC = new ArrayList<>();
    try {
      while (System.nanoTime() < until) {
        toB.add(timed("game", b));
        toC.add(timed("telemetry", c));
      }
    } finally {
      flooding.set(false);
    }
    join(Future.join(floods).otherwiseEmpty());
    assertThat(bulkAnswered.get()).as("the flood ran").isGreaterThan(100);
    toB.sort(Double::compare);
    toC.sort(Double::compare);
    // On a 2-core machine running three nodes and the flood, a CRITICAL request takes a few ms; one
    // queued behind the flood's BULK queue (8 MiB to c) would take far longer.
    assertThat(toB.get((int) (toB.size() * 0.99))).as("p99 ms to b (other shard)").isLessThan(100);
    assertThat(toC.get((int) (toC.size() * 0.99))).as("p99 ms to c (flooded, its own shard)").isLessThan(100);
  }

  private double timed(String service, NetflowNode expected) throws Exception {
    long t = System.nanoTime();
    Reply r = a.mesh().request(critical(service)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(r.nodeId()).isEqualTo(expected.nodeId());
    return (System.nanoTime() - t) / 1e6;
  }

  /** One sender of BULK requests with 16 KiB payloads to c, one at a time, until {@code until}. */
  private Future<Void> flood(long until, AtomicBoolean on, AtomicInteger answered, AtomicInteger shed) {
    if (!on.get() || System.nanoTime() > until) {
      return Future.succeededFuture();
    }
    Promise<Void> next = Promise.promise();
    a.mesh().request(Envelope.toService("telemetry").priority(Priority.BULK).timeoutMillis(5_000)
      .payload(Buffer.buffer(new byte[16 * 1024])).build()).onComplete(ar -> {
        if (ar.succeeded()) {
          answered.incrementAndGet();
        } else if (MeshException.of(ar.cause()).code() == ErrorCode.OVERLOADED) {
          shed.incrementAndGet();
        }
        flood(until, on, answered, shed).onComplete(next);
      });
    return next.future();
  }

  private static Thread thread(LinkShards links, int shard) throws Exception {
    CompletableFuture<Thread> t = new CompletableFuture<>();
    links.loop(shard).runOnContext(v -> t.complete(Thread.currentThread()));
    return t.get(5, TimeUnit.SECONDS);
  }
}
