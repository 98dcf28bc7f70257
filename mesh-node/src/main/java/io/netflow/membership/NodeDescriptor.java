package io.netflow.membership;

import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.vertx.core.json.JsonObject;

/**
 * Who a node is: fixed for the life of the process, sent with every load report.
 *
 * @param nodeId    the cluster member id (changes when the process restarts)
 * @param name      the operator's name for it (stable across restarts)
 * @param capacity  relative capacity weight
 * @param httpUrl   where its HTTP API answers
 */
public record NodeDescriptor(String nodeId, String name, Role role, String region, double capacity,
                             String httpUrl, long uploadBytesPerSecond, long downloadBytesPerSecond,
                             long startedAtMillis) {

  static final int MAX_TEXT = 256;

  public JsonObject toJson() {
    return new JsonObject()
      .put("nodeId", nodeId)
      .put("name", name)
      .put("role", role.id())
      .put("region", region)
      .put("capacity", capacity)
      .put("httpUrl", httpUrl)
      .put("uploadBytesPerSecond", uploadBytesPerSecond)
      .put("downloadBytesPerSecond", downloadBytesPerSecond)
      .put("startedAtMillis", startedAtMillis);
  }

  /**
   * Reads a peer's descriptor. Peers are untrusted: numbers are clamped into range, text is
   * bounded, and a missing id or an unknown role is refused.
   *
   * @throws IllegalArgumentException when the descriptor cannot be used at all
   */
  public static NodeDescriptor fromJson(JsonObject json) {
    String id = text(json, "nodeId");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("descriptor has no nodeId");
    }
    Role role = Role.parse(json.getString("role"));
    if (role == null) {
      throw new IllegalArgumentException("unknown role '" + json.getValue("role") + "'");
    }
    return new NodeDescriptor(id, text(json, "name"), role, text(json, "region"),
      LoadSample.clamp(json.getDouble("capacity", 1.0), 0.01, 1000),
      text(json, "httpUrl"),
      Math.max(0, json.getLong("uploadBytesPerSecond", 0L)),
      Math.max(0, json.getLong("downloadBytesPerSecond", 0L)),
      json.getLong("startedAtMillis", 0L));
  }

  private static String text(JsonObject json, String key) {
    String s = json.getString(key, "");
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
  }
}
