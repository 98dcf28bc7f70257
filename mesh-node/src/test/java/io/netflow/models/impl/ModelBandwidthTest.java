package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.lanes.LaneOptions;
import io.netflow.lanes.LaneStats;
import org.junit.jupiter.api.Test;

class ModelBandwidthTest {

  private final LaneStats lanes = new LaneStats(new LaneOptions());
  private final long budget = 10L << 20;
  private final ModelBandwidth bw = new ModelBandwidth(budget, budget, 256 * 1024, 5_000, 64 * 1024, lanes);

  @Test
  void halvesWhileCriticalIsSlowAndClimbsBackWhenItIsNot() {
    assertThat(bw.rate()).isEqualTo(budget);
    for (int i = 0; i < 3; i++) {
      lanes.observeCritical(20_000_000);
      bw.adjust();
    }
    assertThat(bw.rate()).isEqualTo(budget / 8.0);
    for (int i = 0; i < 40; i++) {
      lanes.observeCritical(1_000_000);
      bw.adjust();
    }
    // The EWMA falls below the 5 ms target within a few samples; then +5% of the budget a step.
    assertThat(bw.rate()).isEqualTo(budget);
  }

  @Test
  void neverBelowTheFloorAndNoSignalMeansNoBrake() {
    for (int i = 0; i < 50; i++) {
      lanes.observeCritical(50_000_000);
      bw.adjust();
    }
    assertThat(bw.rate()).isEqualTo(256 * 1024);
    // No new CRITICAL answers: an old slow sample does not hold transfers down.
    for (int i = 0; i < 20; i++) {
      bw.adjust();
    }
    assertThat(bw.rate()).isEqualTo(budget);
  }

  @Test
  void backsOffWhenCriticalGrowsOverItsBaseEvenUnderTheAbsoluteTarget() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      lanes.observeCritical(300_000);
      bw.adjust();
    }
    assertThat(bw.rate()).isEqualTo(budget);
    // The filter reads the least latency of the last 100-200 ms: the slow answers come after it.
    Thread.sleep(250);
    for (int i = 0; i < 10; i++) {
      lanes.observeCritical(2_000_000);
    }
    bw.adjust();
    // 2 ms is under the 5 ms target but far over 1.5 x the 0.3 ms base.
    assertThat(bw.rate()).isEqualTo(budget / 2.0);
  }

  @Test
  void uploadsWaitForTheirBudget() {
    long waited = 0;
    for (int i = 0; i < 400; i++) {
      waited += bw.takeUpload(64 * 1024) > 0 ? 1 : 0;
    }
    // 25 MiB asked of a 10 MiB/s budget with a small burst: most requests must wait.
    assertThat(waited).isGreaterThan(300);
  }
}
