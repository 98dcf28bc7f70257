package io.netflow.membership;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.NodeState;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat confirms a full report by its number. A node that missed that report (a publication
 * lost on the way) takes it from the cluster map; a malformed heartbeat is counted and changes
 * nothing.
 */
class HeartbeatsTest {

  private final TestMesh mesh = new TestMesh();

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void aHeartbeatConfirmingAReportThisNodeMissedFetchesItFromTheClusterMap() throws Exception {
    NetflowNode a = mesh.start("a");
    NetflowNode b = mesh.start("b");
    TestMesh.await(Duration.ofSeconds(10), "a sees b", () -> a.view().get(b.nodeId()) != null);
    AsyncMap<String, JsonObject> reports = join(a.vertx().sharedData().getAsyncMap(MembershipVerticle.REPORTS_MAP));
    // A full report of b's that never reached a: only in the map, numbered far past b's own (so
    // none of b's own can replace it in a's view), in a state b is not in. b rewrites its entry
    // with each full report it sends, so the report is put back until a has taken it.
    long missed = 1_000_000_000L;
    TestMesh.await(Duration.ofSeconds(20), "a took the report it missed from the map", () -> {
      try {
        JsonObject held = join(reports.get(b.nodeId()));
        join(reports.put(b.nodeId(), held.copy().put("seq", missed).put("state", NodeState.DRAINING.name())));
        a.vertx().eventBus().publish(MembershipAddresses.MESH_REPORTS,
          LoadReport.heartbeat(b.nodeId(), missed + 1, System.currentTimeMillis(), missed));
        Thread.sleep(200);
      } catch (Exception e) {
        return false;
      }
      MeshView.Entry e = a.view().get(b.nodeId());
      return e != null && e.report().seq() == missed && e.report().state() == NodeState.DRAINING;
    });
  }

  @Test
  void aMalformedHeartbeatIsCountedAndChangesNothing() throws Exception {
    NetflowNode a = mesh.start("a");
    NetflowNode b = mesh.start("b");
    TestMesh.await(Duration.ofSeconds(10), "a sees b", () -> a.view().get(b.nodeId()) != null);
    double before = rejected(a);
    long seq = a.view().get(b.nodeId()).report().seq();
    a.vertx().eventBus().publish(MembershipAddresses.MESH_REPORTS, new JsonObject().put("heartbeat", b.nodeId())
      .put("seq", "one").put("sentAtMillis", 1).put("of", 1));
    TestMesh.await(Duration.ofSeconds(5), "a counts the malformed heartbeat", () -> rejected(a) > before);
    MeshView.Entry e = a.view().get(b.nodeId());
    assertThat(e.report().state()).isEqualTo(NodeState.UP);
    assertThat(e.report().seq()).as("b's own reports go on").isGreaterThanOrEqualTo(seq);
  }

  private static double rejected(NetflowNode n) {
    return n.registry().get("netflow.mesh.reports.rejected").counter().count();
  }
}
