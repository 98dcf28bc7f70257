package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import io.netflow.membership.NodeDescriptor;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceSourcesTest {

  private static final String MODEL = "policy/v1";
  private static final double BUDGET = 32 << 20;

  private final MeshView view = new MeshView("self", 2_000);
  private final DeviceSources sources = new DeviceSources(view, "eu");

  /** A node holding the model verified, in {@code region}, with {@code inFlight} of 100 and {@code rate} of its budget used. */
  private void node(String id, String region, int inFlight, double rate, NodeState state) {
    NodeDescriptor d = new NodeDescriptor(id, id, Role.EDGE, region, 1, "http://" + id, 0, 0, 0);
    TrafficLoad t = new TrafficLoad(List.of(), 0, inFlight, 100, false, new JsonObject(), new JsonObject())
      .withDevices(BUDGET, rate * BUDGET);
    view.accept(new LoadReport(d, System.nanoTime(), 0, state, new LoadSample(0, 0, 0, 0), t));
    sources.holdings(new JsonObject().put("model", MODEL).put("nodeId", id).put("state", "VERIFIED"));
  }

  private List<String> rank(String device) {
    return sources.rank(MODEL, 16, device).stream().map(DeviceSources.Source::nodeId).toList();
  }

  @Test
  void aNodeWhoseBudgetIsSpentOrThatDrainsIsNotNamed() {
    node("full", "eu", 0, 1.0, NodeState.UP);
    node("draining", "eu", 0, 0, NodeState.DRAINING);
    node("free", "eu", 0, 0.2, NodeState.UP);
    assertThat(rank("d-1")).containsExactly("free");
    // Its next report shows room again: it is named again.
    node("full", "eu", 0, 0.5, NodeState.UP);
    assertThat(rank("d-1")).containsExactlyInAnyOrder("free", "full");
  }

  @Test
  void sameRegionFirstThenLessUtilisedThenMoreRoom() {
    node("far", "us", 0, 0, NodeState.UP);
    node("busy", "eu", 80, 0, NodeState.UP);
    node("spent", "eu", 0, 0.8, NodeState.UP);
    node("idle", "eu", 0, 0, NodeState.UP);
    for (int i = 0; i < 50; i++) {
      assertThat(rank("d-" + i)).containsExactly("idle", "spent", "busy", "far");
    }
  }

  @Test
  void aFleetAskingAtOnceSpreadsOverAlikeHolders() {
    for (String id : List.of("a", "b", "c", "d")) {
      node(id, "eu", 0, 0, NodeState.UP);
    }
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < 4_000; i++) {
      first.merge(rank("device-" + i).get(0), 1, Integer::sum);
    }
    assertThat(first).hasSize(4);
    assertThat(first.values()).allSatisfy(n -> assertThat(n).isBetween(900, 1_100));
  }

  @Test
  void aNodeThatLeftOrNoLongerHoldsItIsNotNamed() {
    node("a", "eu", 0, 0, NodeState.UP);
    node("b", "eu", 0, 0, NodeState.UP);
    sources.nodeLeft("a");
    sources.holdings(new JsonObject().put("model", MODEL).put("nodeId", "b").put("state", "FETCHING"));
    assertThat(rank("d-1")).isEmpty();
  }
}
