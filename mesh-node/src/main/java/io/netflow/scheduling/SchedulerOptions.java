package io.netflow.scheduling;

/** How a node takes part in running the mesh's deferred work. */
public class SchedulerOptions {

  private long pollIntervalMs = 500;
  private long leaseMs = 5000;
  private int maxConcurrency = 16;
  private double maxCostInFlight = 16.0;
  private int maxAttempts = 3;
  private long retryBackoffMs = 500;
  private long retryBackoffMaxMs = 30000;
  private int maxPayloadBytes = 65536;
  private int maxResultBytes = 65536;
  private int maxQueued = 100000;
  private long defaultDeadlineMs = 3600000;
  private long retentionMs = 3600000;
  private double quietFraction = 0.5;
  private double quietFloorPerSecond = 50.0;
  private long bulkUrgencyMs = 60000;
  private int busyBulkConcurrency = 1;
  private long latencyTargetMicros = 5000;

  public long getPollIntervalMs() {
    return pollIntervalMs;
  }

  /** How often a node with room looks for work (it also looks at once when work is queued). */
  public SchedulerOptions setPollIntervalMs(long pollIntervalMs) {
    this.pollIntervalMs = pollIntervalMs;
    return this;
  }

  public long getLeaseMs() {
    return leaseMs;
  }

  /** How long a claim holds unless renewed; the owner renews it every third of this. A dead node's work is claimed again when its lease lapses, or at once when the cluster sees it leave. */
  public SchedulerOptions setLeaseMs(long leaseMs) {
    this.leaseMs = leaseMs;
    return this;
  }

  public int getMaxConcurrency() {
    return maxConcurrency;
  }

  /** Work items running on this node at most (REALTIME may always use all of them). */
  public SchedulerOptions setMaxConcurrency(int maxConcurrency) {
    this.maxConcurrency = maxConcurrency;
    return this;
  }

  public double getMaxCostInFlight() {
    return maxCostInFlight;
  }

  /** Sum of the cost estimates of the items running on this node at most. */
  public SchedulerOptions setMaxCostInFlight(double maxCostInFlight) {
    this.maxCostInFlight = maxCostInFlight;
    return this;
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  /** Runs of an item whose handler fails, in all, before it is FAILED. */
  public SchedulerOptions setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    return this;
  }

  public long getRetryBackoffMs() {
    return retryBackoffMs;
  }

  /** How long a failed item waits before its second run; doubled for each later run. */
  public SchedulerOptions setRetryBackoffMs(long retryBackoffMs) {
    this.retryBackoffMs = retryBackoffMs;
    return this;
  }

  public long getRetryBackoffMaxMs() {
    return retryBackoffMaxMs;
  }

  /** The longest a failed item waits before its next run. */
  public SchedulerOptions setRetryBackoffMaxMs(long retryBackoffMaxMs) {
    this.retryBackoffMaxMs = retryBackoffMaxMs;
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

  /** Largest encoded payload of a work request (TOO_LARGE past it). */
  public SchedulerOptions setMaxPayloadBytes(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
    return this;
  }

  public int getMaxResultBytes() {
    return maxResultBytes;
  }

  /** Largest encoded result kept with an item (a larger one fails the attempt). */
  public SchedulerOptions setMaxResultBytes(int maxResultBytes) {
    this.maxResultBytes = maxResultBytes;
    return this;
  }

  public int getMaxQueued() {
    return maxQueued;
  }

  /** Unfinished items the mesh holds at most; a submit past it is refused OVERLOADED. */
  public SchedulerOptions setMaxQueued(int maxQueued) {
    this.maxQueued = maxQueued;
    return this;
  }

  public long getDefaultDeadlineMs() {
    return defaultDeadlineMs;
  }

  /** Deadline of a work request that names none, from its submission. */
  public SchedulerOptions setDefaultDeadlineMs(long defaultDeadlineMs) {
    this.defaultDeadlineMs = defaultDeadlineMs;
    return this;
  }

  public long getRetentionMs() {
    return retentionMs;
  }

  /** How long a finished item stays readable. */
  public SchedulerOptions setRetentionMs(long retentionMs) {
    this.retentionMs = retentionMs;
    return this;
  }

  public double getQuietFraction() {
    return quietFraction;
  }

  /** The mesh is quiet (BULK runs) while its interactive request rate is at most this fraction of its recent peak... */
  public SchedulerOptions setQuietFraction(double quietFraction) {
    this.quietFraction = quietFraction;
    return this;
  }

  public double getQuietFloorPerSecond() {
    return quietFloorPerSecond;
  }

  /** ...or at most this many requests per second. */
  public SchedulerOptions setQuietFloorPerSecond(double quietFloorPerSecond) {
    this.quietFloorPerSecond = quietFloorPerSecond;
    return this;
  }

  public long getBulkUrgencyMs() {
    return bulkUrgencyMs;
  }

  /** A BULK item runs even while the mesh is busy once its deadline is this near. */
  public SchedulerOptions setBulkUrgencyMs(long bulkUrgencyMs) {
    this.bulkUrgencyMs = bulkUrgencyMs;
    return this;
  }

  public long getLatencyTargetMicros() {
    return latencyTargetMicros;
  }

  /** CRITICAL latency above which this node admits less NORMAL and BULK work (AIMD). */
  public SchedulerOptions setLatencyTargetMicros(long latencyTargetMicros) {
    this.latencyTargetMicros = latencyTargetMicros;
    return this;
  }
  public int getBusyBulkConcurrency() {
    return busyBulkConcurrency;
  }

  /** BULK items (urgent ones) a node runs at once while the mesh is busy. */
  public SchedulerOptions setBusyBulkConcurrency(int busyBulkConcurrency) {
    this.busyBulkConcurrency = busyBulkConcurrency;
    return this;
  }
}
