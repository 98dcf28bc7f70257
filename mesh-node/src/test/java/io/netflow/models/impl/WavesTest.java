package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WavesTest {

  private final Waves waves = new Waves(new int[] {1, 10, 50, 100}, 60_000);

  @Test
  void aHundredThousandDevicesLandWithinOnePercentOfEachWavesShare() {
    int[] admitted = new int[4];
    int devices = 100_000;
    for (int i = 0; i < devices; i++) {
      double place = Waves.place("device-" + i, "v7");
      for (int wave = 0; wave < 4; wave++) {
        if (place < new int[] {1, 10, 50, 100}[wave]) {
          admitted[wave]++;
        }
      }
    }
    // Within 1% of each share (percentage points of the whole fleet).
    assertThat(admitted[0] / (double) devices * 100).isBetween(0.0, 2.0);
    assertThat(admitted[1] / (double) devices * 100).isBetween(9.0, 11.0);
    assertThat(admitted[2] / (double) devices * 100).isBetween(49.0, 51.0);
    assertThat(admitted[3]).isEqualTo(devices);
  }

  @Test
  void aDevicesPlaceNeverFlipsAndANewVersionDrawsAFreshOrder() {
    assertThat(Waves.place("d-42", "v7")).isEqualTo(Waves.place("d-42", "v7"));
    int same = 0;
    for (int i = 0; i < 1_000; i++) {
      boolean earlyInV7 = Waves.place("d-" + i, "v7") < 10;
      boolean earlyInV8 = Waves.place("d-" + i, "v8") < 10;
      if (earlyInV7 && earlyInV8) {
        same++;
      }
    }
    // Independent draws: about 1% of devices are early in both, not the same 10%.
    assertThat(same).isLessThan(30);
  }

  @Test
  void wavesOpenOnTheirScheduleAndSayWhenToAskAgain() {
    assertThat(waves.openPercent(0)).isEqualTo(1);
    assertThat(waves.openPercent(59_999)).isEqualTo(1);
    assertThat(waves.openPercent(60_000)).isEqualTo(10);
    assertThat(waves.openPercent(10 * 60_000)).isEqualTo(100);
    String late = null;
    for (int i = 0; late == null; i++) {
      double place = Waves.place("d-" + i, "v7");
      if (place >= 50) {
        late = "d-" + i;
      }
    }
    assertThat(waves.admits(late, "v7", 60_000)).isFalse();
    assertThat(waves.untilOpen(late, "v7", 60_000)).isEqualTo(2 * 60_000);
    assertThat(waves.admits(late, "v7", 3 * 60_000)).isTrue();
    assertThat(waves.untilOpen(late, "v7", 3 * 60_000)).isZero();
  }
}
