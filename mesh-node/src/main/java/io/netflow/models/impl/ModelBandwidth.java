package io.netflow.models.impl;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.netflow.lanes.LaneStats;
import java.time.Duration;

/**
 * How fast this node moves model bytes. Serving never exceeds the upload budget. Fetching takes
 * up to the download budget, but its rate yields to the CRITICAL lane's latency ({@link LatencyAimd}).
 * Not thread-safe: owned by the model verticle.
 */
public final class ModelBandwidth {

  private final Bucket upload;
  private final Bucket download;
  private final LatencyAimd aimd;
  private final long burst;

  public ModelBandwidth(long uploadBudget, long downloadBudget, long minRate, long targetMicros, int chunkBytes,
                        LaneStats lanes) {
    this.aimd = new LatencyAimd(downloadBudget, minRate, targetMicros, lanes);
    this.burst = 2L * chunkBytes;
    this.upload = Bucket.builder().addLimit(limit(uploadBudget)).build();
    this.download = Bucket.builder().addLimit(limit(downloadBudget)).build();
  }

  private Bandwidth limit(long perSecond) {
    return Bandwidth.builder().capacity(Math.max(burst, perSecond / 20)).refillGreedy(perSecond, Duration.ofSeconds(1))
      .initialTokens(burst).build();
  }

  /** One AIMD step; call every 200 ms. */
  public void adjust() {
    if (aimd.step()) {
      download.replaceConfiguration(BucketConfiguration.builder().addLimit(limit((long) aimd.rate())).build(),
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
    return aimd.rate();
  }
}
