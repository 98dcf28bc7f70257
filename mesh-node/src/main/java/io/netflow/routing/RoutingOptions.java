package io.netflow.routing;

import java.util.concurrent.TimeUnit;

/** How the router weighs nodes. */
public class RoutingOptions {

  public static final double DEFAULT_BALANCE_EPSILON = 0.25;
  public static final long DEFAULT_LATENCY_DECAY_MS = 2_000;
  public static final long DEFAULT_SLOW_START_MS = 5_000;
  public static final long DEFAULT_INITIAL_LATENCY_MICROS = 1_000;

  private double balanceEpsilon = DEFAULT_BALANCE_EPSILON;
  private long latencyDecayMs = DEFAULT_LATENCY_DECAY_MS;
  private long slowStartMs = DEFAULT_SLOW_START_MS;
  private long initialLatencyMicros = DEFAULT_INITIAL_LATENCY_MICROS;

  public double getBalanceEpsilon() {
    return balanceEpsilon;
  }

  /** Keyed routing: no node takes more than (1 + epsilon) times its fair share of in-flight requests. */
  public RoutingOptions setBalanceEpsilon(double epsilon) {
    if (!(epsilon > 0 && epsilon <= 10)) {
      throw new IllegalArgumentException("routing.balance-epsilon must be in (0, 10], got " + epsilon);
    }
    this.balanceEpsilon = epsilon;
    return this;
  }

  public long getLatencyDecayMs() {
    return latencyDecayMs;
  }

  /** The time constant over which a latency peak decays. */
  public RoutingOptions setLatencyDecayMs(long ms) {
    if (ms < 10 || ms > 600_000) {
      throw new IllegalArgumentException("routing.latency-decay-ms must be in [10, 600000], got " + ms);
    }
    this.latencyDecayMs = ms;
    return this;
  }

  public long getSlowStartMs() {
    return slowStartMs;
  }

  /** A node that just joined takes a share that ramps up over this window (0: at once). */
  public RoutingOptions setSlowStartMs(long ms) {
    if (ms < 0 || ms > 600_000) {
      throw new IllegalArgumentException("routing.slow-start-ms must be in [0, 600000], got " + ms);
    }
    this.slowStartMs = ms;
    return this;
  }

  public long getInitialLatencyMicros() {
    return initialLatencyMicros;
  }

  /** The latency assumed of a node before anything has been measured of it. */
  public RoutingOptions setInitialLatencyMicros(long micros) {
    if (micros < 1 || micros > 60_000_000) {
      throw new IllegalArgumentException("routing.initial-latency-micros must be in [1, 60000000], got " + micros);
    }
    this.initialLatencyMicros = micros;
    return this;
  }

  long latencyDecayNanos() {
    return TimeUnit.MILLISECONDS.toNanos(latencyDecayMs);
  }
}
