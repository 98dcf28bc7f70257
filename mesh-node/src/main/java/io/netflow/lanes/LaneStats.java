package io.netflow.lanes;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node-wide figures and ceilings of the lanes, summed over every link. Counters are atomic so
 * the load report can read them from another thread.
 */
public final class LaneStats {

  private static final int LANES = Priority.values().length;

  final AtomicLong[] queuedBytes = atomics();
  final AtomicLong[] inFlightBytes = atomics();
  final AtomicLong[] sent = atomics();
  final AtomicLong[] sentBytes = atomics();
  final AtomicLong[] shed = atomics();
  private final Bucket[] ceilings = new Bucket[LANES];
  private final AtomicLong criticalSamples = new AtomicLong();
  private volatile double criticalEwmaNanos;
  private final DelayFilter criticalFilter = new DelayFilter();

  public LaneStats(LaneOptions options) {
    for (Priority p : Priority.values()) {
      long ceiling = options.lane(p).ceilingBytesPerSecond();
      if (ceiling > 0) {
        ceilings[p.code()] = bucket(ceiling);
      }
    }
  }

  private static Bucket bucket(long bytesPerSecond) {
    // A tenth of a second of burst: enough for a chunk, little enough to keep the link short.
    long burst = Math.max(bytesPerSecond / 10, 64 * 1024);
    return Bucket.builder()
      .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(bytesPerSecond, Duration.ofSeconds(1)).build())
      .build();
  }

  /** Records the latency of an answered CRITICAL envelope (EWMA with weight 0.2). */
  public void observeCritical(long nanos) {
    double prev = criticalEwmaNanos;
    long n = criticalSamples.getAndIncrement();
    criticalEwmaNanos = n == 0 ? nanos : 0.8 * prev + 0.2 * nanos;
    criticalFilter.observe(nanos, System.nanoTime());
  }

  /**
   * CRITICAL latency with one-off stalls filtered out ({@link DelayFilter}: the least of the last
   * 100-200 ms, or of the last few samples), in nanoseconds; 0 before any.
   */
  public long criticalFilteredNanos() {
    return criticalFilter.delay(System.nanoTime());
  }

  /** Smoothed latency of CRITICAL envelopes from this node, in nanoseconds. */
  public double criticalLatencyNanos() {
    return criticalEwmaNanos;
  }

  /** How many CRITICAL answers have been measured: a caller sees whether a new sample came in. */
  public long criticalSamples() {
    return criticalSamples.get();
  }

  /** The lane's ceiling bucket, or null when it has none. */
  Bucket ceiling(Priority p) {
    return ceilings[p.code()];
  }

  public long queuedBytes(Priority p) {
    return queuedBytes[p.code()].get();
  }

  public long inFlightBytes(Priority p) {
    return inFlightBytes[p.code()].get();
  }

  public long sent(Priority p) {
    return sent[p.code()].get();
  }

  public long shed(Priority p) {
    return shed[p.code()].get();
  }

  /** Per-lane figures for the load report. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    for (Priority p : Priority.values()) {
      int i = p.code();
      json.put(p.name(), new JsonObject()
        .put("queuedBytes", queuedBytes[i].get())
        .put("inFlightBytes", inFlightBytes[i].get())
        .put("sent", sent[i].get())
        .put("sentBytes", sentBytes[i].get())
        .put("shed", shed[i].get()));
    }
    return json;
  }

  private static AtomicLong[] atomics() {
    AtomicLong[] a = new AtomicLong[LANES];
    for (int i = 0; i < LANES; i++) {
      a[i] = new AtomicLong();
    }
    return a;
  }
}
