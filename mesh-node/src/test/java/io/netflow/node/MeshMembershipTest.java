package io.netflow.node;

import static io.netflow.node.TestMesh.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.NodeState;
import io.netflow.membership.MeshView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three clustered nodes in one JVM: views, graceful leave, and a member that stops reporting. */
class MeshMembershipTest {

  private TestMesh mesh;
  private NetflowNode a;
  private NetflowNode b;
  private NetflowNode c;

  @BeforeEach
  void startMesh() throws Exception {
    mesh = new TestMesh();
    a = mesh.start("a");
    b = mesh.start("b");
    c = mesh.start("c");
    for (NetflowNode n : mesh.nodes()) {
      await(Duration.ofSeconds(10), n.name() + " sees 3 nodes", () -> n.view().size() == 3);
    }
  }

  @AfterEach
  void stopMesh() throws Exception {
    mesh.close();
  }

  @Test
  void everyViewShowsEveryNodeOverHttp() throws Exception {
    for (NetflowNode n : mesh.nodes()) {
      HttpResponse<String> r = TestMesh.get(n, "/v1/mesh/nodes");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject view = new JsonObject(r.body());
      assertThat(view.getInteger("clusterSize")).isEqualTo(3);
      JsonArray nodes = view.getJsonArray("nodes");
      assertThat(nodes.stream().map(o -> ((JsonObject) o).getString("name"))).containsExactly("a", "b", "c");
      for (Object o : nodes) {
        JsonObject node = (JsonObject) o;
        assertThat(node.getString("state")).isEqualTo("UP");
        assertThat(node.getBoolean("stale")).isFalse();
        assertThat(node.getLong("ageMs")).isBetween(0L, 600L);
        assertThat(node.getJsonObject("load").getLong("heapUsedBytes")).isPositive();
      }
      assertThat(TestMesh.get(n, "/ready").statusCode()).isEqualTo(200);
      String metrics = TestMesh.get(n, "/metrics").body();
      assertThat(metrics).contains("netflow_mesh_members 3.0", "netflow_node_state{state=\"UP\"} 1.0",
        "netflow_mesh_nodes{state=\"UP\"} 3.0", "netflow_mesh_report_age_seconds{node=\"c\"}",
        "jvm_memory_used_bytes", "process_cpu_usage", "vertx_eventbus_");
    }
  }

  @Test
  void everyNodeWatchesForBeingStrandedAndNoneOfAHealthyMeshIs() throws Exception {
    Thread.sleep(2_500);
    for (NetflowNode n : mesh.nodes()) {
      assertThat(n.registry().get("netflow.membership.stranded.claims").counter().count()).isZero();
      assertThat(n.clusterSize()).isEqualTo(3);
    }
  }

  @Test
  void anIdleNodeSendsHeartbeatsItsPeersTakeAsFreshAndAChangeGoesOutInFullAtOnce() throws Exception {
    await(Duration.ofSeconds(10), "a sends heartbeats", () -> sent(a, "heartbeat") >= 4);
    // Seen fresh by its peers all along, on heartbeats: never older than a couple of ticks.
    for (int i = 0; i < 10; i++) {
      for (NetflowNode peer : List.of(b, c)) {
        MeshView.Entry e = peer.view().get(a.nodeId());
        assertThat(peer.view().isStale(e)).isFalse();
        assertThat(peer.view().ageMillis(e)).isLessThan(1_500);
      }
      Thread.sleep(200);
    }
    double fullBefore = sent(a, "full");
    TestMesh.join(a.mesh().host("fresh-service", e -> io.vertx.core.Future.succeededFuture(e.payload())));
    await(Duration.ofSeconds(2), "b and c learn a's new service from a full report",
      () -> b.view().get(a.nodeId()).report().traffic().services().contains("fresh-service")
        && c.view().get(a.nodeId()).report().traffic().services().contains("fresh-service"));
    assertThat(sent(a, "full")).isGreaterThan(fullBefore);
  }

  private static double sent(NetflowNode n, String kind) {
    return n.registry().get("netflow.mesh.reports.sent").tag("kind", kind).counter().count();
  }

  @Test
  void gracefullyStoppedNodeShowsDrainingThenDisappears() throws Exception {
    List<NodeState> seenByA = new CopyOnWriteArrayList<>();
    Thread watcher = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        MeshView.Entry e = a.view().get(c.nodeId());
        NodeState s = e == null ? null : e.report().state();
        if (seenByA.isEmpty() || seenByA.get(seenByA.size() - 1) != s) {
          seenByA.add(s);
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException ie) {
          return;
        }
      }
    });
    watcher.start();
    try {
      // The watcher's first look must come before the stop, or a slow thread start reads DRAINING first.
      await(Duration.ofSeconds(5), "the watcher's first look", () -> !seenByA.isEmpty());
      mesh.stop(c);
      await(Duration.ofSeconds(10), "a drops c", () -> a.view().get(c.nodeId()) == null);
    } finally {
      watcher.interrupt();
      watcher.join();
    }
    assertThat(seenByA).startsWith(NodeState.UP, NodeState.DRAINING);
    assertThat(a.view().get(c.nodeId())).isNull();
    // b hears of the departure on its own, moments before or after a.
    await(Duration.ofSeconds(5), "b drops c", () -> b.view().get(c.nodeId()) == null);
    assertThat(a.clusterSize()).isEqualTo(2);
  }

  @Test
  void memberWhoseReportsStopIsMarkedStale() throws Exception {
    // c stays a cluster member, but its membership verticle (the reporter) is gone.
    c.vertx().undeploy(c.membershipDeployment()).toCompletionStage().toCompletableFuture().get();
    await(Duration.ofSeconds(5), "a marks c stale", () -> a.view().isStale(a.view().get(c.nodeId())));
    assertThat(a.clusterSize()).isEqualTo(3);
    JsonObject view = new JsonObject(TestMesh.get(a, "/v1/mesh/nodes").body());
    JsonObject cEntry = view.getJsonArray("nodes").stream().map(JsonObject.class::cast)
      .filter(n -> n.getString("name").equals("c")).findFirst().orElseThrow();
    assertThat(cEntry.getBoolean("stale")).isTrue();
    assertThat(cEntry.getLong("ageMs")).isGreaterThan(600L);
    assertThat(TestMesh.get(a, "/metrics").body()).contains("netflow_mesh_nodes{state=\"STALE\"} 1.0");
  }
}
