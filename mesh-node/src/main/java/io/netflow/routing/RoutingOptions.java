package io.netflow.routing;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * How the router weighs nodes.
 *
 * <p>Each setting has a config key ({@code routing.*}) and takes the range that key allows: a setter,
 * or the JSON constructor, given anything else throws {@link IllegalArgumentException} naming the key,
 * the value and the range. JSON fields are the settings' names ({@code balanceEpsilon}, ...); unknown
 * fields are ignored.
 */
public class RoutingOptions {

  /** Default keyed-routing imbalance allowed: 0.25 (a node takes at most 1.25 times its share). */
  public static final double DEFAULT_BALANCE_EPSILON = 0.25;
  /** Default time constant of latency decay: 2 s. */
  public static final long DEFAULT_LATENCY_DECAY_MS = 2_000;
  /** Default slow-start window of a node that just joined: 5 s. */
  public static final long DEFAULT_SLOW_START_MS = 5_000;
  /** Default latency assumed of a node not yet measured: 1 ms. */
  public static final long DEFAULT_INITIAL_LATENCY_MICROS = 1_000;

  private static final Real BALANCE_EPSILON = new Real("balanceEpsilon", "routing.balance-epsilon", 0.01, 10);
  private static final Range LATENCY_DECAY_MS = new Range("latencyDecayMs", "routing.latency-decay-ms", 10, 600_000);
  private static final Range SLOW_START_MS = new Range("slowStartMs", "routing.slow-start-ms", 0, 600_000);
  // Not a node config key: only code sets it (tests, benchmarks); named alike for its messages.
  private static final Range INITIAL_LATENCY_MICROS =
    new Range("initialLatencyMicros", "routing.initial-latency-micros", 1, 60_000_000);

  private double balanceEpsilon = DEFAULT_BALANCE_EPSILON;
  private long latencyDecayMs = DEFAULT_LATENCY_DECAY_MS;
  private long slowStartMs = DEFAULT_SLOW_START_MS;
  private long initialLatencyMicros = DEFAULT_INITIAL_LATENCY_MICROS;

  /** Options with every default. */
  public RoutingOptions() {
  }

  /** A copy of {@code other}. */
  public RoutingOptions(RoutingOptions other) {
    this.balanceEpsilon = other.balanceEpsilon;
    this.latencyDecayMs = other.latencyDecayMs;
    this.slowStartMs = other.slowStartMs;
    this.initialLatencyMicros = other.initialLatencyMicros;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is out of range
   */
  public RoutingOptions(JsonObject json) {
    setBalanceEpsilon(BALANCE_EPSILON.read(json, balanceEpsilon));
    setLatencyDecayMs(LATENCY_DECAY_MS.read(json, latencyDecayMs));
    setSlowStartMs(SLOW_START_MS.read(json, slowStartMs));
    setInitialLatencyMicros(INITIAL_LATENCY_MICROS.read(json, initialLatencyMicros));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(BALANCE_EPSILON.field(), balanceEpsilon)
      .put(LATENCY_DECAY_MS.field(), latencyDecayMs)
      .put(SLOW_START_MS.field(), slowStartMs)
      .put(INITIAL_LATENCY_MICROS.field(), initialLatencyMicros);
  }

  public double getBalanceEpsilon() {
    return balanceEpsilon;
  }

  /**
   * Keyed routing: no node takes more than (1 + epsilon) times its fair share of in-flight requests;
   * epsilon in [0.01, 10].
   */
  public RoutingOptions setBalanceEpsilon(double epsilon) {
    this.balanceEpsilon = BALANCE_EPSILON.check(epsilon);
    return this;
  }

  public long getLatencyDecayMs() {
    return latencyDecayMs;
  }

  /** The time constant over which a latency peak decays, in [10, 600000] ms. */
  public RoutingOptions setLatencyDecayMs(long ms) {
    this.latencyDecayMs = LATENCY_DECAY_MS.check(ms);
    return this;
  }

  public long getSlowStartMs() {
    return slowStartMs;
  }

  /** A node that just joined takes a share that ramps up over this window (0: at once), in [0, 600000] ms. */
  public RoutingOptions setSlowStartMs(long ms) {
    this.slowStartMs = SLOW_START_MS.check(ms);
    return this;
  }

  public long getInitialLatencyMicros() {
    return initialLatencyMicros;
  }

  /** The latency assumed of a node before anything has been measured of it, in [1, 60000000] µs. */
  public RoutingOptions setInitialLatencyMicros(long micros) {
    this.initialLatencyMicros = INITIAL_LATENCY_MICROS.check(micros);
    return this;
  }

  long latencyDecayNanos() {
    return TimeUnit.MILLISECONDS.toNanos(latencyDecayMs);
  }

  private static Object shown(Object v) {
    return v instanceof String ? "'" + v + "'" : v;
  }

  /** An integer setting: its JSON field, its config key and the range the key allows. */
  private record Range(String field, String key, long min, long max) {

    long check(long v) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    long read(JsonObject json, long absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        return check(((Number) v).longValue());
      }
      throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], got " + shown(v));
    }
  }

  /** A number setting: its JSON field, its config key and the range the key allows. */
  private record Real(String field, String key, double min, double max) {

    double check(double v) {
      if (!(v >= min && v <= max)) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    double read(JsonObject json, double absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof Number n) {
        return check(n.doubleValue());
      }
      throw new IllegalArgumentException(key + " must be a number in [" + min + ", " + max + "], got " + shown(v));
    }
  }
}
