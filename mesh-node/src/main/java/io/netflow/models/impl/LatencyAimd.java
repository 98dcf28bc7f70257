package io.netflow.models.impl;

import io.netflow.lanes.LaneStats;

/**
 * A rate that yields to players: it halves when CRITICAL envelopes from this node take longer than
 * 1.25x their base latency (the recent minimum) plus 0.1 ms, or than an absolute target, and climbs
 * back by a twentieth of its ceiling every step while they do not (AIMD on queueing delay, as LEDBAT
 * does). The delay it reads is LEDBAT's filtered one, the least CRITICAL latency of the last
 * 100-200 ms ({@link LaneStats#criticalFilteredNanos()}), so a one-off stall does not halve it but a
 * queue that stands does. Model fetches and device downloads both ride it. Not thread-safe: owned
 * by one event loop.
 */
public final class LatencyAimd {

  private final double ceiling;
  private final double floor;
  private final double targetNanos;
  private final LaneStats lanes;
  private double rate;
  private long seenSamples;
  private double baseNanos;

  /**
   * @param ceiling      the most the rate may be (the budget), per second
   * @param floor        the least it is cut to, per second
   * @param targetMicros CRITICAL latency above which the rate is cut, whatever the base
   */
  public LatencyAimd(double ceiling, double floor, long targetMicros, LaneStats lanes) {
    this.ceiling = ceiling;
    this.floor = Math.min(floor, ceiling);
    this.targetNanos = targetMicros * 1_000.0;
    this.lanes = lanes;
    this.rate = ceiling;
  }

  /** One step (call every 200 ms); returns whether the rate changed. */
  public boolean step() {
    long samples = lanes.criticalSamples();
    boolean fresh = samples != seenSamples;
    seenSamples = samples;
    double latency = lanes.criticalFilteredNanos();
    boolean congested = false;
    if (fresh) {
      // The base drifts up 1% a step, so it follows a link that got slower for good.
      baseNanos = baseNanos == 0 ? latency : Math.min(baseNanos * 1.01, latency);
      congested = latency > targetNanos || latency > 1.25 * baseNanos + 100_000;
    }
    double next = congested ? Math.max(floor, rate / 2) : Math.min(ceiling, rate + ceiling / 20.0);
    boolean changed = next != rate;
    rate = next;
    return changed;
  }

  /** The rate now, per second. */
  public double rate() {
    return rate;
  }
}
