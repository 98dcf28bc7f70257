package io.netflow.membership;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** JSON and copies; the ranges are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class MembershipOptionsTest {

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    refuses(() -> new MembershipOptions().setReportIntervalMs(49), "membership.report-interval-ms", "49");
    refuses(() -> new MembershipOptions().setStaleAfterMs(600_001), "membership.stale-after-ms", "600001");
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    MembershipOptions changed = new MembershipOptions().setReportIntervalMs(100).setStaleAfterMs(600);
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("reportIntervalMs", "staleAfterMs");
    roundTrips(new MembershipOptions().toJson(), changed.toJson(), json -> new MembershipOptions(json).toJson());
    assertThat(new MembershipOptions(changed).toJson()).isEqualTo(changed.toJson());
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new MembershipOptions(new JsonObject().put("noSuchSetting", 1)).toJson())
      .isEqualTo(new MembershipOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new MembershipOptions(new JsonObject().put("reportIntervalMs", 60_001)),
      "membership.report-interval-ms", "60001");
    refuses(() -> new MembershipOptions(new JsonObject().put("staleAfterMs", "2s")), "membership.stale-after-ms",
      "'2s'");
    refuses(() -> new MembershipOptions(new JsonObject().put("staleAfterMs", 2000.5)), "membership.stale-after-ms",
      "2000.5");
  }
}
