package io.netflow.models;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node delivers model versions to devices (Micro Nodes): the waves a version opens in, how
 * many download sources a device is given, this node's device-download budget, the largest
 * range it sends at once without pacing, and how long a range may wait for the budget. Setters refuse what the config key does not allow, naming
 * the key, the value and what is allowed; JSON round-trips every setting.
 */
public class DeviceOptions {

  /** Default waves: 1%, then 10%, 50% and every device. */
  public static final List<Integer> DEFAULT_WAVES = List.of(1, 10, 50, 100);
  /** Default time between waves: 10 minutes. */
  public static final long DEFAULT_WAVE_MS = 600_000;
  /** Default device-download budget of a node: 32 MiB per second. */
  public static final long DEFAULT_EGRESS_BYTES_PER_SECOND = 32L << 20;
  /** Default download sources a device is given: 3. */
  public static final int DEFAULT_SOURCES = 3;
  /** Default largest range sent at once (zero-copy): 1 MiB; larger requests are paced. */
  public static final int DEFAULT_RANGE_BYTES = 1 << 20;
  /** Default longest wait of a range for its bytes of the budget: 500 ms, then the device tries another source. */
  public static final long DEFAULT_QUEUE_MS = 500;

  private List<Integer> waves = DEFAULT_WAVES;
  private long waveMs = DEFAULT_WAVE_MS;
  private long egressBytesPerSecond = DEFAULT_EGRESS_BYTES_PER_SECOND;
  private int sources = DEFAULT_SOURCES;
  private int rangeBytes = DEFAULT_RANGE_BYTES;
  private long queueMs = DEFAULT_QUEUE_MS;

  public DeviceOptions() {
  }

  public DeviceOptions(DeviceOptions other) {
    this.waves = other.waves;
    this.waveMs = other.waveMs;
    this.egressBytesPerSecond = other.egressBytesPerSecond;
    this.sources = other.sources;
    this.rangeBytes = other.rangeBytes;
    this.queueMs = other.queueMs;
  }

  /** From JSON ({@code waves, waveMs, egressBytesPerSecond, sources, rangeBytes, queueMs}); absent fields keep their defaults. */
  public DeviceOptions(JsonObject json) {
    try {
      if (json.containsKey("waves")) {
        List<Integer> w = new ArrayList<>();
        json.getJsonArray("waves").forEach(v -> w.add(((Number) v).intValue()));
        setWaves(w);
      }
      setWaveMs(json.getLong("waveMs", waveMs));
      setEgressBytesPerSecond(json.getLong("egressBytesPerSecond", egressBytesPerSecond));
      setSources(json.getInteger("sources", sources));
      setRangeBytes(json.getInteger("rangeBytes", rangeBytes));
      setQueueMs(json.getLong("queueMs", queueMs));
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("device options: a field has the wrong type: " + json.encode());
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("waves", new JsonArray(new ArrayList<>(waves))).put("waveMs", waveMs)
      .put("egressBytesPerSecond", egressBytesPerSecond).put("sources", sources).put("rangeBytes", rangeBytes)
      .put("queueMs", queueMs);
  }

  public List<Integer> getWaves() {
    return waves;
  }

  /** The share of devices (percent) open in each wave: rising, each in [1, 100], the last 100. */
  public DeviceOptions setWaves(List<Integer> waves) {
    boolean ok = !waves.isEmpty() && waves.get(waves.size() - 1) == 100;
    for (int i = 0; ok && i < waves.size(); i++) {
      ok = waves.get(i) >= 1 && waves.get(i) <= 100 && (i == 0 || waves.get(i) > waves.get(i - 1));
    }
    if (!ok) {
      throw new IllegalArgumentException("models.device-waves must rise from at least 1 to 100 percent, got " + waves);
    }
    this.waves = List.copyOf(waves);
    return this;
  }

  public long getWaveMs() {
    return waveMs;
  }

  /** Time between waves ({@code models.device-wave-ms}). */
  public DeviceOptions setWaveMs(long ms) {
    this.waveMs = check("models.device-wave-ms", ms, 1, 30L * 86_400_000);
    return this;
  }

  public long getEgressBytesPerSecond() {
    return egressBytesPerSecond;
  }

  /** This node's device-download budget ({@code node.device-egress-bytes-per-second}). */
  public DeviceOptions setEgressBytesPerSecond(long bytes) {
    this.egressBytesPerSecond = check("node.device-egress-bytes-per-second", bytes, 1024, 100L << 30);
    return this;
  }

  public int getSources() {
    return sources;
  }

  /** How many nodes a device is told it may download from ({@code models.device-sources}). */
  public DeviceOptions setSources(int n) {
    this.sources = (int) check("models.device-sources", n, 1, 16);
    return this;
  }

  public int getRangeBytes() {
    return rangeBytes;
  }

  /** The largest range sent at once, zero-copy ({@code models.device-range-bytes}); larger ones are paced. */
  public DeviceOptions setRangeBytes(int bytes) {
    this.rangeBytes = (int) check("models.device-range-bytes", bytes, 4096, 64 << 20);
    return this;
  }

  public long getQueueMs() {
    return queueMs;
  }

  /**
   * The longest a range waits in line for its bytes of the budget ({@code models.device-queue-ms});
   * past it the device is answered 503 with {@code Retry-After} and goes to its next source. Short
   * waits spread a fleet over every holder; long ones keep devices on their first source.
   */
  public DeviceOptions setQueueMs(long ms) {
    this.queueMs = check("models.device-queue-ms", ms, 0, 60_000);
    return this;
  }

  /** The waves, as the rollout uses them. */
  public io.netflow.models.impl.Waves waves() {
    return new io.netflow.models.impl.Waves(waves.stream().mapToInt(Integer::intValue).toArray(), waveMs);
  }

  private static long check(String key, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }
}
