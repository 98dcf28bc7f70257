package io.netflow.routing;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** JSON and copies; the ranges of config keys are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class RoutingOptionsTest {

  private static RoutingOptions changed() {
    return new RoutingOptions().setBalanceEpsilon(0.5).setLatencyDecayMs(100).setSlowStartMs(0)
      .setInitialLatencyMicros(250).setRegionAware(false).setRegionSpillFrom(0.5).setRegionMinHosts(3)
      .setRegionSpillSmoothingMs(500);
  }

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    RoutingOptions o = new RoutingOptions();
    refuses(() -> o.setBalanceEpsilon(0.0099), "routing.balance-epsilon", "0.0099");
    refuses(() -> o.setBalanceEpsilon(Double.NaN), "routing.balance-epsilon", "NaN");
    refuses(() -> o.setSlowStartMs(-1), "routing.slow-start-ms", "-1");
    refuses(() -> o.setRegionSpillFrom(0.049), "routing.region-spill-from", "0.049");
    refuses(() -> o.setRegionSpillFrom(1.001), "routing.region-spill-from", "1.001");
    refuses(() -> o.setRegionMinHosts(0), "routing.region-min-hosts", "0");
    refuses(() -> o.setRegionSpillSmoothingMs(60_001), "routing.region-spill-smoothing-ms", "60001");
    // Not a config key, but bounded all the same.
    refuses(() -> o.setInitialLatencyMicros(0), "routing.initial-latency-micros", "0");
    refuses(() -> o.setInitialLatencyMicros(60_000_001), "routing.initial-latency-micros", "60000001");
    assertThat(o.toJson()).isEqualTo(new RoutingOptions().toJson());
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    RoutingOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("balanceEpsilon", "latencyDecayMs",
      "slowStartMs", "initialLatencyMicros", "regionAware", "regionSpillFrom", "regionMinHosts", "regionSpillSmoothingMs");
    roundTrips(new RoutingOptions().toJson(), changed.toJson(), json -> new RoutingOptions(json).toJson());
    assertThat(new RoutingOptions(changed).toJson()).isEqualTo(changed.toJson());
  }

  @Test
  void aWholeNumberIsANumber() {
    assertThat(new RoutingOptions(new JsonObject().put("balanceEpsilon", 2)).getBalanceEpsilon()).isEqualTo(2.0);
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new RoutingOptions(new JsonObject().put("noSuchSetting", 1)).toJson())
      .isEqualTo(new RoutingOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new RoutingOptions(new JsonObject().put("balanceEpsilon", 10.5)), "routing.balance-epsilon", "10.5");
    refuses(() -> new RoutingOptions(new JsonObject().put("balanceEpsilon", "0.5")), "routing.balance-epsilon",
      "'0.5'");
    refuses(() -> new RoutingOptions(new JsonObject().put("latencyDecayMs", true)), "routing.latency-decay-ms",
      "true");
    refuses(() -> new RoutingOptions(new JsonObject().put("regionAware", "yes")), "routing.locality", "'yes'");
  }
}
