package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.lanes.LaneOptions;
import io.netflow.lanes.LaneStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The device budget: a hard cap per second, a bounded FIFO line, and a rate that yields to players. */
class DeviceEgressTest {

  private static final long BUDGET = 1_000_000;
  private static final long RANGE = 100_000;

  @Test
  void noSecondReleasesMoreThanTheBudgetAndRangesGoInTheOrderTheyCame() throws Exception {
    List<Long> releasedAt = Collections.synchronizedList(new ArrayList<>());
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    int ranges = 25; // 2.5 budget-seconds
    CountDownLatch all = new CountDownLatch(ranges);
    long start = System.nanoTime();
    try (DeviceEgress egress = new DeviceEgress(BUDGET, RANGE, BUDGET / 4, 50_000, new LaneStats(new LaneOptions()))) {
      for (int i = 0; i < ranges; i++) {
        int n = i;
        assertThat(egress.enqueue(RANGE, 60_000, () -> {
          releasedAt.add(System.nanoTime());
          order.add(n);
          all.countDown();
        })).isTrue();
      }
      assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(egress.served()).isEqualTo(ranges * RANGE);
    }
    assertThat(order).isSorted();
    // Any span of one second holds at most the budget's bytes (the first range starts it full).
    List<Long> at = new ArrayList<>(releasedAt);
    for (int i = 0; i < at.size(); i++) {
      int j = i;
      while (j < at.size() && at.get(j) - at.get(i) < 1_000_000_000L) {
        j++;
      }
      assertThat((j - i) * RANGE).as("bytes released in the second from range %d", i).isLessThanOrEqualTo(BUDGET);
    }
    // 2.4 MB past the first range at 0.9 MB/s: about 2.7 s; never faster than the budget.
    assertThat((at.get(at.size() - 1) - start) / 1e9).isGreaterThan(2.3);
  }

  @Test
  void aRangePastTheLongestWaitIsRefusedAndEveryRangeTakenIsReleased() throws Exception {
    List<Integer> released = Collections.synchronizedList(new ArrayList<>());
    try (DeviceEgress egress = new DeviceEgress(BUDGET, RANGE, BUDGET / 4, 50_000, new LaneStats(new LaneOptions()))) {
      int taken = 0;
      for (int i = 0; i < 10; i++) {
        int n = i;
        if (egress.enqueue(RANGE, 300, () -> released.add(n))) {
          taken++;
        }
      }
      // The first goes at once from the full bucket; three more wait (300 ms of the budget); six are refused.
      assertThat(taken).isEqualTo(4);
      assertThat(egress.queuedMs()).isBetween(200L, 300L);
      assertThatThrownBy(() -> egress.enqueue(RANGE + 1, 300, () -> { }))
        .isInstanceOf(IllegalArgumentException.class);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (released.size() < taken && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(released).containsExactly(0, 1, 2, 3);
      assertThat(egress.queuedMs()).isZero();
    }
  }

  @Test
  void theRateHalvesWhileCriticalLatencyStandsHighAndClimbsBackAfter() throws Exception {
    LaneStats lanes = new LaneStats(new LaneOptions());
    try (DeviceEgress egress = new DeviceEgress(BUDGET, RANGE, BUDGET / 8, 5_000, lanes)) {
      critical(lanes, 300_000);
      egress.adjust();
      assertThat(egress.allowed()).isEqualTo(BUDGET);

      // A queue stands in front of CRITICAL envelopes: 20 ms where 0.3 ms was the base.
      Thread.sleep(250);
      critical(lanes, 20_000_000);
      egress.adjust();
      assertThat(egress.allowed()).isEqualTo(BUDGET / 2);
      critical(lanes, 20_000_000);
      egress.adjust();
      assertThat(egress.allowed()).isEqualTo(BUDGET / 4);
      // What waits is timed at the rate allowed now, so devices are told to look elsewhere sooner.
      egress.enqueue(RANGE, 60_000, () -> { });
      egress.enqueue(RANGE, 60_000, () -> { });
      assertThat(egress.queuedMs()).isBetween(350L, 400L);

      // Never below its floor, however long players need the links.
      for (int i = 0; i < 5; i++) {
        critical(lanes, 20_000_000);
        egress.adjust();
      }
      assertThat(egress.allowed()).isEqualTo(BUDGET / 8);

      // Latency back at its base: a twentieth of the budget back each step, up to the budget.
      Thread.sleep(250);
      critical(lanes, 300_000);
      egress.adjust();
      assertThat(egress.allowed()).isEqualTo(BUDGET / 8 + BUDGET / 20);
      for (int i = 0; i < 25; i++) {
        critical(lanes, 300_000);
        egress.adjust();
      }
      assertThat(egress.allowed()).isEqualTo(BUDGET);
    }
  }

  /** Answers to a few CRITICAL envelopes, each taking {@code nanos}. */
  private static void critical(LaneStats lanes, long nanos) {
    for (int i = 0; i < 5; i++) {
      lanes.observeCritical(nanos);
    }
  }
}
