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

  /** A CPU share that moves by more than this is worth a full report. */
  static final double MATERIAL_CPU = 0.05;
  /** Loop lag that moves by more than this (ms) is worth a full report. */
  static final double MATERIAL_LAG_MS = 5;
  private static final String HEARTBEAT = "heartbeat";
  private static final String TAKES_HEARTBEATS = "takesHeartbeats";

  /** Whether the node that sent this full report reads heartbeats (absent: a release from before them). */
  public static boolean takesHeartbeats(JsonObject json) {
    return Boolean.TRUE.equals(json.getValue(TAKES_HEARTBEATS));
  }

  public String nodeId() {
    return node.nodeId();
  }

  /** The same report, sent again as {@code seq} at {@code sentAtMillis}: what a heartbeat says. */
  public LoadReport again(long seq, long sentAtMillis) {
    return new LoadReport(node, seq, sentAtMillis, state, load, traffic);
  }

  /**
   * Whether {@code next} says something routing, the console or an operator would act on that this
   * report does not: its state, its traffic (services, topics, admission, lanes and their counters),
   * or its CPU or loop lag moved by more than a little. Heap and the clock are left out: they move
   * with every sample.
   */
  public boolean differsFrom(LoadReport next) {
    return state != next.state || !traffic.equals(next.traffic)
      || Math.abs(load.cpu() - next.load.cpu()) > MATERIAL_CPU || Math.abs(load.loopLagMs() - next.load.loopLagMs()) > MATERIAL_LAG_MS;
  }

  /**
   * A heartbeat: "my full report {@code fullSeq} still holds", as report {@code seq} sent at
   * {@code sentAtMillis}.
   */
  public static JsonObject heartbeat(String nodeId, long seq, long sentAtMillis, long fullSeq) {
    return new JsonObject().put(HEARTBEAT, nodeId).put("seq", seq).put("sentAtMillis", sentAtMillis).put("of", fullSeq);
  }

  /** The node a heartbeat is from, or null when {@code json} is a full report. */
  public static String heartbeatFrom(JsonObject json) {
    Object from = json.getValue(HEARTBEAT);
    if (from == null) {
      return null;
    }
    if (!(from instanceof String id) || !(json.getValue("seq") instanceof Number) || !(json.getValue("sentAtMillis") instanceof Number)
      || !(json.getValue("of") instanceof Number)) {
      throw new IllegalArgumentException("heartbeat fields have the wrong type");
    }
    return id;
  }

  /**
   * The report as it travels. {@code takesHeartbeats} tells peers this node reads heartbeats: a node
   * of an earlier release, which does not, is sent a full report every tick.
   */
  public JsonObject toJson() {
    return new JsonObject()
      .put(TAKES_HEARTBEATS, true)
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
