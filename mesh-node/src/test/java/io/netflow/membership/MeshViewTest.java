package io.netflow.membership;

import static io.netflow.membership.LoadReportTest.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.NodeState;
import io.netflow.load.TrafficLoad;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MeshViewTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final MeshView view = new MeshView("self", 2_000, now::get);

  @Test
  void keepsTheNewestReportPerNode() {
    assertThat(view.accept(report("a", 5, NodeState.UP))).isTrue();
    assertThat(view.accept(report("a", 4, NodeState.DRAINING))).isFalse();
    assertThat(view.get("a").report().state()).isEqualTo(NodeState.UP);
    assertThat(view.accept(report("a", 6, NodeState.DRAINING))).isTrue();
    assertThat(view.get("a").report().state()).isEqualTo(NodeState.DRAINING);
  }

  @Test
  void additionListenersHearANodesFirstReportOnlyUntilItLeaves() {
    List<String> added = new ArrayList<>();
    view.onAdded(added::add);
    view.accept(report("a", 1, NodeState.UP));
    view.accept(report("a", 2, NodeState.UP));
    view.accept(report("b", 1, NodeState.UP));
    assertThat(added).containsExactly("a", "b");
    view.remove("a");
    view.accept(report("a", 3, NodeState.UP));
    assertThat(added).containsExactly("a", "b", "a");
  }

  /** {@code id}'s report number {@code seq}, hosting {@code services}. */
  private static LoadReport hosting(String id, long seq, String... services) {
    LoadReport r = report(id, seq, NodeState.UP);
    return new LoadReport(r.node(), seq, 0, NodeState.UP, r.load(), new TrafficLoad(List.of(services), 0, 0, 100, false,
      new JsonObject(), new JsonObject()));
  }

  @Test
  void aServicesHostsFollowTheReportsHeldAndLeaveWithTheirNode() {
    view.accept(hosting("a", 1, "match", "chat"));
    view.accept(hosting("b", 1, "chat"));
    assertThat(view.hostsOf("chat")).containsExactly("a", "b");
    assertThat(view.hostsOf("match")).containsExactly("a");
    assertThat(view.hostsOf("unknown")).isEmpty();

    view.accept(hosting("a", 2, "match"));
    assertThat(view.hostsOf("chat")).containsExactly("b");
    view.accept(hosting("a", 1, "chat", "replay"));
    assertThat(view.hostsOf("replay")).as("an older report than the one held changes nothing").isEmpty();
    assertThat(view.refresh("a", 3, 1_000, 2)).isTrue();
    assertThat(view.hostsOf("match")).as("a heartbeat keeps the services").containsExactly("a");

    view.remove("b");
    assertThat(view.hostsOf("chat")).isEmpty();
    view.remove("a");
    assertThat(view.hostsOf("match")).isEmpty();
    assertThat(view.indexedServices()).as("services no node hosts are dropped").isZero();
  }

  @Test
  void aSilentNodeTurnsStaleOnThisNodesClock() {
    view.accept(report("a", 1, NodeState.UP));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_500));
    assertThat(view.isStale(view.get("a"))).isFalse();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
    assertThat(view.isStale(view.get("a"))).isTrue();
    assertThat(view.ageMillis(view.get("a"))).isEqualTo(2_100);
    view.accept(report("a", 2, NodeState.UP));
    assertThat(view.isStale(view.get("a"))).isFalse();
  }

  @Test
  void removedNodesAreGoneAndJsonListsTheRest() {
    view.accept(report("self", 1, NodeState.UP));
    view.accept(report("b", 1, NodeState.UP));
    view.remove("b");
    JsonObject json = view.toJson(1);
    assertThat(json.getString("self")).isEqualTo("self");
    assertThat(json.getJsonArray("nodes")).hasSize(1);
    JsonObject self = json.getJsonArray("nodes").getJsonObject(0);
    assertThat(self.getBoolean("self")).isTrue();
    assertThat(self.getString("state")).isEqualTo("UP");
    assertThat(self.getBoolean("stale")).isFalse();
    assertThat(self.getJsonObject("load").getDouble("cpu")).isEqualTo(0.5);
  }

  @Test
  void anUnreachableNodeIsStaleUntilItReportsAgainOrLeaves() {
    assertThat(view.markUnreachable("a")).as("a node the view does not hold").isFalse();
    view.accept(report("a", 1, NodeState.UP));
    assertThat(view.markUnreachable("a")).isTrue();
    assertThat(view.markUnreachable("a")).as("marked once").isFalse();
    assertThat(view.isStale(view.get("a"))).isTrue();
    JsonObject a = view.toJson(1).getJsonArray("nodes").getJsonObject(0);
    assertThat(a.getBoolean("unreachable")).isTrue();
    assertThat(a.getBoolean("stale")).isTrue();
    // A report it sent before it was marked (an older or the same seq) changes nothing.
    view.accept(report("a", 1, NodeState.UP));
    assertThat(view.isUnreachable("a")).isTrue();
    view.accept(report("a", 2, NodeState.UP));
    assertThat(view.isUnreachable("a")).isFalse();
    assertThat(view.isStale(view.get("a"))).isFalse();
    view.markUnreachable("a");
    view.remove("a");
    view.accept(report("a", 1, NodeState.UP));
    assertThat(view.isUnreachable("a")).as("forgotten when it left").isFalse();
  }

  @Test
  void aHeartbeatKeepsTheLastReportFreshUnderItsNewNumberAndNothingElse() {
    assertThat(view.refresh("a", 2, 1_000, 1)).as("a node the view does not hold").isFalse();
    view.accept(report("a", 1, NodeState.UP));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_900));
    assertThat(view.refresh("a", 2, 1_000, 0)).as("confirms a full report this view does not hold").isFalse();
    assertThat(view.refresh("a", 2, 1_000, 1)).isTrue();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_900));
    assertThat(view.isStale(view.get("a"))).as("fresh from the heartbeat").isFalse();
    assertThat(view.get("a").report().seq()).isEqualTo(2);
    assertThat(view.get("a").report().sentAtMillis()).isEqualTo(1_000);
    assertThat(view.get("a").report().state()).isEqualTo(NodeState.UP);
    assertThat(view.refresh("a", 2, 2_000, 1)).as("an old or repeated heartbeat").isFalse();
    view.markUnreachable("a");
    assertThat(view.refresh("a", 3, 1_500, 1)).isTrue();
    assertThat(view.isUnreachable("a")).as("it reports again").isFalse();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(2_100));
    assertThat(view.isStale(view.get("a"))).as("silent again").isTrue();
  }
}
