package io.netflow.lanes;

import io.netflow.gateway.protocol.Priority;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a node shares each link among the lanes. CRITICAL is always sent first and ignores the
 * window; the others share what is left by weighted deficit round robin, each up to its ceiling.
 *
 * <p>Each setting has a config key ({@code lanes.*}; a lane's are {@code lanes.<lane>.weight},
 * {@code lanes.<lane>.max-queued-bytes} and {@code lanes.<lane>.ceiling-bytes-per-second}) and takes the
 * range that key allows: a setter, or the JSON constructor, given anything else throws
 * {@link IllegalArgumentException} naming the key, the value and the range. JSON fields are the
 * settings' names ({@code linkWindowBytes}, {@code chunkBytes}, and under {@code lanes} an object per
 * lane, {@code critical} to {@code bulk}, of {@code weight}, {@code maxQueuedBytes} and
 * {@code ceilingBytesPerSecond}); unknown fields are ignored.
 */
public class LaneOptions {

  /** Default bytes of non-CRITICAL envelopes in flight per link: 64 KiB. */
  public static final int DEFAULT_LINK_WINDOW_BYTES = 64 * 1024;
  /** Default chunk size of large payloads: 64 KiB. */
  public static final int DEFAULT_CHUNK_BYTES = 64 * 1024;
  /** Default CRITICAL lane: 4 MiB queued per link, no ceiling (its weight is not used: it always goes first). */
  public static final Lane DEFAULT_CRITICAL_LANE = new Lane(1, 4L << 20, 0);
  /** Default HIGH lane: weight 16, 8 MiB queued per link, no ceiling. */
  public static final Lane DEFAULT_HIGH_LANE = new Lane(16, 8L << 20, 0);
  /** Default NORMAL lane: weight 8, 8 MiB queued per link, no ceiling. */
  public static final Lane DEFAULT_NORMAL_LANE = new Lane(8, 8L << 20, 0);
  /** Default MODEL lane: weight 2, 32 MiB queued per link, no ceiling. */
  public static final Lane DEFAULT_MODEL_LANE = new Lane(2, 32L << 20, 0);
  /** Default BULK lane: weight 1, 8 MiB queued per link, no ceiling. */
  public static final Lane DEFAULT_BULK_LANE = new Lane(1, 8L << 20, 0);

  private static final Range LINK_WINDOW_BYTES =
    new Range("linkWindowBytes", "lanes.link-window-bytes", 1024, 64 << 20);
  private static final Range CHUNK_BYTES = new Range("chunkBytes", "lanes.chunk-bytes", 1024, 16 << 20);
  private static final String LANES = "lanes";
  private static final long MAX_BYTES_PER_SECOND = 100L << 30;

  /**
   * One lane's share: DRR weight in [1, 1000], queue bound per link in [1 KiB, 16 GiB], and node-wide
   * ceiling in [0, 100 GiB] per second (0: none). Checked, naming the lane's keys, when set on
   * {@link LaneOptions}.
   */
  public record Lane(int weight, long maxQueuedBytes, long ceilingBytesPerSecond) {
  }

  private int linkWindowBytes = DEFAULT_LINK_WINDOW_BYTES;
  private int chunkBytes = DEFAULT_CHUNK_BYTES;
  private final Map<Priority, Lane> lanes = new EnumMap<>(Priority.class);

  /** Options with every default. */
  public LaneOptions() {
    lanes.put(Priority.CRITICAL, DEFAULT_CRITICAL_LANE);
    lanes.put(Priority.HIGH, DEFAULT_HIGH_LANE);
    lanes.put(Priority.NORMAL, DEFAULT_NORMAL_LANE);
    lanes.put(Priority.MODEL, DEFAULT_MODEL_LANE);
    lanes.put(Priority.BULK, DEFAULT_BULK_LANE);
  }

  /** A copy of {@code other}. */
  public LaneOptions(LaneOptions other) {
    this.linkWindowBytes = other.linkWindowBytes;
    this.chunkBytes = other.chunkBytes;
    this.lanes.putAll(other.lanes);
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field, lane or lane setting keeps its
   * default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is out of range
   */
  public LaneOptions(JsonObject json) {
    this();
    setLinkWindowBytes((int) LINK_WINDOW_BYTES.read(json, linkWindowBytes));
    setChunkBytes((int) CHUNK_BYTES.read(json, chunkBytes));
    if (json.containsKey(LANES)) {
      readLanes(json.getValue(LANES));
    }
  }

  /** Every setting, under its name; each lane's under {@code lanes.<lane>}. */
  public JsonObject toJson() {
    JsonObject byName = new JsonObject();
    lanes.forEach((p, lane) -> byName.put(name(p), new JsonObject()
      .put(weight(p).field(), lane.weight())
      .put(maxQueuedBytes(p).field(), lane.maxQueuedBytes())
      .put(ceiling(p).field(), lane.ceilingBytesPerSecond())));
    return new JsonObject()
      .put(LINK_WINDOW_BYTES.field(), linkWindowBytes)
      .put(CHUNK_BYTES.field(), chunkBytes)
      .put(LANES, byName);
  }

  public int getLinkWindowBytes() {
    return linkWindowBytes;
  }

  /**
   * Bytes of non-CRITICAL envelopes a link may have sent and not yet had answered, in [1 KiB, 64 MiB].
   * Small keeps the TCP connection short, so a CRITICAL envelope waits behind little; large raises
   * throughput.
   */
  public LaneOptions setLinkWindowBytes(int bytes) {
    this.linkWindowBytes = LINK_WINDOW_BYTES.check(bytes);
    return this;
  }

  public int getChunkBytes() {
    return chunkBytes;
  }

  /**
   * Payloads larger than this travel in chunks of this size, so other lanes can pass between them;
   * in [1 KiB, 16 MiB].
   */
  public LaneOptions setChunkBytes(int bytes) {
    this.chunkBytes = CHUNK_BYTES.check(bytes);
    return this;
  }

  public Lane lane(Priority p) {
    return lanes.get(p);
  }

  /** The share of lane {@code p}; each of its values is checked against that lane's key. */
  public LaneOptions setLane(Priority p, Lane lane) {
    if (p == null || lane == null) {
      throw new IllegalArgumentException(LANES + " must name a lane and its share, got " + p + " and " + lane);
    }
    weight(p).check(lane.weight());
    maxQueuedBytes(p).check(lane.maxQueuedBytes());
    ceiling(p).check(lane.ceilingBytesPerSecond());
    lanes.put(p, lane);
    return this;
  }

  /** Sets the lanes {@code v} names, each setting it names; the rest keep theirs. */
  private void readLanes(Object v) {
    if (!(v instanceof JsonObject byName)) {
      throw new IllegalArgumentException(LANES + " must be an object of critical, high, normal, model and bulk, got "
        + shown(v));
    }
    for (Priority p : Priority.values()) {
      if (!byName.containsKey(name(p))) {
        continue;
      }
      Object share = byName.getValue(name(p));
      if (!(share instanceof JsonObject lane)) {
        throw new IllegalArgumentException(LANES + "." + name(p)
          + " must be an object of weight, maxQueuedBytes and ceilingBytesPerSecond, got " + shown(share));
      }
      Lane current = lanes.get(p);
      setLane(p, new Lane((int) weight(p).read(lane, current.weight()),
        maxQueuedBytes(p).read(lane, current.maxQueuedBytes()),
        ceiling(p).read(lane, current.ceilingBytesPerSecond())));
    }
  }

  private static String name(Priority p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  private static Range weight(Priority p) {
    return new Range("weight", LANES + "." + name(p) + ".weight", 1, 1000);
  }

  private static Range maxQueuedBytes(Priority p) {
    return new Range("maxQueuedBytes", LANES + "." + name(p) + ".max-queued-bytes", 1024, 1L << 34);
  }

  private static Range ceiling(Priority p) {
    return new Range("ceilingBytesPerSecond", LANES + "." + name(p) + ".ceiling-bytes-per-second", 0,
      MAX_BYTES_PER_SECOND);
  }

  private static Object shown(Object v) {
    return v instanceof String ? "'" + v + "'" : v;
  }

  /** An integer setting: its JSON field, its config key and the range the key allows. */
  private record Range(String field, String key, long min, long max) {

    long check(long v) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }

    int check(int v) {
      return (int) check((long) v);
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    long read(JsonObject json, long absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        return check(((Number) v).longValue());
      }
      throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], got " + shown(v));
    }
  }
}
