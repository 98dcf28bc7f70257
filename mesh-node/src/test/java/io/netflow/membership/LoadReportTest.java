package io.netflow.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  static LoadReport report(String id, long seq, NodeState state) {
    NodeDescriptor d = new NodeDescriptor(id, "n-" + id, Role.EDGE, "local", 1.0, "http://127.0.0.1:1", 1024, 1024, 0);
    return new LoadReport(d, seq, 0, state, new LoadSample(0.5, 10, 100, 1.5), TrafficLoad.NONE);
  }

  @Test
  void roundTrips() {
    LoadReport r = report("a", 7, NodeState.DRAINING);
    assertThat(LoadReport.fromJson(r.toJson())).isEqualTo(r);
  }

  @Test
  void onlyAMaterialChangeCallsForAFullReport() {
    LoadReport r = report("a", 1, NodeState.UP);
    LoadReport heapAndClock = new LoadReport(r.node(), 2, 99, NodeState.UP, new LoadSample(0.52, 90, 100, 3.0), r.traffic());
    assertThat(r.differsFrom(heapAndClock)).isFalse();
    assertThat(r.differsFrom(report("a", 2, NodeState.DRAINING))).isTrue();
    assertThat(r.differsFrom(new LoadReport(r.node(), 2, 0, NodeState.UP, new LoadSample(0.6, 10, 100, 1.5), r.traffic())))
      .as("CPU").isTrue();
    assertThat(r.differsFrom(new LoadReport(r.node(), 2, 0, NodeState.UP, new LoadSample(0.5, 10, 100, 9.0), r.traffic())))
      .as("loop lag").isTrue();
    TrafficLoad serving = new TrafficLoad(java.util.List.of("match"), 0, 0, 20, false, new JsonObject(), new JsonObject());
    assertThat(r.differsFrom(new LoadReport(r.node(), 2, 0, NodeState.UP, r.load(), serving))).as("services").isTrue();
  }

  @Test
  void aHeartbeatIsToldFromAFullReportAndAMalformedOneIsRefused() {
    assertThat(LoadReport.heartbeatFrom(LoadReport.heartbeat("a", 4, 1_000, 3))).isEqualTo("a");
    assertThat(LoadReport.heartbeatFrom(report("a", 1, NodeState.UP).toJson())).isNull();
    assertThatThrownBy(() -> LoadReport.heartbeatFrom(LoadReport.heartbeat("a", 4, 1_000, 3).put("seq", "four")))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoadReport.heartbeatFrom(new JsonObject().put("heartbeat", 7).put("seq", 1).put("sentAtMillis", 1).put("of", 1)))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void peerNumbersAreClamped() {
    JsonObject json = report("a", 1, NodeState.UP).toJson();
    json.getJsonObject("node").put("capacity", 1e9).put("name", "x".repeat(10_000));
    json.getJsonObject("load").put("cpu", 7.0).put("heapUsedBytes", -5).put("loopLagMs", Double.NaN);
    json.put("seq", -3);
    LoadReport r = LoadReport.fromJson(json);
    assertThat(r.node().capacity()).isEqualTo(1000.0);
    assertThat(r.node().name()).hasSize(NodeDescriptor.MAX_TEXT);
    assertThat(r.load().cpu()).isEqualTo(1.0);
    assertThat(r.load().heapUsedBytes()).isZero();
    assertThat(r.load().loopLagMs()).isEqualTo(LoadSample.MAX_LOOP_LAG_MS);
    assertThat(r.seq()).isZero();
  }

  @Test
  void unusableReportsAreRefused() {
    JsonObject noState = report("a", 1, NodeState.UP).toJson().put("state", "ASLEEP");
    assertThatThrownBy(() -> LoadReport.fromJson(noState)).isInstanceOf(IllegalArgumentException.class);
    JsonObject noId = report("a", 1, NodeState.UP).toJson();
    noId.getJsonObject("node").remove("nodeId");
    assertThatThrownBy(() -> LoadReport.fromJson(noId)).isInstanceOf(IllegalArgumentException.class);
    JsonObject badRole = report("a", 1, NodeState.UP).toJson();
    badRole.getJsonObject("node").put("role", "boss");
    assertThatThrownBy(() -> LoadReport.fromJson(badRole)).isInstanceOf(IllegalArgumentException.class);
    JsonObject wrongType = report("a", 1, NodeState.UP).toJson().put("node", "text");
    assertThatThrownBy(() -> LoadReport.fromJson(wrongType)).isInstanceOf(IllegalArgumentException.class);
  }
}
