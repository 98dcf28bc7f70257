package io.netflow.rewards;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * Plans reward multipliers from load history: each coming window's load is forecast as the mean
 * of the same window in past cycles (the load of a game network repeats daily), or, with less
 * than a cycle of history, as the recent mean; the quietest forecast window of the cycle pays the
 * most, the busiest the least, linearly between. With no history, or flat load, every window pays
 * the minimum: there is nothing to move contributions towards.
 *
 * <p>Windows are numbered {@code epochMillis / windowMs}. Pure and thread-safe.
 */
public final class RewardPlanner {

  private final int windowsPerPeriod;
  private final int historyPeriods;
  private final double min;
  private final double max;

  public RewardPlanner(RewardOptions options) {
    this.windowsPerPeriod = (int) Math.max(1, options.getPeriodMs() / options.getWindowMs());
    this.historyPeriods = options.getHistoryPeriods();
    this.min = options.getMinMultiplier();
    this.max = options.getMaxMultiplier();
  }

  /**
   * @param history mean interactive load (requests per second) of past windows, by window number
   * @return the multipliers of windows {@code from .. from + count - 1}
   */
  public double[] plan(NavigableMap<Long, Double> history, long from, int count) {
    double[] plan = new double[count];
    // The range is taken over a whole cycle, so a window's pay does not depend on the horizon.
    List<Double> cycle = new ArrayList<>();
    for (long w = from; w < from + windowsPerPeriod; w++) {
      Double f = forecast(history, w);
      if (f != null) {
        cycle.add(f);
      }
    }
    double lo = cycle.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double hi = cycle.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    for (int i = 0; i < count; i++) {
      Double f = forecast(history, from + i);
      if (f == null || hi - lo <= 1e-9 * Math.max(1, hi)) {
        plan[i] = min;
      } else {
        plan[i] = round(max - (max - min) * (f - lo) / (hi - lo));
      }
    }
    return plan;
  }

  /** The load forecast for window {@code w}, or null with no history at all. */
  Double forecast(NavigableMap<Long, Double> history, long w) {
    double sum = 0;
    int n = 0;
    for (int k = 1; k <= historyPeriods; k++) {
      Double past = history.get(w - (long) k * windowsPerPeriod);
      if (past != null) {
        sum += past;
        n++;
      }
    }
    if (n > 0) {
      return sum / n;
    }
    NavigableMap<Long, Double> recent = history.headMap(w, false).descendingMap();
    for (double v : recent.values()) {
      sum += v;
      if (++n == windowsPerPeriod) {
        break;
      }
    }
    return n == 0 ? null : sum / n;
  }

  private static double round(double m) {
    return Math.round(m * 100) / 100.0;
  }
}
