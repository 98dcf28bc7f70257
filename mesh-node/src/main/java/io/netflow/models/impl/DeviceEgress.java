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
 * a token bucket (Bucket4j) that a download's bytes are reserved from before they are sent, queued
 * for at most a little while rather than refused. Its rate
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

  /**
   * The bucket holds at most one range and refills at the rate less one range a second, so that no
   * second ever sends more than the rate, however the reservations fall.
   */
  private Bandwidth limit(long perSecond) {
    long refill = perSecond > 2 * capacity ? perSecond - capacity : Math.max(1, perSecond / 2);
    return Bandwidth.builder().capacity(capacity).refillGreedy(refill, Duration.ofSeconds(1))
      .initialTokens(capacity).build();
  }

  /**
   * Reserves {@code bytes} of the budget for one range: they may be sent after the returned delay
   * (0: at once). Reservations queue in the order they come, so the budget is spent evenly and
   * fully however many devices ask, and no second sends more than the rate and one range.
   *
   * @return the milliseconds to wait before sending, or -1 when the queue is longer than
   *         {@code maxWaitMs} (nothing is reserved then: the device should try another source), or
   *         -2 when {@code bytes} is more than one range may be
   */
  public long reserve(long bytes, long maxWaitMs) {
    if (bytes > capacity) {
      return -2;
    }
    long penaltyNanos = bucket.consumeIgnoringRateLimits(bytes);
    if (penaltyNanos > maxWaitMs * 1_000_000) {
      bucket.addTokens(bytes);
      return -1;
    }
    return (penaltyNanos + 999_999) / 1_000_000;
  }

  /** Counts bytes as they are sent (a reservation may wait its turn first). */
  public void sent(long bytes) {
    served.addAndGet(bytes);
  }

  /** How long the queue of reservations is now, in milliseconds (what a device is told to wait). */
  public long queuedMs() {
    long available = bucket.getAvailableTokens();
    return available >= 0 ? 0 : (long) (-available * 1000.0 / Math.max(1, aimd.rate()));
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

  /** Bytes sent to devices since start. */
  public long served() {
    return served.get();
  }

  /** The largest range one request may take. */
  public long capacity() {
    return capacity;
  }
}
