package io.netflow.client.schedule;

import java.time.Instant;

/**
 * Where in time a request goes. Every reward window from now to its deadline (less the guard, at
 * most the horizon ahead) is scored by the points the request is expected to earn there: its value
 * times the window's multiplier times the device's learned odds of being allowed to send it then.
 * One window is drawn with probability proportional to score^{@code spread}, and a moment in it
 * uniformly, so devices reading the same schedule neither pile into its best window nor all wake
 * at a window's first second. Pure: the two uniform draws come from the caller.
 */
final class Placement {

  private Placement() {
  }

  /** When to send {@code r}; {@code u1} picks the window, {@code u2} the moment in it (both uniform in [0, 1)). */
  static Choice place(DataRequest r, long nowMs, PayForecast pay, Eligibility odds, SchedulerOptions o, double u1, double u2) {
    long latest = Math.min(r.deadline().toEpochMilli() - o.deadlineGuard().toMillis(), nowMs + o.horizon().toMillis());
    if (r.requestClass() == RequestClass.REALTIME || latest <= nowMs) {
      return new Choice(nowMs, nowMs + o.tick().toMillis(), Double.NaN);
    }
    if (!pay.known()) {
      // No pay read yet (the mesh out of reach): wait for it, but not past the deadline.
      long at = Math.min(nowMs + o.retry().toMillis(), latest);
      return new Choice(at, at, Double.NaN);
    }
    long windowMs = pay.windowMs();
    long first = nowMs / windowMs;
    long last = (latest - 1) / windowMs;
    int n = (int) (last - first + 1);
    double[] weight = new double[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      long w = first + i;
      double score = Math.max(1e-9, r.value()) * pay.multiplier(w) * odds.chance(r.requestClass(), pay.slot(w));
      weight[i] = o.spread() == 1 ? score : Math.pow(score, o.spread());
      total += weight[i];
    }
    int chosen = n - 1;
    double target = u1 * total;
    for (int i = 0; i < n; i++) {
      target -= weight[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
    long w = first + chosen;
    long from = Math.max(nowMs, w * windowMs);
    long to = Math.min((w + 1) * windowMs, latest);
    return new Choice(from + (long) (u2 * Math.max(0, to - from)), to, pay.multiplier(w));
  }

  /**
   * @param atMs       when to send
   * @param untilMs    the end of the chosen window: a request still waiting for the device then is placed again
   * @param multiplier the pay expected there (NaN: sent at once)
   */
  record Choice(long atMs, long untilMs, double multiplier) {
    Instant at() {
      return Instant.ofEpochMilli(atMs);
    }
  }
}
