package io.netflow.membership;

import io.vertx.core.json.JsonObject;

/**
 * How often a node reports its load, and when a silent peer counts as stale.
 *
 * <p>Each setting has a config key ({@code membership.*}) and takes the range that key allows: a
 * setter, or the JSON constructor, given anything else throws {@link IllegalArgumentException} naming
 * the key, the value and the range. JSON fields are the settings' names ({@code reportIntervalMs},
 * {@code staleAfterMs}); unknown fields are ignored.
 */
public class MembershipOptions {

  /** Default time between load reports: 500 ms. */
  public static final long DEFAULT_REPORT_INTERVAL_MS = 500;
  /** Default silence after which a peer is stale: 2 s. */
  public static final long DEFAULT_STALE_AFTER_MS = 2_000;

  private static final Range REPORT_INTERVAL_MS =
    new Range("reportIntervalMs", "membership.report-interval-ms", 50, 60_000);
  private static final Range STALE_AFTER_MS = new Range("staleAfterMs", "membership.stale-after-ms", 100, 600_000);

  private long reportIntervalMs = DEFAULT_REPORT_INTERVAL_MS;
  private long staleAfterMs = DEFAULT_STALE_AFTER_MS;

  /** Options with every default. */
  public MembershipOptions() {
  }

  /** A copy of {@code other}. */
  public MembershipOptions(MembershipOptions other) {
    this.reportIntervalMs = other.reportIntervalMs;
    this.staleAfterMs = other.staleAfterMs;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is out of range
   */
  public MembershipOptions(JsonObject json) {
    setReportIntervalMs(REPORT_INTERVAL_MS.read(json, reportIntervalMs));
    setStaleAfterMs(STALE_AFTER_MS.read(json, staleAfterMs));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(REPORT_INTERVAL_MS.field(), reportIntervalMs)
      .put(STALE_AFTER_MS.field(), staleAfterMs);
  }

  public long getReportIntervalMs() {
    return reportIntervalMs;
  }

  /** Milliseconds between load reports, in [50, 60000]. */
  public MembershipOptions setReportIntervalMs(long ms) {
    this.reportIntervalMs = REPORT_INTERVAL_MS.check(ms);
    return this;
  }

  public long getStaleAfterMs() {
    return staleAfterMs;
  }

  /**
   * Milliseconds of silence after which a peer is stale, in [100, 600000]; also the report's TTL in
   * the cluster map.
   */
  public MembershipOptions setStaleAfterMs(long ms) {
    this.staleAfterMs = STALE_AFTER_MS.check(ms);
    return this;
  }

  private static Object shown(Object v) {
    return v instanceof String ? "'" + v + "'" : v;
  }

  /** An integer setting: its JSON field, its config key and the range the key allows. */
  private record Range(String field, String key, long min, long max) {

    long check(long v) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    long read(JsonObject json, long absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        return check(((Number) v).longValue());
      }
      throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], got " + shown(v));
    }
  }
}
