package io.netflow.gateway.auth;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket (Bucket4j) per caller: {@code tokens} per {@code period}, up to {@code burst} at
 * once. Buckets are made on first use; callers are API keys or contributors, so their number is
 * bounded by configuration. Thread-safe.
 */
public final class RateLimits {

  private final long burst;
  private final long tokens;
  private final Duration period;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimits(long burst, long tokens, Duration period) {
    this.burst = burst;
    this.tokens = tokens;
    this.period = period;
  }

  /**
   * Takes one token from {@code caller}'s bucket.
   *
   * @return 0 when taken, else the nanoseconds until one is there
   */
  public long take(String caller) {
    Bucket b = buckets.computeIfAbsent(caller, k -> Bucket.builder()
      .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(tokens, period).build()).build());
    ConsumptionProbe probe = b.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }
}
