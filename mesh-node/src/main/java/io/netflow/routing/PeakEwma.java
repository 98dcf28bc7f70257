package io.netflow.routing;

/**
 * A latency estimate that jumps to a new peak at once and decays towards newer, lower samples
 * over {@code tau} (as Finagle's and Linkerd's peak-EWMA balancers do). Between samples the
 * estimate also decays, so a node that was slow once is tried again after a while.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class PeakEwma {

  private final double tauNanos;
  private double estimateNanos;
  private long stampNanos;

  PeakEwma(long tauNanos, double initialNanos, long nowNanos) {
    this.tauNanos = tauNanos;
    this.estimateNanos = initialNanos;
    this.stampNanos = nowNanos;
  }

  void observe(double rttNanos, long nowNanos) {
    if (rttNanos > estimateNanos) {
      estimateNanos = rttNanos;
    } else {
      double w = Math.exp(-(nowNanos - stampNanos) / tauNanos);
      estimateNanos = estimateNanos * w + rttNanos * (1 - w);
    }
    stampNanos = nowNanos;
  }

  /** The estimate at {@code nowNanos}, decayed for the time since the last sample. */
  double estimate(long nowNanos) {
    double w = Math.exp(-Math.max(0, nowNanos - stampNanos) / tauNanos);
    return estimateNanos * w;
  }
}
