package io.netflow.rewards;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON and copies; the ranges are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class RewardOptionsTest {

  /** Every setting away from its default, each inside its range. */
  private static RewardOptions changed() {
    return new RewardOptions()
      .setWindowMs(3_600_000)
      .setPeriodMs(10_000)
      .setHorizonWindows(24)
      .setHistoryPeriods(3)
      .setMinMultiplier(0.5)
      .setMaxMultiplier(4.0)
      .setMaxBytes(1024)
      .setRatePerMinute(2)
      .setTypes(List.of("trace=5", "frame=0"));
  }

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    RewardOptions o = new RewardOptions();
    refuses(() -> o.setWindowMs(99), "rewards.window-ms", "99");
    refuses(() -> o.setMaxMultiplier(1000.5), "rewards.max-multiplier", "1000.5");
    refuses(() -> o.setTypes(List.of("trace=5", "frame")), "rewards.types", "'frame'");
    refuses(() -> o.setTypes(List.of("trace=1000000000")), "rewards.types", "'trace=1000000000'");
    refuses(() -> o.setTypes(Map.of("trace", -1L)), "rewards.types", "'trace=-1'");
    refuses(() -> o.setTypes(Map.of("Trace", 1L)), "rewards.types", "'Trace=1'");
    assertThat(o.toJson()).isEqualTo(new RewardOptions().toJson());
  }

  @Test
  void typesCannotBeChangedPastTheSetter() {
    RewardOptions o = changed();
    assertThat(o.getTypes()).containsExactly(Map.entry("trace", 5L), Map.entry("frame", 0L));
    assertThatThrownBy(() -> o.getTypes().put("sneaky", -1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    RewardOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("windowMs", "periodMs", "horizonWindows",
      "historyPeriods", "minMultiplier", "maxMultiplier", "maxBytes", "ratePerMinute", "types");
    assertThat(changed.toJson().getJsonObject("types")).isEqualTo(new JsonObject().put("trace", 5L).put("frame", 0L));
    roundTrips(new RewardOptions().toJson(), changed.toJson(), json -> new RewardOptions(json).toJson());
    assertThat(new RewardOptions(changed).toJson()).isEqualTo(changed.toJson());
    assertThat(new RewardOptions(changed.toJson()).getTypes()).containsExactly(Map.entry("trace", 5L),
      Map.entry("frame", 0L));
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new RewardOptions(new JsonObject().put("noSuchSetting", 1)).toJson())
      .isEqualTo(new RewardOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new RewardOptions(new JsonObject().put("historyPeriods", 366)), "rewards.history-periods", "366");
    refuses(() -> new RewardOptions(new JsonObject().put("minMultiplier", "1")), "rewards.min-multiplier", "'1'");
    refuses(() -> new RewardOptions(new JsonObject().put("types", "trace=5")), "rewards.types", "'trace=5'");
    refuses(() -> new RewardOptions(new JsonObject().put("types", new JsonObject().put("trace", "5"))),
      "rewards.types", "'trace=5'");
    refuses(() -> new RewardOptions(new JsonObject().put("types", new JsonObject().put("trace", 2.5))),
      "rewards.types", "'trace=2.5'");
  }
}
