package io.netflow.client.schedule;

/**
 * How likely this device is to be allowed to send each class in each window of the day, learned
 * from what the app reports at every tick (an exponentially weighted mean per class and window of
 * the cycle; a window never observed counts as even odds). Devices differ (one charges at night,
 * another at work): this is what spreads them over different windows for the same pay.
 * Not thread-safe: the scheduler's.
 */
final class Eligibility {

  private static final double PRIOR = 0.5;

  private final double weight;
  private double[][] p = new double[RequestClass.values().length][0];

  /** @param weight how much one observation moves the estimate (0 to 1) */
  Eligibility(double weight) {
    this.weight = weight;
  }

  void observe(int slot, int slots, Conditions now, SchedulerOptions options) {
    if (p[0].length != slots) {
      p = new double[RequestClass.values().length][slots];
      for (double[] row : p) {
        java.util.Arrays.fill(row, PRIOR);
      }
    }
    for (RequestClass c : RequestClass.values()) {
      double allowed = options.allows(c, now, 0) ? 1 : 0;
      double[] row = p[c.ordinal()];
      row[slot] += weight * (allowed - row[slot]);
    }
  }

  double chance(RequestClass c, int slot) {
    double[] row = p[c.ordinal()];
    return row.length == 0 ? PRIOR : row[slot];
  }
}
