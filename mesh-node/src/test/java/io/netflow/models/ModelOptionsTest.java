package io.netflow.models;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON and copies; the ranges are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class ModelOptionsTest {

  private static final String PUBLISHER = "ops=" + "A".repeat(43) + "=";

  /** Every setting away from its default, each inside its range. */
  private static ModelOptions changed() {
    return new ModelOptions()
      .setChunkBytes(1024)
      .setMaxBytes(1L << 20)
      .setKeepVersions(1)
      .setPerPeerInFlight(4)
      .setTotalInFlight(16)
      .setUploadBytesPerSecond(512 * 1024)
      .setDownloadBytesPerSecond(768 * 1024)
      .setMinBytesPerSecond(1024)
      .setCriticalLatencyTargetMicros(10)
      .setTrustedKeys(List.of(PUBLISHER));
  }

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    ModelOptions o = new ModelOptions();
    refuses(() -> o.setChunkBytes(1023), "models.chunk-bytes", "1023");
    refuses(() -> o.setUploadBytesPerSecond((100L << 30) + 1), "node.upload-bytes-per-second", "107374182401");
    refuses(() -> o.setTrustedKeys(List.of(PUBLISHER, "ops")), "models.trusted-keys", "'ops'");
    assertThat(o.toJson()).isEqualTo(new ModelOptions().toJson());
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    ModelOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("chunkBytes", "maxBytes", "keepVersions",
      "perPeerInFlight", "totalInFlight", "uploadBytesPerSecond", "downloadBytesPerSecond", "minBytesPerSecond",
      "criticalLatencyTargetMicros", "trustedKeys");
    roundTrips(new ModelOptions().toJson(), changed.toJson(), json -> new ModelOptions(json).toJson());
    assertThat(new ModelOptions(changed).toJson()).isEqualTo(changed.toJson());
    assertThat(new ModelOptions(changed.toJson()).getTrustedKeys()).containsExactly(PUBLISHER);
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new ModelOptions(new JsonObject().put("noSuchSetting", 1)).toJson())
      .isEqualTo(new ModelOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new ModelOptions(new JsonObject().put("keepVersions", 101)), "models.keep-versions", "101");
    refuses(() -> new ModelOptions(new JsonObject().put("maxBytes", "4G")), "models.max-bytes", "'4G'");
    refuses(() -> new ModelOptions(new JsonObject().put("trustedKeys", PUBLISHER)), "models.trusted-keys",
      "'" + PUBLISHER + "'");
    refuses(() -> new ModelOptions(new JsonObject().put("trustedKeys", new JsonArray().add(PUBLISHER).add(5))),
      "models.trusted-keys", "5");
  }
}
