package io.netflow.load;

import io.vertx.core.json.JsonObject;

/**
 * What a node measures of its own load at one moment.
 *
 * @param cpu           process CPU use in [0, 1] of the whole machine
 * @param heapUsedBytes heap in use
 * @param heapMaxBytes  the heap's limit
 * @param loopLagMs     how late the node's periodic report timer fired: a busy event loop shows here first
 */
public record LoadSample(double cpu, long heapUsedBytes, long heapMaxBytes, double loopLagMs) {

  /** The most loop lag a report may claim; more is clamped. */
  public static final double MAX_LOOP_LAG_MS = 60_000;

  public JsonObject toJson() {
    return new JsonObject()
      .put("cpu", cpu)
      .put("heapUsedBytes", heapUsedBytes)
      .put("heapMaxBytes", heapMaxBytes)
      .put("loopLagMs", loopLagMs);
  }

  /** Reads a sample from a peer's report, clamping every value into its range. */
  public static LoadSample fromJson(JsonObject json) {
    return new LoadSample(
      clamp(json.getDouble("cpu", 0.0), 0, 1),
      Math.max(0, json.getLong("heapUsedBytes", 0L)),
      Math.max(0, json.getLong("heapMaxBytes", 0L)),
      clamp(json.getDouble("loopLagMs", 0.0), 0, MAX_LOOP_LAG_MS));
  }

  /** {@code v} within [min, max]; NaN counts as max, the cautious reading of a load figure. */
  public static double clamp(double v, double min, double max) {
    if (Double.isNaN(v)) {
      return max;
    }
    return Math.max(min, Math.min(max, v));
  }
}
