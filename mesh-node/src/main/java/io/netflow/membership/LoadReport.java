package io.netflow.membership;

import io.netflow.gateway.protocol.NodeState;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.vertx.core.json.JsonObject;

/**
 * What a node publishes every report interval: who it is, its state, its load and its traffic
 * (services hosted, topics subscribed, admission, lanes).
 *
 * @param seq          increases by one per report from the same process; older ones are ignored
 * @param sentAtMillis the sender's wall clock, for display only (ages use the receiver's clock)
 */
public record LoadReport(NodeDescriptor node, long seq, long sentAtMillis, NodeState state, LoadSample load,
                         TrafficLoad traffic) {

  public String nodeId() {
    return node.nodeId();
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("node", node.toJson())
      .put("seq", seq)
      .put("sentAtMillis", sentAtMillis)
      .put("state", state.name())
      .put("load", load.toJson())
      .put("traffic", traffic.toJson());
  }

  /**
   * Reads a peer's report, clamping what can be clamped.
   *
   * @throws IllegalArgumentException when the report cannot be used (no node, unknown state, wrong types)
   */
  public static LoadReport fromJson(JsonObject json) {
    try {
      JsonObject node = json.getJsonObject("node");
      if (node == null) {
        throw new IllegalArgumentException("report has no node");
      }
      NodeState state = NodeState.parse(json.getString("state"));
      if (state == null) {
        throw new IllegalArgumentException("unknown state '" + json.getValue("state") + "'");
      }
      JsonObject load = json.getJsonObject("load", new JsonObject());
      return new LoadReport(NodeDescriptor.fromJson(node), Math.max(0, json.getLong("seq", 0L)),
        json.getLong("sentAtMillis", 0L), state, LoadSample.fromJson(load),
        TrafficLoad.fromJson(json.getJsonObject("traffic")));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("report field has the wrong type: " + e.getMessage());
    }
  }
}
