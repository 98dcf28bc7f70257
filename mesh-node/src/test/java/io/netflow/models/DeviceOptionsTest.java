package io.netflow.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceOptionsTest {

  private static void refuses(Runnable set, String key, String value) {
    assertThatThrownBy(set::run).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining(key).hasMessageContaining(value);
  }

  @Test
  void eachSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    DeviceOptions o = new DeviceOptions();
    refuses(() -> o.setQueueMs(-1), "models.device-queue-ms", "-1");
    refuses(() -> o.setQueueMs(60_001), "models.device-queue-ms", "60001");
    refuses(() -> o.setRangeBytes(4095), "models.device-range-bytes", "4095");
    refuses(() -> o.setSources(0), "models.device-sources", "0");
    refuses(() -> o.setEgressBytesPerSecond(1023), "node.device-egress-bytes-per-second", "1023");
    refuses(() -> o.setWaves(List.of(10, 5, 100)), "models.device-waves", "[10, 5, 100]");
    assertThat(o.toJson()).as("nothing refused was kept").isEqualTo(new DeviceOptions().toJson());
    assertThat(o.setQueueMs(0).setQueueMs(60_000).getQueueMs()).isEqualTo(60_000);
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    DeviceOptions changed = new DeviceOptions().setWaves(List.of(5, 100)).setWaveMs(1_000).setSources(2)
      .setRangeBytes(65_536).setQueueMs(250).setEgressBytesPerSecond(1 << 20);
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("waves", "waveMs", "egressBytesPerSecond",
      "sources", "rangeBytes", "queueMs");
    assertThat(new DeviceOptions(changed.toJson()).toJson()).isEqualTo(changed.toJson());
    assertThat(new DeviceOptions(changed).toJson()).isEqualTo(changed.toJson());
    assertThat(new DeviceOptions(new io.vertx.core.json.JsonObject()).getQueueMs()).isEqualTo(DeviceOptions.DEFAULT_QUEUE_MS);
  }
}
