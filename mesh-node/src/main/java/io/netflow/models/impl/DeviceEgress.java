package io.netflow.models.impl;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.netflow.lanes.LaneStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's budget for serving model files to devices ({@code node.device-egress-bytes-per-second}):
 * a token bucket (Bucket4j) that a download's bytes are taken from before they are sent. Its rate
 * yields to players as the MODEL lane's does ({@link LatencyAimd}). It also measures what it served,
 * so that the load report tells peers how much budget is left here, and {@code /active} steers
 * devices to holders with room. Thread-safe.
 */
public final class DeviceEgress {

  private final long budget;
  private final long capacity;
  private final Bucket bucket;
  private final LatencyAimd aimd;
  private final AtomicLong served = new AtomicLong();
  private volatile double recentRate;
  private long windowStartNanos = System.nanoTime();
  private long windowServed;

  /**
   * @param budget   bytes per second at most
   * @param capacity the most a single request may take at once (a range of about a chunk or two):
   *                 the bucket never holds more, so no second ever sends much over the budget
   */
  public DeviceEgress(long budget, long capacity, long minRate, long targetMicros, LaneStats lanes) {
    this.budget = budget;
    this.capacity = Math.max(1, Math.min(capacity, budget));
    this.aimd = new LatencyAimd(budget, Math.min(minRate, budget), targetMicros, lanes);
    this.bucket = Bucket.builder().addLimit(limit(budget)).build();
  }

  private Bandwidth limit(long perSecond) {
    return Bandwidth.builder().capacity(capacity).refillGreedy(Math.max(1, perSecond), Duration.ofSeconds(1))
      .initialTokens(capacity).build();
  }

  /**
   * Takes {@code bytes} of the budget for one download or range.
   *
   * @return 0 when taken, else the milliseconds until it could be (a request over the capacity is
   *         never taken: the device must ask for smaller ranges)
   */
  public long take(long bytes) {
    if (bytes > capacity) {
      return Long.MAX_VALUE;
    }
    if (bucket.tryConsume(bytes)) {
      served.addAndGet(bytes);
      return 0;
    }
    return Math.max(1, bucket.estimateAbilityToConsume(bytes).getNanosToWaitForRefill() / 1_000_000);
  }

  /** One AIMD step and rate measurement; call every 200 ms from one thread. */
  public synchronized void adjust() {
    if (aimd.step()) {
      bucket.replaceConfiguration(BucketConfiguration.builder().addLimit(limit((long) aimd.rate())).build(),
        TokensInheritanceStrategy.AS_IS);
    }
    long now = System.nanoTime();
    long total = served.get();
    double seconds = (now - windowStartNanos) / 1e9;
    if (seconds >= 1) {
      recentRate = (total - windowServed) / seconds;
      windowServed = total;
      windowStartNanos = now;
    }
  }

  /** The budget, bytes per second. */
  public long budget() {
    return budget;
  }

  /** The rate it allows now (the budget, or less while players need the links), bytes per second. */
  public double allowed() {
    return aimd.rate();
  }

  /** Bytes per second served to devices over the last second or so. */
  public double recentRate() {
    return recentRate;
  }

  /** Bytes served to devices since start. */
  public long served() {
    return served.get();
  }

  /** The largest range one request may take. */
  public long capacity() {
    return capacity;
  }
}
