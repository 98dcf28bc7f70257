package io.netflow.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RewardPlannerTest {

  /** Windows of an hour over a day: 24 per cycle. */
  private final RewardPlanner planner = new RewardPlanner(new RewardOptions().setWindowMs(3_600_000)
    .setPeriodMs(86_400_000).setMinMultiplier(1).setMaxMultiplier(3).setHistoryPeriods(7));

  /** Evening peak at 20:00, trough at 08:00. */
  private static double diurnal(long window) {
    return 1000 + 800 * Math.cos(2 * Math.PI * ((window % 24) - 20) / 24.0);
  }

  private static NavigableMap<Long, Double> days(int n) {
    NavigableMap<Long, Double> history = new TreeMap<>();
    for (long w = 0; w < 24L * n; w++) {
      history.put(w, diurnal(w));
    }
    return history;
  }

  @Test
  void quietWindowsPayMoreThanBusyOnes() {
    double[] plan = planner.plan(days(3), 72, 24);
    assertThat(plan[20]).isEqualTo(1.0);
    assertThat(plan[8]).isEqualTo(3.0);
    for (int h = 9; h <= 20; h++) {
      assertThat(plan[h]).as("pay falls as load rises towards the evening peak, hour " + h).isLessThanOrEqualTo(plan[h - 1]);
    }
  }

  @Test
  void aWindowsPayDoesNotDependOnTheHorizon() {
    double[] day = planner.plan(days(2), 48, 24);
    double[] four = planner.plan(days(2), 48 + 10, 4);
    assertThat(four).containsExactly(day[10], day[11], day[12], day[13]);
  }

  @Test
  void noHistoryOrFlatLoadPaysTheMinimumEverywhere() {
    assertThat(planner.plan(new TreeMap<>(), 0, 5)).containsOnly(1.0);
    NavigableMap<Long, Double> flat = new TreeMap<>();
    for (long w = 0; w < 48; w++) {
      flat.put(w, 500.0);
    }
    assertThat(planner.plan(flat, 48, 24)).containsOnly(1.0);
  }
}
