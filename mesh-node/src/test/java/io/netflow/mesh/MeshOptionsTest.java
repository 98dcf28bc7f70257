package io.netflow.mesh;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** JSON and copies; the ranges are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class MeshOptionsTest {

  /** Every setting away from its default, each inside its range. */
  private static MeshOptions changed() {
    return new MeshOptions()
      .setMaxPayloadBytes(4096)
      .setAttemptTimeoutMs(250)
      .setDedupeEntries(10)
      .setDedupeTtlMs(1_000)
      .setAdmissionInitialLimit(2)
      .setAdmissionMaxLimit(3)
      .setMaxReassemblyBytes(1L << 34)
      .setDedupeMaxBytes(1L << 40)
      .setMaxTopics(7)
      .setShards(3)
      .setSuspectAfterMs(0);
  }

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    MeshOptions o = new MeshOptions();
    refuses(() -> o.setMaxPayloadBytes(0), "mesh.max-payload-bytes", "0");
    refuses(() -> o.setDedupeMaxBytes((1L << 40) + 1), "mesh.dedupe-max-bytes", "1099511627777");
    refuses(() -> o.setAdmissionMaxLimit(1_000_001), "admission.max-limit", "1000001");
    refuses(() -> o.setShards(-1), "mesh.shards", "-1");
    refuses(() -> o.setShards(1025), "mesh.shards", "1025");
    refuses(() -> o.setSuspectAfterMs(-1), "mesh.suspect-after-ms", "-1");
    assertThat(o.toJson()).isEqualTo(new MeshOptions().toJson());
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    MeshOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("maxPayloadBytes", "attemptTimeoutMs",
      "dedupeEntries", "dedupeTtlMs", "admissionInitialLimit", "admissionMaxLimit", "maxReassemblyBytes",
      "dedupeMaxBytes", "maxTopics", "shards", "suspectAfterMs");
    roundTrips(new MeshOptions().toJson(), changed.toJson(), json -> new MeshOptions(json).toJson());
    assertThat(new MeshOptions(changed).toJson()).isEqualTo(changed.toJson());
  }

  @Test
  void zeroShardsIsOnePerCore() {
    assertThat(new MeshOptions().shardsOn(8)).isEqualTo(8);
    assertThat(new MeshOptions().shardsOn(0)).isEqualTo(1);
    assertThat(new MeshOptions().setShards(3).shardsOn(8)).isEqualTo(3);
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new MeshOptions(new JsonObject().put("noSuchSetting", 1).put("max-payload-bytes", 5)).toJson())
      .isEqualTo(new MeshOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new MeshOptions(new JsonObject().put("maxTopics", 0)), "mesh.max-topics", "0");
    refuses(() -> new MeshOptions(new JsonObject().put("maxTopics", "many")), "mesh.max-topics", "'many'");
    refuses(() -> new MeshOptions(new JsonObject().put("dedupeTtlMs", 1.5)), "mesh.dedupe-ttl-ms", "1.5");
    refuses(() -> new MeshOptions(new JsonObject().putNull("attemptTimeoutMs")), "mesh.attempt-timeout-ms", "null");
    // Too large for the int setter: refused as out of range, not wrapped around into it.
    refuses(() -> new MeshOptions(new JsonObject().put("maxPayloadBytes", (1L << 32) + 4096)),
      "mesh.max-payload-bytes", "4294971392");
  }
}
