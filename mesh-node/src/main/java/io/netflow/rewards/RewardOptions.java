package io.netflow.rewards;

import java.util.LinkedHashMap;
import java.util.Map;

/** How the mesh plans reward multipliers and accepts contributions. */
public class RewardOptions {

  private long windowMs = 900000;
  private long periodMs = 86400000;
  private int horizonWindows = 16;
  private int historyPeriods = 7;
  private double minMultiplier = 1.0;
  private double maxMultiplier = 3.0;
  private long maxBytes = 16777216;
  private long ratePerMinute = 60;
  private Map<String, Long> types = new LinkedHashMap<>(Map.of("gameplay-trace", 10L, "telemetry", 2L, "labelled-frame", 20L));

  public long getWindowMs() {
    return windowMs;
  }

  /** Length of a reward window; every contribution is paid the multiplier of the window it arrives in. */
  public RewardOptions setWindowMs(long windowMs) {
    this.windowMs = windowMs;
    return this;
  }

  public long getPeriodMs() {
    return periodMs;
  }

  /** The cycle load repeats over (a day): a window is forecast from the same window of past cycles. */
  public RewardOptions setPeriodMs(long periodMs) {
    this.periodMs = periodMs;
    return this;
  }

  public int getHorizonWindows() {
    return horizonWindows;
  }

  /** Windows planned (and published) ahead; a published multiplier never changes. */
  public RewardOptions setHorizonWindows(int horizonWindows) {
    this.horizonWindows = horizonWindows;
    return this;
  }

  public int getHistoryPeriods() {
    return historyPeriods;
  }

  /** Cycles of load history kept and averaged. */
  public RewardOptions setHistoryPeriods(int historyPeriods) {
    this.historyPeriods = historyPeriods;
    return this;
  }

  public double getMinMultiplier() {
    return minMultiplier;
  }

  /** Multiplier of the busiest window. */
  public RewardOptions setMinMultiplier(double minMultiplier) {
    this.minMultiplier = minMultiplier;
    return this;
  }

  public double getMaxMultiplier() {
    return maxMultiplier;
  }

  /** Multiplier of the quietest window. */
  public RewardOptions setMaxMultiplier(double maxMultiplier) {
    this.maxMultiplier = maxMultiplier;
    return this;
  }

  public long getMaxBytes() {
    return maxBytes;
  }

  /** Largest contribution accepted (TOO_LARGE past it). */
  public RewardOptions setMaxBytes(long maxBytes) {
    this.maxBytes = maxBytes;
    return this;
  }

  public long getRatePerMinute() {
    return ratePerMinute;
  }

  /** Contributions per minute per contributor on one node (RATE_LIMITED past it). */
  public RewardOptions setRatePerMinute(long ratePerMinute) {
    this.ratePerMinute = ratePerMinute;
    return this;
  }

  public Map<String, Long> getTypes() {
    return types;
  }

  /** Accepted contribution types and their base points (points for 1 KiB of the best quality at multiplier 1). */
  public RewardOptions setTypes(Map<String, Long> types) {
    this.types = new LinkedHashMap<>(types);
    return this;
  }

  /** Types from config entries {@code name=basePoints}. */
  public RewardOptions setTypes(java.util.List<String> entries) {
    Map<String, Long> parsed = new LinkedHashMap<>();
    for (String e : entries) {
      int eq = e.indexOf('=');
      parsed.put(e.substring(0, eq).trim(), Long.parseLong(e.substring(eq + 1).trim()));
    }
    return setTypes(parsed);
  }
}
