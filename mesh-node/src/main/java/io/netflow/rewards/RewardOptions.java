package io.netflow.rewards;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How the mesh plans reward multipliers and accepts contributions.
 *
 * <p>Each setting has a config key ({@code rewards.*}) and takes what that key allows: a setter, or the
 * JSON constructor, given anything else throws {@link IllegalArgumentException} naming the key, the
 * value and what is allowed. JSON fields are the settings' names ({@code windowMs}, ...; {@code types}
 * is an object of type names and base points); unknown fields are ignored.
 */
public class RewardOptions {

  /** Default length of a reward window: 15 minutes. */
  public static final long DEFAULT_WINDOW_MS = 900_000;
  /** Default cycle load repeats over: a day. */
  public static final long DEFAULT_PERIOD_MS = 86_400_000;
  /** Default windows planned ahead: 16. */
  public static final int DEFAULT_HORIZON_WINDOWS = 16;
  /** Default cycles of load history kept: 7. */
  public static final int DEFAULT_HISTORY_PERIODS = 7;
  /** Default multiplier of the busiest window: 1. */
  public static final double DEFAULT_MIN_MULTIPLIER = 1.0;
  /** Default multiplier of the quietest window: 3. */
  public static final double DEFAULT_MAX_MULTIPLIER = 3.0;
  /** Default largest contribution accepted: 16 MiB. */
  public static final long DEFAULT_MAX_BYTES = 16L << 20;
  /** Default contributions per minute per contributor: 60. */
  public static final long DEFAULT_RATE_PER_MINUTE = 60;
  /** Default contribution types and their base points: gameplay-trace 10, telemetry 2, labelled-frame 20. */
  public static final Map<String, Long> DEFAULT_TYPES = defaultTypes();

  private static final long DAY_MS = 86_400_000;
  private static final Range WINDOW_MS = new Range("windowMs", "rewards.window-ms", 100, DAY_MS);
  private static final Range PERIOD_MS = new Range("periodMs", "rewards.period-ms", 1_000, 30 * DAY_MS);
  private static final Range HORIZON_WINDOWS = new Range("horizonWindows", "rewards.horizon-windows", 1, 10_000);
  private static final Range HISTORY_PERIODS = new Range("historyPeriods", "rewards.history-periods", 1, 365);
  private static final Real MIN_MULTIPLIER = new Real("minMultiplier", "rewards.min-multiplier", 0.0, 1000.0);
  private static final Real MAX_MULTIPLIER = new Real("maxMultiplier", "rewards.max-multiplier", 0.0, 1000.0);
  private static final Range MAX_BYTES = new Range("maxBytes", "rewards.max-bytes", 1, 1L << 40);
  private static final Range RATE_PER_MINUTE = new Range("ratePerMinute", "rewards.rate-per-minute", 1, 1_000_000_000);
  private static final String TYPES = "types";
  private static final String TYPES_KEY = "rewards.types";
  private static final Pattern TYPE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern TYPE_ENTRY = Pattern.compile(TYPE_NAME.pattern() + "=[0-9]{1,9}");
  private static final long MAX_BASE_POINTS = 999_999_999;

  private long windowMs = DEFAULT_WINDOW_MS;
  private long periodMs = DEFAULT_PERIOD_MS;
  private int horizonWindows = DEFAULT_HORIZON_WINDOWS;
  private int historyPeriods = DEFAULT_HISTORY_PERIODS;
  private double minMultiplier = DEFAULT_MIN_MULTIPLIER;
  private double maxMultiplier = DEFAULT_MAX_MULTIPLIER;
  private long maxBytes = DEFAULT_MAX_BYTES;
  private long ratePerMinute = DEFAULT_RATE_PER_MINUTE;
  private Map<String, Long> types = DEFAULT_TYPES;

  /** Options with every default. */
  public RewardOptions() {
  }

  /** A copy of {@code other}. */
  public RewardOptions(RewardOptions other) {
    this.windowMs = other.windowMs;
    this.periodMs = other.periodMs;
    this.horizonWindows = other.horizonWindows;
    this.historyPeriods = other.historyPeriods;
    this.minMultiplier = other.minMultiplier;
    this.maxMultiplier = other.maxMultiplier;
    this.maxBytes = other.maxBytes;
    this.ratePerMinute = other.ratePerMinute;
    this.types = other.types;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is not allowed
   */
  public RewardOptions(JsonObject json) {
    setWindowMs(WINDOW_MS.read(json, windowMs));
    setPeriodMs(PERIOD_MS.read(json, periodMs));
    setHorizonWindows((int) HORIZON_WINDOWS.read(json, horizonWindows));
    setHistoryPeriods((int) HISTORY_PERIODS.read(json, historyPeriods));
    setMinMultiplier(MIN_MULTIPLIER.read(json, minMultiplier));
    setMaxMultiplier(MAX_MULTIPLIER.read(json, maxMultiplier));
    setMaxBytes(MAX_BYTES.read(json, maxBytes));
    setRatePerMinute(RATE_PER_MINUTE.read(json, ratePerMinute));
    if (json.containsKey(TYPES)) {
      setTypes(types(json.getValue(TYPES)));
    }
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(WINDOW_MS.field(), windowMs)
      .put(PERIOD_MS.field(), periodMs)
      .put(HORIZON_WINDOWS.field(), horizonWindows)
      .put(HISTORY_PERIODS.field(), historyPeriods)
      .put(MIN_MULTIPLIER.field(), minMultiplier)
      .put(MAX_MULTIPLIER.field(), maxMultiplier)
      .put(MAX_BYTES.field(), maxBytes)
      .put(RATE_PER_MINUTE.field(), ratePerMinute)
      .put(TYPES, new JsonObject(new LinkedHashMap<>(types)));
  }

  public long getWindowMs() {
    return windowMs;
  }

  /**
   * Length of a reward window, in [100 ms, 1 day]; every contribution is paid the multiplier of the
   * window it arrives in.
   */
  public RewardOptions setWindowMs(long windowMs) {
    this.windowMs = WINDOW_MS.check(windowMs);
    return this;
  }

  public long getPeriodMs() {
    return periodMs;
  }

  /**
   * The cycle load repeats over (a day), in [1 s, 30 days]: a window is forecast from the same window
   * of past cycles.
   */
  public RewardOptions setPeriodMs(long periodMs) {
    this.periodMs = PERIOD_MS.check(periodMs);
    return this;
  }

  public int getHorizonWindows() {
    return horizonWindows;
  }

  /** Windows planned (and published) ahead, in [1, 10000]; a published multiplier never changes. */
  public RewardOptions setHorizonWindows(int horizonWindows) {
    this.horizonWindows = HORIZON_WINDOWS.check(horizonWindows);
    return this;
  }

  public int getHistoryPeriods() {
    return historyPeriods;
  }

  /** Cycles of load history kept and averaged, in [1, 365]. */
  public RewardOptions setHistoryPeriods(int historyPeriods) {
    this.historyPeriods = HISTORY_PERIODS.check(historyPeriods);
    return this;
  }

  public double getMinMultiplier() {
    return minMultiplier;
  }

  /** Multiplier of the busiest window, in [0, 1000]. */
  public RewardOptions setMinMultiplier(double minMultiplier) {
    this.minMultiplier = MIN_MULTIPLIER.check(minMultiplier);
    return this;
  }

  public double getMaxMultiplier() {
    return maxMultiplier;
  }

  /** Multiplier of the quietest window, in [0, 1000]. */
  public RewardOptions setMaxMultiplier(double maxMultiplier) {
    this.maxMultiplier = MAX_MULTIPLIER.check(maxMultiplier);
    return this;
  }

  public long getMaxBytes() {
    return maxBytes;
  }

  /** Largest contribution accepted (TOO_LARGE past it), in [1, 1 TiB]. */
  public RewardOptions setMaxBytes(long maxBytes) {
    this.maxBytes = MAX_BYTES.check(maxBytes);
    return this;
  }

  public long getRatePerMinute() {
    return ratePerMinute;
  }

  /** Contributions per minute per contributor on one node (RATE_LIMITED past it), in [1, 1000000000]. */
  public RewardOptions setRatePerMinute(long ratePerMinute) {
    this.ratePerMinute = RATE_PER_MINUTE.check(ratePerMinute);
    return this;
  }

  /** Accepted contribution types and their base points, in the order given (read-only). */
  public Map<String, Long> getTypes() {
    return types;
  }

  /**
   * Accepted contribution types and their base points (points for 1 KiB of the best quality at
   * multiplier 1): names of lower-case letters, digits, '.', '_' and '-' (up to 64, the first a letter
   * or digit), points in [0, 999999999].
   */
  public RewardOptions setTypes(Map<String, Long> types) {
    if (types == null) {
      throw refusedTypes(null);
    }
    Map<String, Long> checked = new LinkedHashMap<>();
    types.forEach((name, points) -> {
      if (name == null || !TYPE_NAME.matcher(name).matches() || points == null || points < 0
        || points > MAX_BASE_POINTS) {
        throw refusedTypes("'" + name + "=" + points + "'");
      }
      checked.put(name, points);
    });
    this.types = Collections.unmodifiableMap(checked);
    return this;
  }

  /** Types from config entries {@code name=basePoints}. */
  public RewardOptions setTypes(List<String> entries) {
    if (entries == null) {
      throw refusedTypes(null);
    }
    Map<String, Long> parsed = new LinkedHashMap<>();
    for (String e : entries) {
      if (e == null || !TYPE_ENTRY.matcher(e.trim()).matches()) {
        throw refusedTypes("'" + e + "'");
      }
      int eq = e.indexOf('=');
      parsed.put(e.substring(0, eq).trim(), Long.parseLong(e.substring(eq + 1).trim()));
    }
    return setTypes(parsed);
  }

  private static Map<String, Long> defaultTypes() {
    Map<String, Long> types = new LinkedHashMap<>();
    types.put("gameplay-trace", 10L);
    types.put("telemetry", 2L);
    types.put("labelled-frame", 20L);
    return Collections.unmodifiableMap(types);
  }

  /** The types of a JSON object of names and base points; anything else fails as a types value. */
  private static Map<String, Long> types(Object v) {
    if (!(v instanceof JsonObject object)) {
      throw refusedTypes(shown(v));
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : object) {
      if (!(e.getValue() instanceof Integer || e.getValue() instanceof Long)) {
        throw refusedTypes("'" + e.getKey() + "=" + e.getValue() + "'");
      }
      out.put(e.getKey(), ((Number) e.getValue()).longValue());
    }
    return out;
  }

  private static IllegalArgumentException refusedTypes(Object shown) {
    return new IllegalArgumentException(TYPES_KEY + " must be a list of type=basePoints (basePoints in [0, "
      + MAX_BASE_POINTS + "]), got " + shown);
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

    int check(int v) {
      return (int) check((long) v);
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
