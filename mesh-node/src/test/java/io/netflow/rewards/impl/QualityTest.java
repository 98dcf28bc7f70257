package io.netflow.rewards.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Sha256;
import io.netflow.rewards.Contribution;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QualityTest {

  private static Contribution inline(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    return new Contribution("c", "m", "telemetry", data.length, Sha256.hex(data), data, null);
  }

  @Test
  void fillerScoresLowAndVariedDataHigh() {
    Random r = new Random(7);
    StringBuilder trace = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      trace.append(r.nextInt(1000)).append(',').append(Long.toHexString(r.nextLong())).append(';');
    }
    double real = Quality.score(inline(trace.toString()));
    double filler = Quality.score(inline("A".repeat(4_000)));
    assertThat(real).isGreaterThan(0.4);
    assertThat(filler).isEqualTo(0.05);
    assertThat(Quality.score(new Contribution("c", "m", "telemetry", 10_000, "0".repeat(64), null, "s3://x")))
      .isEqualTo(Quality.UNVERIFIED);
  }

  @Test
  void pointsGrowWithSizeQualityAndMultiplier() {
    long base = Quality.points(10, 1024, 1.0, 1.0);
    assertThat(base).isEqualTo(10);
    assertThat(Quality.points(10, 1024, 1.0, 3.0)).isEqualTo(30);
    assertThat(Quality.points(10, 1024, 0.5, 1.0)).isEqualTo(5);
    assertThat(Quality.points(10, 3 * 1024, 1.0, 1.0)).isEqualTo(20);
    assertThat(Quality.points(10, 1, 0.05, 1.0)).isEqualTo(1);
  }
}
