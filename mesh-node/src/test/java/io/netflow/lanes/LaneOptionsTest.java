package io.netflow.lanes;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Priority;
import io.netflow.lanes.LaneOptions.Lane;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** JSON and copies, lane by lane; the ranges are held to {@code NodeKeys} by {@code NodeOptionsTest}. */
class LaneOptionsTest {

  /** Every setting away from its default, each lane's too, each inside its range. */
  private static LaneOptions changed() {
    LaneOptions o = new LaneOptions().setLinkWindowBytes(2048).setChunkBytes(1024);
    for (Priority p : Priority.values()) {
      Lane d = o.lane(p);
      o.setLane(p, new Lane(d.weight() + 1, d.maxQueuedBytes() + 1024, 1_000_000 + p.code()));
    }
    return o;
  }

  @Test
  void aSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    LaneOptions o = new LaneOptions();
    refuses(() -> o.setLinkWindowBytes(1023), "lanes.link-window-bytes", "1023");
    refuses(() -> o.setChunkBytes((16 << 20) + 1), "lanes.chunk-bytes", "16777217");
    refuses(() -> o.setLane(Priority.HIGH, new Lane(0, 1024, 0)), "lanes.high.weight", "0");
    refuses(() -> o.setLane(Priority.BULK, new Lane(1001, 1024, 0)), "lanes.bulk.weight", "1001");
    refuses(() -> o.setLane(Priority.MODEL, new Lane(1, 1023, 0)), "lanes.model.max-queued-bytes", "1023");
    refuses(() -> o.setLane(Priority.NORMAL, new Lane(1, 1024, -1)), "lanes.normal.ceiling-bytes-per-second", "-1");
    refuses(() -> o.setLane(Priority.CRITICAL, new Lane(1, (1L << 34) + 1, 0)), "lanes.critical.max-queued-bytes",
      "17179869185");
    assertThat(o.toJson()).isEqualTo(new LaneOptions().toJson());
  }

  @Test
  void jsonRoundTripKeepsEverySettingOfEveryLane() {
    LaneOptions changed = changed();
    JsonObject json = changed.toJson();
    JsonObject defaults = new LaneOptions().toJson();
    assertThat(json.fieldNames()).containsExactlyInAnyOrder("linkWindowBytes", "chunkBytes", "lanes");
    assertThat(json.getJsonObject("lanes").fieldNames()).containsExactlyInAnyOrder("critical", "high", "normal",
      "model", "bulk");
    for (String lane : defaults.getJsonObject("lanes").fieldNames()) {
      JsonObject d = defaults.getJsonObject("lanes").getJsonObject(lane);
      assertThat(json.getJsonObject("lanes").getJsonObject(lane).fieldNames())
        .containsExactlyInAnyOrder("weight", "maxQueuedBytes", "ceilingBytesPerSecond");
      // Every lane setting differs from its default, so the round trip below proves each is read back.
      json.getJsonObject("lanes").getJsonObject(lane)
        .forEach(e -> assertThat(e.getValue()).as("%s.%s", lane, e.getKey()).isNotEqualTo(d.getValue(e.getKey())));
    }
    roundTrips(defaults, json, j -> new LaneOptions(j).toJson());
    for (Priority p : Priority.values()) {
      assertThat(new LaneOptions(json).lane(p)).isEqualTo(changed.lane(p));
    }
  }

  @Test
  void aCopyIsIndependent() {
    LaneOptions original = changed();
    LaneOptions copy = new LaneOptions(original);
    assertThat(copy.toJson()).isEqualTo(original.toJson());
    copy.setLane(Priority.HIGH, new Lane(1, 1024, 0));
    assertThat(original.lane(Priority.HIGH)).isEqualTo(changed().lane(Priority.HIGH));
  }

  @Test
  void absentFieldsLanesAndLaneSettingsKeepTheirDefaultsAndUnknownOnesAreIgnored() {
    LaneOptions o = new LaneOptions(new JsonObject().put("noSuchSetting", 1)
      .put("lanes", new JsonObject().put("turbo", new JsonObject()).put("high", new JsonObject().put("weight", 3))));
    LaneOptions d = new LaneOptions();
    assertThat(o.lane(Priority.HIGH)).isEqualTo(new Lane(3, d.lane(Priority.HIGH).maxQueuedBytes(), 0));
    assertThat(o.lane(Priority.BULK)).isEqualTo(d.lane(Priority.BULK));
    assertThat(o.getLinkWindowBytes()).isEqualTo(d.getLinkWindowBytes());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new LaneOptions(new JsonObject().put("chunkBytes", 512)), "lanes.chunk-bytes", "512");
    refuses(() -> new LaneOptions(new JsonObject().put("lanes", new JsonObject().put("bulk",
      new JsonObject().put("weight", 0)))), "lanes.bulk.weight", "0");
    refuses(() -> new LaneOptions(new JsonObject().put("lanes", new JsonObject().put("model",
      new JsonObject().put("ceilingBytesPerSecond", "fast")))), "lanes.model.ceiling-bytes-per-second", "'fast'");
    refuses(() -> new LaneOptions(new JsonObject().put("lanes", new JsonObject().put("high", 16))), "lanes.high",
      "16");
    refuses(() -> new LaneOptions(new JsonObject().put("lanes", "all")), "lanes", "'all'");
  }
}
