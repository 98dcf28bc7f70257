package io.netflow.gateway.http;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayOptionsTest {

  private static final String ADMIN = ApiKeys.sha256Hex("root");

  /** Every setting away from its default, each inside its range. */
  private static GatewayOptions changed() {
    return new GatewayOptions()
      .setApiKeys(List.of(ApiKeys.entry("game", "secret", "publish:match*"), ApiKeys.entry("ops", "s3", "admin")))
      .setAdminKeys(List.of(ADMIN))
      .setMaxBodyBytes(4096)
      .setRatePerSecond(7)
      .setRateBurst(9)
      .setWsMaxFrameBytes(2048)
      .setWsMaxQueuedBytes(8192)
      .setDefaultTimeoutMs(1_234)
      .setIngressBatchMax(3)
      .setWsMaxSubscriptions(5);
  }

  @Test
  void eachSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    GatewayOptions o = new GatewayOptions();
    refuses(() -> o.setMaxBodyBytes(1023), "gateway.max-body-bytes", "1023");
    refuses(() -> o.setMaxBodyBytes((256 << 20) + 1), "gateway.max-body-bytes", "268435457");
    refuses(() -> o.setRatePerSecond(0), "gateway.rate-per-second", "0");
    refuses(() -> o.setRatePerSecond(10_000_001), "gateway.rate-per-second", "10000001");
    refuses(() -> o.setRateBurst(0), "gateway.rate-burst", "0");
    refuses(() -> o.setRateBurst(10_000_001), "gateway.rate-burst", "10000001");
    refuses(() -> o.setWsMaxFrameBytes(1023), "gateway.ws-max-frame-bytes", "1023");
    refuses(() -> o.setWsMaxFrameBytes((64 << 20) + 1), "gateway.ws-max-frame-bytes", "67108865");
    refuses(() -> o.setWsMaxQueuedBytes(1023), "gateway.ws-max-queued-bytes", "1023");
    refuses(() -> o.setWsMaxQueuedBytes((1 << 30) + 1), "gateway.ws-max-queued-bytes", "1073741825");
    refuses(() -> o.setDefaultTimeoutMs(0), "gateway.default-timeout-ms", "0");
    refuses(() -> o.setDefaultTimeoutMs(600_001), "gateway.default-timeout-ms", "600001");
    refuses(() -> o.setIngressBatchMax(0), "gateway.ingress-batch-max", "0");
    refuses(() -> o.setIngressBatchMax(4_097), "gateway.ingress-batch-max", "4097");
    refuses(() -> o.setWsMaxSubscriptions(0), "gateway.ws-max-subscriptions", "0");
    refuses(() -> o.setWsMaxSubscriptions(10_000_001), "gateway.ws-max-subscriptions", "10000001");
    refuses(() -> o.setApiKeys(List.of("game:" + ADMIN)), "gateway.api-keys", "'game:" + ADMIN + "'");
    refuses(() -> o.setAdminKeys(List.of(ADMIN.substring(1))), "http.admin-key-sha256", "'" + ADMIN.substring(1) + "'");
    refuses(() -> o.setAdminKeys(null), "http.admin-key-sha256", "null");
    assertThat(o.toJson()).as("nothing refused was kept").isEqualTo(new GatewayOptions().toJson());
  }

  @Test
  void theEdgesOfEachRangeAreAccepted() {
    GatewayOptions o = new GatewayOptions().setMaxBodyBytes(1024).setMaxBodyBytes(256 << 20)
      .setRatePerSecond(1).setRatePerSecond(10_000_000).setRateBurst(1).setRateBurst(10_000_000)
      .setWsMaxFrameBytes(1024).setWsMaxFrameBytes(64 << 20).setWsMaxQueuedBytes(1024).setWsMaxQueuedBytes(1 << 30)
      .setDefaultTimeoutMs(1).setDefaultTimeoutMs(600_000).setIngressBatchMax(1).setIngressBatchMax(4_096)
      .setWsMaxSubscriptions(1).setWsMaxSubscriptions(10_000_000);
    assertThat(o.getWsMaxSubscriptions()).isEqualTo(10_000_000);
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    GatewayOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("apiKeys", "adminKeys", "maxBodyBytes",
      "ratePerSecond", "rateBurst", "wsMaxFrameBytes", "wsMaxQueuedBytes", "defaultTimeoutMs", "ingressBatchMax",
      "wsMaxSubscriptions");
    roundTrips(new GatewayOptions().toJson(), changed.toJson(), json -> new GatewayOptions(json).toJson());
    assertThat(new GatewayOptions(changed).toJson()).isEqualTo(changed.toJson());
    assertThat(new GatewayOptions(changed.toJson()).getApiKeys()).isEqualTo(changed.getApiKeys());
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new GatewayOptions(new JsonObject().put("noSuchSetting", 1)).toJson())
      .isEqualTo(new GatewayOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new GatewayOptions(new JsonObject().put("maxBodyBytes", 1023)), "gateway.max-body-bytes", "1023");
    refuses(() -> new GatewayOptions(new JsonObject().put("maxBodyBytes", "2MB")), "gateway.max-body-bytes", "'2MB'");
    refuses(() -> new GatewayOptions(new JsonObject().put("rateBurst", 1.5)), "gateway.rate-burst", "1.5");
    refuses(() -> new GatewayOptions(new JsonObject().putNull("defaultTimeoutMs")), "gateway.default-timeout-ms",
      "null");
    // Too large for the int setter: refused as out of range, not wrapped around to a small number.
    refuses(() -> new GatewayOptions(new JsonObject().put("wsMaxFrameBytes", (1L << 32) + 2048)),
      "gateway.ws-max-frame-bytes", "4294969344");
    refuses(() -> new GatewayOptions(new JsonObject().put("apiKeys", "game:x:y")), "gateway.api-keys", "'game:x:y'");
    refuses(() -> new GatewayOptions(new JsonObject().put("adminKeys", new JsonArray().add(7))),
      "http.admin-key-sha256", "7");
  }
}
