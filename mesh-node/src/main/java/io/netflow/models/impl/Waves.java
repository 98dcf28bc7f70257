package io.netflow.models.impl;

import io.netflow.gateway.protocol.Sha256;
import java.util.Arrays;

/**
 * How a model version opens to devices: in waves of a growing share of them
 * ({@code models.device-waves}, e.g. 1, 10, 50 and 100 percent), {@code models.device-wave-ms}
 * apart. A device's place is a stable hash of its id and the version, so assignments spread evenly,
 * never flip between calls or nodes, and a new version draws a fresh order (the same devices are not
 * always first). Immutable.
 */
public final class Waves {

  private final int[] percents;
  private final long waveMs;

  /** @param percents the share of devices open in each wave, rising, the last 100 */
  public Waves(int[] percents, long waveMs) {
    this.percents = percents.clone();
    this.waveMs = waveMs;
  }

  /** Where a device stands for a version, in [0, 100): it is admitted once the open share passes it. */
  public static double place(String deviceId, String version) {
    byte[] h = Sha256.of(deviceId + "\n" + version);
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (h[i] & 0xff);
    }
    // The top 53 bits as a fraction: uniform in [0, 1).
    return (bits >>> 11) * 0x1.0p-53 * 100;
  }

  /** The share of devices (percent) open {@code elapsedMs} into the rollout. */
  public int openPercent(long elapsedMs) {
    int wave = (int) Math.min(percents.length - 1, Math.max(0, elapsedMs) / waveMs);
    return percents[wave];
  }

  /** Whether the device's wave is open {@code elapsedMs} into the rollout of {@code version}. */
  public boolean admits(String deviceId, String version, long elapsedMs) {
    return place(deviceId, version) < openPercent(elapsedMs);
  }

  /** Milliseconds until the wave that admits this device opens (0 when it is open). */
  public long untilOpen(String deviceId, String version, long elapsedMs) {
    double place = place(deviceId, version);
    for (int wave = 0; wave < percents.length; wave++) {
      if (place < percents[wave]) {
        return Math.max(0, wave * waveMs - Math.max(0, elapsedMs));
      }
    }
    return 0;
  }

  @Override
  public String toString() {
    return Arrays.toString(percents) + " every " + waveMs + " ms";
  }
}
