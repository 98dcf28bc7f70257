package io.netflow.client.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netflow.client.MeshError;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The device scheduler on a virtual clock: when each class goes, what it waits for, and how it ends. */
class DeviceSchedulerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WINDOW = 60_000;
  private static final long DAY = 24 * 60 * WINDOW;

  private final AtomicLong now = new AtomicLong(1_000 * DAY);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final AtomicReference<Conditions> device = new AtomicReference<>(Conditions.IDEAL);
  private final List<String> carried = new ArrayList<>();
  private final List<Long> carriedAt = new ArrayList<>();

  private Carrier accepting() {
    return r -> {
      carried.add(r.id());
      carriedAt.add(now.get());
      return new Carrier.Done(JSON.createObjectNode().put("credited", r.id()));
    };
  }

  private DeviceScheduler scheduler(RequestStore store, RewardSchedule pay, SchedulerOptions options, Carrier carrier) {
    return new DeviceScheduler(options, store, () -> pay, device::get, Map.of("contribution", carrier), clock, 42);
  }

  private RewardSchedule pays(double... multipliers) {
    TreeMap<Long, Double> m = new TreeMap<>();
    long first = now.get() / WINDOW;
    for (int i = 0; i < multipliers.length; i++) {
      m.put(first + i, multipliers[i]);
    }
    return new RewardSchedule(WINDOW, DAY, 1, 3, m);
  }

  private DataRequest request(String id, RequestClass c, long deadlineInMs, long size) {
    Instant t = Instant.ofEpochMilli(now.get());
    return new DataRequest(id, "contribution", c, t.plusMillis(deadlineInMs), size, 10, t, JSON.createObjectNode());
  }

  private void runUntil(DeviceScheduler s, long untilMs) {
    while (now.get() < untilMs) {
      Instant next = s.tick();
      now.set(Math.min(untilMs, Math.max(now.get() + 1, next.toEpochMilli())));
    }
    s.tick();
  }

  @Test
  void realtimeGoesAtOnceOnAnyNetworkAndNormalWaitsForTheWindowThatPaysBest() {
    device.set(new Conditions(true, false, false, false, 0.1, Long.MAX_VALUE));
    DeviceScheduler s = scheduler(new MemoryRequestStore(100, 1 << 20, 100), pays(1, 1, 1, 3, 1, 1, 1, 1),
      SchedulerOptions.defaults().spread(50).deadlineGuard(Duration.ZERO).tick(Duration.ofSeconds(5)), accepting());
    long start = now.get();
    s.submit(request("now", RequestClass.REALTIME, 10 * WINDOW, 10));
    s.submit(request("later", RequestClass.NORMAL, 8 * WINDOW, 10));
    s.tick();
    assertThat(carried).containsExactly("now");
    device.set(Conditions.IDEAL);
    runUntil(s, start + 8 * WINDOW);
    assertThat(carried).containsExactly("now", "later");
    assertThat(carriedAt.get(1)).as("in the window that pays 3").isBetween(start + 3 * WINDOW, start + 4 * WINDOW);
    assertThat(s.receipt("later")).hasValueSatisfying(r -> {
      assertThat(r.done()).isTrue();
      assertThat(r.onTime()).isTrue();
      assertThat(r.body().path("credited").asText()).isEqualTo("later");
    });
  }

  @Test
  void bulkWaitsForAnUnmeteredIdleDeviceButGoesOnAnyNetworkNearItsDeadline() {
    DeviceScheduler s = scheduler(new MemoryRequestStore(100, 1 << 30, 100), RewardSchedule.flat(WINDOW, DAY, 1),
      SchedulerOptions.defaults().deadlineGuard(Duration.ofMinutes(2)).tick(Duration.ofSeconds(5)), accepting());
    long start = now.get();
    device.set(new Conditions(true, false, true, true, 1, Long.MAX_VALUE)); // mobile data only
    s.submit(request("frames", RequestClass.BULK, 10 * WINDOW, 50 << 20));
    runUntil(s, start + 7 * WINDOW);
    assertThat(carried).as("not on mobile data while the deadline is far").isEmpty();
    runUntil(s, start + 10 * WINDOW);
    assertThat(carried).containsExactly("frames");
    assertThat(carriedAt.get(0)).as("from the deadline guard on").isBetween(start + 8 * WINDOW, start + 10 * WINDOW);
  }

  @Test
  void aBusyMeshIsTriedAgainAfterTheWaitItAskedForAndAWrongRequestEndsRefused() {
    List<Long> tries = new ArrayList<>();
    Carrier busyThenOk = r -> {
      tries.add(now.get());
      if (r.id().equals("wrong")) {
        return new Carrier.Refused(new MeshError(1001, "MALFORMED", "bad contribution", Duration.ZERO));
      }
      return tries.size() < 3 ? new Carrier.Later(Duration.ofSeconds(7), "429") : new Carrier.Done(JSON.createObjectNode());
    };
    DeviceScheduler s = scheduler(new MemoryRequestStore(100, 1 << 20, 100), RewardSchedule.flat(WINDOW, DAY, 1),
      SchedulerOptions.defaults().tick(Duration.ofSeconds(1)), busyThenOk);
    long start = now.get();
    s.submit(request("busy", RequestClass.REALTIME, 10 * WINDOW, 10));
    runUntil(s, start + 60_000);
    assertThat(tries).hasSize(3);
    assertThat(tries.get(1) - tries.get(0)).isGreaterThanOrEqualTo(7_000);
    assertThat(tries.get(2) - tries.get(1)).isGreaterThanOrEqualTo(7_000);
    assertThat(s.receipt("busy")).hasValueSatisfying(r -> assertThat(r.done()).isTrue());

    s.submit(request("wrong", RequestClass.REALTIME, 10 * WINDOW, 10));
    runUntil(s, start + 120_000);
    assertThat(tries).hasSize(4);
    assertThat(s.receipt("wrong")).hasValueSatisfying(r -> {
      assertThat(r.done()).isFalse();
      assertThat(r.body().path("code").asInt()).isEqualTo(1001);
    });
  }

  @Test
  void devicesSpreadOverWindowsInProportionToThePayNotAllIntoTheBest() {
    int[] byWindow = new int[3];
    long start = now.get();
    RewardSchedule pay = pays(1, 2, 3);
    for (int device = 0; device < 3_000; device++) {
      now.set(start);
      carried.clear();
      carriedAt.clear();
      DeviceScheduler s = new DeviceScheduler(SchedulerOptions.defaults().deadlineGuard(Duration.ZERO)
        .tick(Duration.ofSeconds(10)), new MemoryRequestStore(10, 1 << 20, 10), () -> pay, () -> Conditions.IDEAL,
        Map.of("contribution", accepting()), clock, device);
      s.submit(request("x", RequestClass.NORMAL, 3 * WINDOW, 10));
      runUntil(s, start + 3 * WINDOW);
      byWindow[(int) ((carriedAt.get(0) - start) / WINDOW)]++;
    }
    assertThat(byWindow[0]).isBetween(400, 600);
    assertThat(byWindow[1]).isBetween(880, 1_120);
    assertThat(byWindow[2]).isBetween(1_350, 1_650);
  }

  @Test
  void aFullQueueRefusesWithoutDroppingWhatItHolds() {
    DeviceScheduler s = scheduler(new MemoryRequestStore(2, 100, 10), RewardSchedule.flat(WINDOW, DAY, 1),
      SchedulerOptions.defaults(), accepting());
    assertThat(s.submit(request("a", RequestClass.NORMAL, DAY, 40))).isTrue();
    assertThat(s.submit(request("a", RequestClass.NORMAL, DAY, 40))).as("the same id again").isFalse();
    assertThatThrownBy(() -> s.submit(request("b", RequestClass.NORMAL, DAY, 70)))
      .isInstanceOf(RequestStore.QueueFullException.class).hasMessageContaining("maxPendingBytes");
    assertThat(s.submit(request("c", RequestClass.NORMAL, DAY, 40))).isTrue();
    assertThatThrownBy(() -> s.submit(request("d", RequestClass.NORMAL, DAY, 1)))
      .isInstanceOf(RequestStore.QueueFullException.class).hasMessageContaining("maxPending");
    assertThatThrownBy(() -> s.submit(new DataRequest("e", "upload", RequestClass.NORMAL, Instant.now(), 1, 1, Instant.now(), null)))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no carrier");
  }
}
