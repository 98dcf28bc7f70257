package io.netflow.models.impl;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.netflow.lanes.LaneStats;
import java.time.Duration;

/**
 * How fast this node moves model bytes. Serving never exceeds the upload budget. Fetching takes
 * up to the download budget, but its rate adapts (AIMD) to the CRITICAL lane's latency, as
 * LEDBAT does to queueing delay: it halves when CRITICAL envelopes from this node take longer than
 * 1.25x their base latency (the recent minimum) plus 0.1 ms, or than the absolute target, and
 * climbs back by a twentieth of the budget every step while they do not. Not thread-safe: owned by the model
 * verticle.
 */
public final class ModelBandwidth {

  private final Bucket upload;
  private final Bucket download;
  private final long downloadBudget;
  private final long minRate;
  private final double targetNanos;
  private final LaneStats lanes;
  private final long burst;
  private double rate;
  private long seenSamples;
  private double baseNanos;

  public ModelBandwidth(long uploadBudget, long downloadBudget, long minRate, long targetMicros, int chunkBytes,
                        LaneStats lanes) {
    this.downloadBudget = downloadBudget;
    this.minRate = Math.min(minRate, downloadBudget);
    this.targetNanos = targetMicros * 1_000.0;
    this.lanes = lanes;
    this.burst = 2L * chunkBytes;
    this.rate = downloadBudget;
    this.upload = Bucket.builder().addLimit(limit(uploadBudget)).build();
    this.download = Bucket.builder().addLimit(limit(downloadBudget)).build();
  }

  private Bandwidth limit(long perSecond) {
    return Bandwidth.builder().capacity(Math.max(burst, perSecond / 20)).refillGreedy(perSecond, Duration.ofSeconds(1))
      .initialTokens(burst).build();
  }

  /** One AIMD step; call every 200 ms. */
  public void adjust() {
    long samples = lanes.criticalSamples();
    boolean fresh = samples != seenSamples;
    seenSamples = samples;
    double latency = lanes.criticalLatencyNanos();
    boolean congested = false;
    if (fresh) {
      // The base drifts up 1% a step, so it follows a link that got slower for good.
      baseNanos = baseNanos == 0 ? latency : Math.min(baseNanos * 1.01, latency);
      congested = latency > targetNanos || latency > 1.25 * baseNanos + 100_000;
    }
    double next = congested ? Math.max(minRate, rate / 2) : Math.min(downloadBudget, rate + downloadBudget / 20.0);
    if (next != rate) {
      rate = next;
      download.replaceConfiguration(BucketConfiguration.builder().addLimit(limit((long) rate)).build(),
        TokensInheritanceStrategy.AS_IS);
    }
  }

  /** Takes {@code bytes} of download allowance; returns 0, or the nanoseconds to wait first. */
  public long takeDownload(int bytes) {
    return take(download, bytes);
  }

  /** Takes {@code bytes} of upload allowance; returns 0, or the nanoseconds to wait first. */
  public long takeUpload(int bytes) {
    return take(upload, bytes);
  }

  private static long take(Bucket b, int bytes) {
    if (b.tryConsume(bytes)) {
      return 0;
    }
    return Math.max(1, b.estimateAbilityToConsume(bytes).getNanosToWaitForRefill());
  }

  /** The current fetch rate ceiling, bytes per second. */
  public double rate() {
    return rate;
  }
}
