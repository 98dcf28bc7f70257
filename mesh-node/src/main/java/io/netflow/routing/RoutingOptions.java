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
  /** Default: requests prefer hosts in the sender's region. */
  public static final boolean DEFAULT_REGION_AWARE = true;
  /** Default utilisation of in-region hosts past which requests start to spill to other regions: 0.75. */
  public static final double DEFAULT_REGION_SPILL_FROM = 0.75;
  /** Default in-region hosts (serving, of the service) needed to keep every request in the region: 1. */
  public static final int DEFAULT_REGION_MIN_HOSTS = 1;
  /** Default time constant over which the share that spills follows the hosts' reports: 2 s. */
  public static final long DEFAULT_REGION_SPILL_SMOOTHING_MS = 2_000;

  private static final Real BALANCE_EPSILON = new Real("balanceEpsilon", "routing.balance-epsilon", 0.01, 10);
  private static final Range LATENCY_DECAY_MS = new Range("latencyDecayMs", "routing.latency-decay-ms", 10, 600_000);
  private static final Range SLOW_START_MS = new Range("slowStartMs", "routing.slow-start-ms", 0, 600_000);
  private static final Real REGION_SPILL_FROM = new Real("regionSpillFrom", "routing.region-spill-from", 0.05, 1);
  private static final Range REGION_MIN_HOSTS = new Range("regionMinHosts", "routing.region-min-hosts", 1, 1_000);
  private static final Range REGION_SPILL_SMOOTHING_MS =
    new Range("regionSpillSmoothingMs", "routing.region-spill-smoothing-ms", 0, 60_000);
  // Not a node config key: only code sets it (tests, benchmarks); named alike for its messages.
  private static final Range INITIAL_LATENCY_MICROS =
    new Range("initialLatencyMicros", "routing.initial-latency-micros", 1, 60_000_000);

  private double balanceEpsilon = DEFAULT_BALANCE_EPSILON;
  private long latencyDecayMs = DEFAULT_LATENCY_DECAY_MS;
  private long slowStartMs = DEFAULT_SLOW_START_MS;
  private long initialLatencyMicros = DEFAULT_INITIAL_LATENCY_MICROS;
  private boolean regionAware = DEFAULT_REGION_AWARE;
  private double regionSpillFrom = DEFAULT_REGION_SPILL_FROM;
  private int regionMinHosts = DEFAULT_REGION_MIN_HOSTS;
  private long regionSpillSmoothingMs = DEFAULT_REGION_SPILL_SMOOTHING_MS;

  /** Options with every default. */
  public RoutingOptions() {
  }

  /** A copy of {@code other}. */
  public RoutingOptions(RoutingOptions other) {
    this.balanceEpsilon = other.balanceEpsilon;
    this.latencyDecayMs = other.latencyDecayMs;
    this.slowStartMs = other.slowStartMs;
    this.initialLatencyMicros = other.initialLatencyMicros;
    this.regionAware = other.regionAware;
    this.regionSpillFrom = other.regionSpillFrom;
    this.regionMinHosts = other.regionMinHosts;
    this.regionSpillSmoothingMs = other.regionSpillSmoothingMs;
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
    Object aware = json.getValue("regionAware", regionAware);
    if (!(aware instanceof Boolean b)) {
      throw new IllegalArgumentException("routing.locality must be 'region' or 'none', got " + shown(aware));
    }
    setRegionAware(b);
    setRegionSpillFrom(REGION_SPILL_FROM.read(json, regionSpillFrom));
    setRegionMinHosts((int) REGION_MIN_HOSTS.read(json, regionMinHosts));
    setRegionSpillSmoothingMs(REGION_SPILL_SMOOTHING_MS.read(json, regionSpillSmoothingMs));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(BALANCE_EPSILON.field(), balanceEpsilon)
      .put(LATENCY_DECAY_MS.field(), latencyDecayMs)
      .put(SLOW_START_MS.field(), slowStartMs)
      .put(INITIAL_LATENCY_MICROS.field(), initialLatencyMicros)
      .put("regionAware", regionAware)
      .put(REGION_SPILL_FROM.field(), regionSpillFrom)
      .put(REGION_MIN_HOSTS.field(), regionMinHosts)
      .put(REGION_SPILL_SMOOTHING_MS.field(), regionSpillSmoothingMs);
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

  public boolean isRegionAware() {
    return regionAware;
  }

  /**
   * Whether requests prefer hosts in the sender's region ({@code routing.locality: region}) or
   * ignore regions ({@code none}).
   */
  public RoutingOptions setRegionAware(boolean aware) {
    this.regionAware = aware;
    return this;
  }

  public double getRegionSpillFrom() {
    return regionSpillFrom;
  }

  /**
   * The utilisation of in-region hosts from which requests start to spill to other regions, in
   * proportion to how far past it they are (all of it at 1), in [0.05, 1].
   */
  public RoutingOptions setRegionSpillFrom(double utilisation) {
    this.regionSpillFrom = REGION_SPILL_FROM.check(utilisation);
    return this;
  }

  public int getRegionMinHosts() {
    return regionMinHosts;
  }

  /**
   * The in-region hosts of a service needed to keep all of its requests in the region; with
   * fewer, the shortfall's share spills (one of two: half), in [1, 1000].
   */
  public RoutingOptions setRegionMinHosts(int hosts) {
    this.regionMinHosts = (int) REGION_MIN_HOSTS.check(hosts);
    return this;
  }

  public long getRegionSpillSmoothingMs() {
    return regionSpillSmoothingMs;
  }

  /**
   * The time constant over which the share of a service's requests that spills follows what its
   * in-region hosts report (0: at once), in [0, 60000] ms. Reports come every few hundred ms and a
   * spill empties the hosts it leaves: followed at once, the share would swing between none and all.
   */
  public RoutingOptions setRegionSpillSmoothingMs(long ms) {
    this.regionSpillSmoothingMs = REGION_SPILL_SMOOTHING_MS.check(ms);
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
