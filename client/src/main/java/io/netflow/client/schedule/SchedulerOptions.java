package io.netflow.client.schedule;

import java.time.Duration;

/**
 * How a device's scheduler decides.
 *
 * @param tick             how often it looks at the device and its queue when nothing is due sooner
 * @param deadlineGuard    from this long before its deadline a request goes on any network, whatever
 *                         the device's state (so it is done by the deadline)
 * @param meteredMaxBytes  the largest NORMAL request sent on a metered network (BULK never is)
 * @param normalMinBattery the least charge NORMAL requests run on, unplugged
 * @param bulkMinBattery   the least charge BULK requests run on, unplugged (and only while idle)
 * @param spread           how strongly the choice of window follows expected points: a window is
 *                         drawn with probability proportional to expected points to this power
 *                         (0: any window alike; large: nearly always the best one, so every device
 *                         picks the same). The draw is what keeps devices from all waking at once.
 * @param maxPerTick       requests started in one tick at most
 * @param horizon          how far ahead it places a request at most, deadline or not
 * @param learning         how much one look at the device moves its learned odds of being allowed
 * @param retry            how long it waits when no node of the mesh can be reached
 */
public record SchedulerOptions(Duration tick, Duration deadlineGuard, long meteredMaxBytes, double normalMinBattery,
                               double bulkMinBattery, double spread, int maxPerTick, Duration horizon, double learning,
                               Duration retry) {

  public SchedulerOptions {
    if (tick.isNegative() || tick.isZero() || deadlineGuard.isNegative() || meteredMaxBytes < 0 || spread < 0 || maxPerTick < 1
      || horizon.compareTo(tick) < 0 || learning <= 0 || learning > 1 || retry.isNegative()) {
      throw new IllegalArgumentException("scheduler options out of range: " + this);
    }
  }

  /**
   * A minute's tick, a 10-minute deadline guard, 1 MiB on metered networks, NORMAL down to 20%
   * battery and BULK to 50%, spread 1 (proportional to expected points), 16 per tick, a week's
   * horizon, learning weight 0.1, 30 s between tries when the mesh is out of reach.
   */
  public static SchedulerOptions defaults() {
    return new SchedulerOptions(Duration.ofMinutes(1), Duration.ofMinutes(10), 1 << 20, 0.2, 0.5, 1.0, 16,
      Duration.ofDays(7), 0.1, Duration.ofSeconds(30));
  }

  public SchedulerOptions tick(Duration t) {
    return new SchedulerOptions(t, deadlineGuard, meteredMaxBytes, normalMinBattery, bulkMinBattery, spread, maxPerTick,
      horizon, learning, retry);
  }

  public SchedulerOptions deadlineGuard(Duration g) {
    return new SchedulerOptions(tick, g, meteredMaxBytes, normalMinBattery, bulkMinBattery, spread, maxPerTick, horizon,
      learning, retry);
  }

  public SchedulerOptions spread(double s) {
    return new SchedulerOptions(tick, deadlineGuard, meteredMaxBytes, normalMinBattery, bulkMinBattery, s, maxPerTick,
      horizon, learning, retry);
  }

  public SchedulerOptions retry(Duration r) {
    return new SchedulerOptions(tick, deadlineGuard, meteredMaxBytes, normalMinBattery, bulkMinBattery, spread, maxPerTick,
      horizon, learning, r);
  }

  /** Whether a request of this class and size may run in these conditions (deadlines aside). */
  public boolean allows(RequestClass c, Conditions now, long size) {
    if (!now.online() || now.maxBytesPerSecond() == 0) {
      return false;
    }
    return switch (c) {
      case REALTIME -> true;
      case NORMAL -> (now.unmetered() || size <= meteredMaxBytes) && (now.charging() || now.battery() >= normalMinBattery);
      case BULK -> now.unmetered() && now.idle() && (now.charging() || now.battery() >= bulkMinBattery);
    };
  }
}
