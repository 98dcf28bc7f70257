package io.netflow.scheduling.impl;

import com.netflix.concurrency.limits.limit.AIMDLimit;
import io.netflow.lanes.LaneStats;
import io.netflow.membership.MeshLoad;
import io.netflow.scheduling.SchedulerOptions;
import java.util.concurrent.TimeUnit;

/**
 * How much work a node takes now. NORMAL and BULK share an AIMD limit (Netflix
 * concurrency-limits) driven by the CRITICAL lane's latency: a quarter off while it is over the
 * target, one more while it is under. BULK also needs the mesh to be quiet: its interactive
 * request rate at most a fraction of its recent peak (or under a floor), and CRITICAL latency on
 * target. Called on the scheduler's event loop; {@link #quiet()} from anywhere.
 */
public final class Admission {

  /** CRITICAL latency older than this no longer says anything about now. */
  private static final long LATENCY_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final SchedulerOptions options;
  private final MeshLoad load;
  private final LaneStats lanes;
  private final AIMDLimit limit;
  private long samplesSeenByLimit;
  private volatile long samplesSeen;
  private volatile long lastSampleNanos;

  public Admission(SchedulerOptions options, MeshLoad load, LaneStats lanes) {
    this.options = options;
    this.load = load;
    this.lanes = lanes;
    int max = options.getMaxConcurrency();
    this.limit = AIMDLimit.newBuilder().initialLimit(Math.max(1, max / 2)).minLimit(1).maxLimit(max)
      .backoffRatio(0.75).timeout(options.getLatencyTargetMicros(), TimeUnit.MICROSECONDS).build();
  }

  /** Feeds the limit the latest CRITICAL latency (none new: no pressure) and returns it. */
  public int adapt(int running) {
    long samples = lanes.criticalSamples();
    long rtt = samples == samplesSeenByLimit ? 0 : (long) lanes.criticalLatencyNanos();
    samplesSeenByLimit = samples;
    limit.onSample(0, rtt, running, false);
    return limit.getLimit();
  }

  /** NORMAL and BULK items admitted at once now. */
  public int limit() {
    return limit.getLimit();
  }

  /** Whether the mesh is quiet enough for BULK. */
  public boolean quiet() {
    double bar = Math.max(options.getQuietFloorPerSecond(), options.getQuietFraction() * load.recentPeak());
    long samples = lanes.criticalSamples();
    long now = System.nanoTime();
    if (samples != samplesSeen) {
      samplesSeen = samples;
      lastSampleNanos = now;
    }
    // The latency figure is a moving average that stands still when CRITICAL traffic stops.
    boolean recent = samples > 0 && now - lastSampleNanos < LATENCY_MEMORY_NANOS;
    boolean calm = !recent
      || lanes.criticalLatencyNanos() <= TimeUnit.MICROSECONDS.toNanos(options.getLatencyTargetMicros());
    return load.rate() <= bar && calm;
  }
}
