package io.netflow.scheduling;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** JSON and copies; the ranges are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class SchedulerOptionsTest {

  /** Every setting away from its default, each inside its range. */
  private static SchedulerOptions changed() {
    return new SchedulerOptions()
      .setPollIntervalMs(10)
      .setLeaseMs(600)
      .setMaxConcurrency(4)
      .setMaxCostInFlight(2.5)
      .setMaxAttempts(1)
      .setRetryBackoffMs(0)
      .setRetryBackoffMaxMs(1_000)
      .setMaxPayloadBytes(1_000)
      .setMaxResultBytes(0)
      .setMaxQueued(2)
      .setDefaultDeadlineMs(60_000)
      .setRetentionMs(1_000)
      .setQuietFraction(0.0)
      .setQuietFloorPerSecond(20.0)
      .setBulkUrgencyMs(8_000)
      .setBusyBulkConcurrency(0)
      .setLatencyTargetMicros(2_000);
  }

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    SchedulerOptions o = new SchedulerOptions();
    refuses(() -> o.setLeaseMs(299), "scheduling.lease-ms", "299");
    refuses(() -> o.setQuietFraction(1.0000001), "scheduling.quiet-fraction", "1.0000001");
    refuses(() -> o.setMaxCostInFlight(0), "scheduling.max-cost-in-flight", "0.0");
    refuses(() -> o.setBusyBulkConcurrency(-1), "scheduling.busy-bulk-concurrency", "-1");
    assertThat(o.toJson()).isEqualTo(new SchedulerOptions().toJson());
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    SchedulerOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("pollIntervalMs", "leaseMs",
      "maxConcurrency", "maxCostInFlight", "maxAttempts", "retryBackoffMs", "retryBackoffMaxMs", "maxPayloadBytes",
      "maxResultBytes", "maxQueued", "defaultDeadlineMs", "retentionMs", "quietFraction", "quietFloorPerSecond",
      "bulkUrgencyMs", "busyBulkConcurrency", "latencyTargetMicros");
    roundTrips(new SchedulerOptions().toJson(), changed.toJson(), json -> new SchedulerOptions(json).toJson());
    SchedulerOptions copy = new SchedulerOptions(changed);
    assertThat(copy.toJson()).isEqualTo(changed.toJson());
    assertThat(copy.retryDelayMs(3)).isEqualTo(changed.retryDelayMs(3));
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new SchedulerOptions(new JsonObject().put("noSuchSetting", 1)).toJson())
      .isEqualTo(new SchedulerOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new SchedulerOptions(new JsonObject().put("maxAttempts", 101)), "scheduling.max-attempts", "101");
    refuses(() -> new SchedulerOptions(new JsonObject().put("maxAttempts", "3")), "scheduling.max-attempts", "'3'");
    refuses(() -> new SchedulerOptions(new JsonObject().put("quietFloorPerSecond", -0.5)),
      "scheduling.quiet-floor-per-second", "-0.5");
    refuses(() -> new SchedulerOptions(new JsonObject().put("quietFraction", "half")), "scheduling.quiet-fraction",
      "'half'");
  }
}
