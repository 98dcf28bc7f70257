package io.netflow.membership;

import io.vertx.core.json.JsonObject;

/** How often a node reports its load, and when a silent peer counts as stale. */
public class MembershipOptions {

  public static final long DEFAULT_REPORT_INTERVAL_MS = 500;
  public static final long DEFAULT_STALE_AFTER_MS = 2_000;

  private long reportIntervalMs = DEFAULT_REPORT_INTERVAL_MS;
  private long staleAfterMs = DEFAULT_STALE_AFTER_MS;

  public MembershipOptions() {
  }

  public MembershipOptions(JsonObject json) {
    setReportIntervalMs(json.getLong("report-interval-ms", DEFAULT_REPORT_INTERVAL_MS));
    setStaleAfterMs(json.getLong("stale-after-ms", DEFAULT_STALE_AFTER_MS));
  }

  public JsonObject toJson() {
    return new JsonObject().put("report-interval-ms", reportIntervalMs).put("stale-after-ms", staleAfterMs);
  }

  public long getReportIntervalMs() {
    return reportIntervalMs;
  }

  /** Milliseconds between load reports, in [50, 60000]. */
  public MembershipOptions setReportIntervalMs(long ms) {
    if (ms < 50 || ms > 60_000) {
      throw new IllegalArgumentException("membership.report-interval-ms must be in [50, 60000], got " + ms);
    }
    this.reportIntervalMs = ms;
    return this;
  }

  public long getStaleAfterMs() {
    return staleAfterMs;
  }

  /** Milliseconds of silence after which a peer is stale; also the report's TTL in the cluster map. */
  public MembershipOptions setStaleAfterMs(long ms) {
    if (ms < 100 || ms > 600_000) {
      throw new IllegalArgumentException("membership.stale-after-ms must be in [100, 600000], got " + ms);
    }
    this.staleAfterMs = ms;
    return this;
  }
}
