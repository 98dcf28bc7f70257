package io.netflow.scheduling;

import io.vertx.core.json.JsonObject;

/**
 * How a node takes part in running the mesh's deferred work.
 *
 * <p>Each setting has a config key ({@code scheduling.*}) and takes the range that key allows: a
 * setter, or the JSON constructor, given anything else throws {@link IllegalArgumentException} naming
 * the key, the value and the range. JSON fields are the settings' names ({@code pollIntervalMs}, ...);
 * unknown fields are ignored.
 */
public class SchedulerOptions {

  /** Default time between looks for work: 500 ms. */
  public static final long DEFAULT_POLL_INTERVAL_MS = 500;
  /** Default length of a claim: 5 s. */
  public static final long DEFAULT_LEASE_MS = 5_000;
  /** Default work items running on a node at most: 16. */
  public static final int DEFAULT_MAX_CONCURRENCY = 16;
  /** Default sum of the cost estimates running on a node at most: 16. */
  public static final double DEFAULT_MAX_COST_IN_FLIGHT = 16.0;
  /** Default runs of an item in all: 3. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Default wait before a failed item's second run: 500 ms. */
  public static final long DEFAULT_RETRY_BACKOFF_MS = 500;
  /** Default longest wait before a failed item's next run: 30 s. */
  public static final long DEFAULT_RETRY_BACKOFF_MAX_MS = 30_000;
  /** Default largest payload of a work request: 64 KiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 65_536;
  /** Default largest result kept with an item: 64 KiB. */
  public static final int DEFAULT_MAX_RESULT_BYTES = 65_536;
  /** Default unfinished items the mesh holds at most: 100,000. */
  public static final int DEFAULT_MAX_QUEUED = 100_000;
  /** Default deadline of a request that names none: 1 h. */
  public static final long DEFAULT_DEFAULT_DEADLINE_MS = 3_600_000;
  /** Default time a finished item stays readable: 1 h. */
  public static final long DEFAULT_RETENTION_MS = 3_600_000;
  /** Default fraction of its recent peak below which the mesh is quiet: 0.5. */
  public static final double DEFAULT_QUIET_FRACTION = 0.5;
  /** Default request rate below which the mesh is quiet: 50 per second. */
  public static final double DEFAULT_QUIET_FLOOR_PER_SECOND = 50.0;
  /** Default nearness of its deadline at which a BULK item runs while the mesh is busy: 60 s. */
  public static final long DEFAULT_BULK_URGENCY_MS = 60_000;
  /** Default BULK items a node runs at once while the mesh is busy: 1. */
  public static final int DEFAULT_BUSY_BULK_CONCURRENCY = 1;
  /** Default CRITICAL latency above which a node admits less NORMAL and BULK work: 5 ms. */
  public static final long DEFAULT_LATENCY_TARGET_MICROS = 5_000;

  private static final long DAY_MS = 86_400_000;
  private static final Range POLL_INTERVAL_MS = new Range("pollIntervalMs", "scheduling.poll-interval-ms", 10, 60_000);
  private static final Range LEASE_MS = new Range("leaseMs", "scheduling.lease-ms", 300, 600_000);
  private static final Range MAX_CONCURRENCY = new Range("maxConcurrency", "scheduling.max-concurrency", 1, 10_000);
  private static final Real MAX_COST_IN_FLIGHT =
    new Real("maxCostInFlight", "scheduling.max-cost-in-flight", 0.001, 1e9);
  private static final Range MAX_ATTEMPTS = new Range("maxAttempts", "scheduling.max-attempts", 1, 100);
  private static final Range RETRY_BACKOFF_MS =
    new Range("retryBackoffMs", "scheduling.retry-backoff-ms", 0, 3_600_000);
  private static final Range RETRY_BACKOFF_MAX_MS =
    new Range("retryBackoffMaxMs", "scheduling.retry-backoff-max-ms", 0, DAY_MS);
  private static final Range MAX_PAYLOAD_BYTES =
    new Range("maxPayloadBytes", "scheduling.max-payload-bytes", 0, 16 << 20);
  private static final Range MAX_RESULT_BYTES = new Range("maxResultBytes", "scheduling.max-result-bytes", 0, 16 << 20);
  private static final Range MAX_QUEUED = new Range("maxQueued", "scheduling.max-queued", 1, 100_000_000);
  private static final Range DEFAULT_DEADLINE_MS =
    new Range("defaultDeadlineMs", "scheduling.default-deadline-ms", 1, 7 * DAY_MS);
  private static final Range RETENTION_MS = new Range("retentionMs", "scheduling.retention-ms", 1_000, 30 * DAY_MS);
  private static final Real QUIET_FRACTION = new Real("quietFraction", "scheduling.quiet-fraction", 0.0, 1.0);
  private static final Real QUIET_FLOOR_PER_SECOND =
    new Real("quietFloorPerSecond", "scheduling.quiet-floor-per-second", 0.0, 1e9);
  private static final Range BULK_URGENCY_MS = new Range("bulkUrgencyMs", "scheduling.bulk-urgency-ms", 0, 7 * DAY_MS);
  private static final Range BUSY_BULK_CONCURRENCY =
    new Range("busyBulkConcurrency", "scheduling.busy-bulk-concurrency", 0, 10_000);
  private static final Range LATENCY_TARGET_MICROS =
    new Range("latencyTargetMicros", "scheduling.latency-target-micros", 10, 60_000_000);

  private long pollIntervalMs = DEFAULT_POLL_INTERVAL_MS;
  private long leaseMs = DEFAULT_LEASE_MS;
  private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
  private double maxCostInFlight = DEFAULT_MAX_COST_IN_FLIGHT;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private long retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS;
  private long retryBackoffMaxMs = DEFAULT_RETRY_BACKOFF_MAX_MS;
  private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
  private int maxResultBytes = DEFAULT_MAX_RESULT_BYTES;
  private int maxQueued = DEFAULT_MAX_QUEUED;
  private long defaultDeadlineMs = DEFAULT_DEFAULT_DEADLINE_MS;
  private long retentionMs = DEFAULT_RETENTION_MS;
  private double quietFraction = DEFAULT_QUIET_FRACTION;
  private double quietFloorPerSecond = DEFAULT_QUIET_FLOOR_PER_SECOND;
  private long bulkUrgencyMs = DEFAULT_BULK_URGENCY_MS;
  private int busyBulkConcurrency = DEFAULT_BUSY_BULK_CONCURRENCY;
  private long latencyTargetMicros = DEFAULT_LATENCY_TARGET_MICROS;

  /** Options with every default. */
  public SchedulerOptions() {
  }

  /** A copy of {@code other}. */
  public SchedulerOptions(SchedulerOptions other) {
    this.pollIntervalMs = other.pollIntervalMs;
    this.leaseMs = other.leaseMs;
    this.maxConcurrency = other.maxConcurrency;
    this.maxCostInFlight = other.maxCostInFlight;
    this.maxAttempts = other.maxAttempts;
    this.retryBackoffMs = other.retryBackoffMs;
    this.retryBackoffMaxMs = other.retryBackoffMaxMs;
    this.maxPayloadBytes = other.maxPayloadBytes;
    this.maxResultBytes = other.maxResultBytes;
    this.maxQueued = other.maxQueued;
    this.defaultDeadlineMs = other.defaultDeadlineMs;
    this.retentionMs = other.retentionMs;
    this.quietFraction = other.quietFraction;
    this.quietFloorPerSecond = other.quietFloorPerSecond;
    this.bulkUrgencyMs = other.bulkUrgencyMs;
    this.busyBulkConcurrency = other.busyBulkConcurrency;
    this.latencyTargetMicros = other.latencyTargetMicros;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is out of range
   */
  public SchedulerOptions(JsonObject json) {
    setPollIntervalMs(POLL_INTERVAL_MS.read(json, pollIntervalMs));
    setLeaseMs(LEASE_MS.read(json, leaseMs));
    setMaxConcurrency((int) MAX_CONCURRENCY.read(json, maxConcurrency));
    setMaxCostInFlight(MAX_COST_IN_FLIGHT.read(json, maxCostInFlight));
    setMaxAttempts((int) MAX_ATTEMPTS.read(json, maxAttempts));
    setRetryBackoffMs(RETRY_BACKOFF_MS.read(json, retryBackoffMs));
    setRetryBackoffMaxMs(RETRY_BACKOFF_MAX_MS.read(json, retryBackoffMaxMs));
    setMaxPayloadBytes((int) MAX_PAYLOAD_BYTES.read(json, maxPayloadBytes));
    setMaxResultBytes((int) MAX_RESULT_BYTES.read(json, maxResultBytes));
    setMaxQueued((int) MAX_QUEUED.read(json, maxQueued));
    setDefaultDeadlineMs(DEFAULT_DEADLINE_MS.read(json, defaultDeadlineMs));
    setRetentionMs(RETENTION_MS.read(json, retentionMs));
    setQuietFraction(QUIET_FRACTION.read(json, quietFraction));
    setQuietFloorPerSecond(QUIET_FLOOR_PER_SECOND.read(json, quietFloorPerSecond));
    setBulkUrgencyMs(BULK_URGENCY_MS.read(json, bulkUrgencyMs));
    setBusyBulkConcurrency((int) BUSY_BULK_CONCURRENCY.read(json, busyBulkConcurrency));
    setLatencyTargetMicros(LATENCY_TARGET_MICROS.read(json, latencyTargetMicros));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(POLL_INTERVAL_MS.field(), pollIntervalMs)
      .put(LEASE_MS.field(), leaseMs)
      .put(MAX_CONCURRENCY.field(), maxConcurrency)
      .put(MAX_COST_IN_FLIGHT.field(), maxCostInFlight)
      .put(MAX_ATTEMPTS.field(), maxAttempts)
      .put(RETRY_BACKOFF_MS.field(), retryBackoffMs)
      .put(RETRY_BACKOFF_MAX_MS.field(), retryBackoffMaxMs)
      .put(MAX_PAYLOAD_BYTES.field(), maxPayloadBytes)
      .put(MAX_RESULT_BYTES.field(), maxResultBytes)
      .put(MAX_QUEUED.field(), maxQueued)
      .put(DEFAULT_DEADLINE_MS.field(), defaultDeadlineMs)
      .put(RETENTION_MS.field(), retentionMs)
      .put(QUIET_FRACTION.field(), quietFraction)
      .put(QUIET_FLOOR_PER_SECOND.field(), quietFloorPerSecond)
      .put(BULK_URGENCY_MS.field(), bulkUrgencyMs)
      .put(BUSY_BULK_CONCURRENCY.field(), busyBulkConcurrency)
      .put(LATENCY_TARGET_MICROS.field(), latencyTargetMicros);
  }

  public long getPollIntervalMs() {
    return pollIntervalMs;
  }

  /** How often a node with room looks for work, in [10, 60000] ms (it also looks at once when work is queued). */
  public SchedulerOptions setPollIntervalMs(long pollIntervalMs) {
    this.pollIntervalMs = POLL_INTERVAL_MS.check(pollIntervalMs);
    return this;
  }

  public long getLeaseMs() {
    return leaseMs;
  }

  /**
   * How long a claim holds unless renewed, in [300, 600000] ms; the owner renews it every third of
   * this. A dead node's work is claimed again when its lease lapses, or at once when the cluster
   * sees it leave.
   */
  public SchedulerOptions setLeaseMs(long leaseMs) {
    this.leaseMs = LEASE_MS.check(leaseMs);
    return this;
  }

  public int getMaxConcurrency() {
    return maxConcurrency;
  }

  /** Work items running on this node at most (REALTIME may always use all of them), in [1, 10000]. */
  public SchedulerOptions setMaxConcurrency(int maxConcurrency) {
    this.maxConcurrency = MAX_CONCURRENCY.check(maxConcurrency);
    return this;
  }

  public double getMaxCostInFlight() {
    return maxCostInFlight;
  }

  /** Sum of the cost estimates of the items running on this node at most, in [0.001, 1e9]. */
  public SchedulerOptions setMaxCostInFlight(double maxCostInFlight) {
    this.maxCostInFlight = MAX_COST_IN_FLIGHT.check(maxCostInFlight);
    return this;
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  /** Runs of an item whose handler fails, in all, before it is FAILED; in [1, 100]. */
  public SchedulerOptions setMaxAttempts(int maxAttempts) {
    this.maxAttempts = MAX_ATTEMPTS.check(maxAttempts);
    return this;
  }

  public long getRetryBackoffMs() {
    return retryBackoffMs;
  }

  /** How long a failed item waits before its second run, in [0, 3600000] ms; doubled for each later run. */
  public SchedulerOptions setRetryBackoffMs(long retryBackoffMs) {
    this.retryBackoffMs = RETRY_BACKOFF_MS.check(retryBackoffMs);
    return this;
  }

  public long getRetryBackoffMaxMs() {
    return retryBackoffMaxMs;
  }

  /** The longest a failed item waits before its next run, in [0, 86400000] ms. */
  public SchedulerOptions setRetryBackoffMaxMs(long retryBackoffMaxMs) {
    this.retryBackoffMaxMs = RETRY_BACKOFF_MAX_MS.check(retryBackoffMaxMs);
    return this;
  }

  /** How long an item whose run {@code attempt} failed waits before the next: doubling, capped. */
  public long retryDelayMs(int attempt) {
    long delay = retryBackoffMs << Math.min(Math.max(attempt - 1, 0), 20);
    return Math.min(delay, retryBackoffMaxMs);
  }

  public int getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Largest encoded payload of a work request (TOO_LARGE past it), in [0, 16 MiB]. */
  public SchedulerOptions setMaxPayloadBytes(int maxPayloadBytes) {
    this.maxPayloadBytes = MAX_PAYLOAD_BYTES.check(maxPayloadBytes);
    return this;
  }

  public int getMaxResultBytes() {
    return maxResultBytes;
  }

  /** Largest encoded result kept with an item (a larger one fails the attempt), in [0, 16 MiB]. */
  public SchedulerOptions setMaxResultBytes(int maxResultBytes) {
    this.maxResultBytes = MAX_RESULT_BYTES.check(maxResultBytes);
    return this;
  }

  public int getMaxQueued() {
    return maxQueued;
  }

  /** Unfinished items the mesh holds at most, in [1, 100000000]; a submit past it is refused OVERLOADED. */
  public SchedulerOptions setMaxQueued(int maxQueued) {
    this.maxQueued = MAX_QUEUED.check(maxQueued);
    return this;
  }

  public long getDefaultDeadlineMs() {
    return defaultDeadlineMs;
  }

  /** Deadline of a work request that names none, from its submission; in [1 ms, 7 days]. */
  public SchedulerOptions setDefaultDeadlineMs(long defaultDeadlineMs) {
    this.defaultDeadlineMs = DEFAULT_DEADLINE_MS.check(defaultDeadlineMs);
    return this;
  }

  public long getRetentionMs() {
    return retentionMs;
  }

  /** How long a finished item stays readable, in [1 s, 30 days]. */
  public SchedulerOptions setRetentionMs(long retentionMs) {
    this.retentionMs = RETENTION_MS.check(retentionMs);
    return this;
  }

  public double getQuietFraction() {
    return quietFraction;
  }

  /** The mesh is quiet (BULK runs) while its interactive rate is at most this fraction of its recent peak (0-1)... */
  public SchedulerOptions setQuietFraction(double quietFraction) {
    this.quietFraction = QUIET_FRACTION.check(quietFraction);
    return this;
  }

  public double getQuietFloorPerSecond() {
    return quietFloorPerSecond;
  }

  /** ...or at most this many requests per second, in [0, 1e9]. */
  public SchedulerOptions setQuietFloorPerSecond(double quietFloorPerSecond) {
    this.quietFloorPerSecond = QUIET_FLOOR_PER_SECOND.check(quietFloorPerSecond);
    return this;
  }

  public long getBulkUrgencyMs() {
    return bulkUrgencyMs;
  }

  /** A BULK item runs even while the mesh is busy once its deadline is this near; in [0, 7 days]. */
  public SchedulerOptions setBulkUrgencyMs(long bulkUrgencyMs) {
    this.bulkUrgencyMs = BULK_URGENCY_MS.check(bulkUrgencyMs);
    return this;
  }

  public long getLatencyTargetMicros() {
    return latencyTargetMicros;
  }

  /** CRITICAL latency above which this node admits less NORMAL and BULK work (AIMD), in [10, 60000000] µs. */
  public SchedulerOptions setLatencyTargetMicros(long latencyTargetMicros) {
    this.latencyTargetMicros = LATENCY_TARGET_MICROS.check(latencyTargetMicros);
    return this;
  }

  public int getBusyBulkConcurrency() {
    return busyBulkConcurrency;
  }

  /** BULK items (urgent ones) a node runs at once while the mesh is busy, in [0, 10000]. */
  public SchedulerOptions setBusyBulkConcurrency(int busyBulkConcurrency) {
    this.busyBulkConcurrency = BUSY_BULK_CONCURRENCY.check(busyBulkConcurrency);
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

    int check(int v) {
      return (int) check((long) v);
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

  /** A number setting: its JSON field, its config key and the range the key allows. */
  private record Real(String field, String key, double min, double max) {

    double check(double v) {
      if (!(v >= min && v <= max)) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    double read(JsonObject json, double absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof Number n) {
        return check(n.doubleValue());
      }
      throw new IllegalArgumentException(key + " must be a number in [" + min + ", " + max + "], got " + shown(v));
    }
  }
}
