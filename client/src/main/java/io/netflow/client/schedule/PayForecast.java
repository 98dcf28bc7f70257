package io.netflow.client.schedule;

/**
 * The pay of any window as this device expects it: the published multiplier when there is one,
 * else the one published for the same window of the cycle before (the mesh plans from a daily
 * load curve, so yesterday's 3 a.m. is the best guess for tomorrow's), else the minimum. Not
 * thread-safe: the scheduler's.
 */
final class PayForecast {

  private RewardSchedule schedule;
  /** The last multiplier seen for each window of the cycle (NaN: never seen). */
  private double[] bySlot = new double[0];

  void update(RewardSchedule next) {
    if (schedule == null || next.windowsPerPeriod() != schedule.windowsPerPeriod()) {
      bySlot = new double[next.windowsPerPeriod()];
      java.util.Arrays.fill(bySlot, Double.NaN);
    }
    schedule = next;
    next.multipliers().forEach((w, m) -> bySlot[slot(w)] = m);
  }

  boolean known() {
    return schedule != null;
  }

  long windowMs() {
    return schedule.windowMs();
  }

  double multiplier(long window) {
    Double published = schedule.multipliers().get(window);
    if (published != null) {
      return published;
    }
    double seen = bySlot[slot(window)];
    return Double.isNaN(seen) ? schedule.minMultiplier() : seen;
  }

  int slot(long window) {
    return (int) Math.floorMod(window, (long) bySlot.length);
  }

  int slots() {
    return bySlot.length;
  }
}
