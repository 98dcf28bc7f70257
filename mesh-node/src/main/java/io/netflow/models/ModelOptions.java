package io.netflow.models;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a node fetches, serves and keeps model versions.
 *
 * <p>Each setting has a config key ({@code models.*}, and the node's bandwidth budgets
 * {@code node.upload-bytes-per-second} and {@code node.download-bytes-per-second}) and takes what that
 * key allows: a setter, or the JSON constructor, given anything else throws
 * {@link IllegalArgumentException} naming the key, the value and what is allowed. JSON fields are the
 * settings' names ({@code chunkBytes}, ...); unknown fields are ignored.
 */
public class ModelOptions {

  /** Default chunk size of versions published here: 64 KiB. */
  public static final int DEFAULT_CHUNK_BYTES = 64 * 1024;
  /** Default largest model accepted for publishing: 4 GiB. */
  public static final long DEFAULT_MAX_BYTES = 4L << 30;
  /** Default versions of each model kept on disk: 3. */
  public static final int DEFAULT_KEEP_VERSIONS = 3;
  /** Default chunk requests in flight to one peer: 2. */
  public static final int DEFAULT_PER_PEER_IN_FLIGHT = 2;
  /** Default chunk requests in flight per version: 8. */
  public static final int DEFAULT_TOTAL_IN_FLIGHT = 8;
  /** Default upload budget: 64 MiB per second. */
  public static final long DEFAULT_UPLOAD_BYTES_PER_SECOND = 64L << 20;
  /** Default download budget: 64 MiB per second. */
  public static final long DEFAULT_DOWNLOAD_BYTES_PER_SECOND = 64L << 20;
  /** Default least rate a rollout is slowed to: 256 KiB per second. */
  public static final long DEFAULT_MIN_BYTES_PER_SECOND = 256 * 1024;
  /** Default CRITICAL latency above which transfers back off: 5 ms. */
  public static final long DEFAULT_CRITICAL_LATENCY_TARGET_MICROS = 5_000;
  /** Default trusted publisher keys: none. */
  public static final List<String> DEFAULT_TRUSTED_KEYS = List.of();

  private static final long MAX_BYTES_PER_SECOND = 100L << 30;
  private static final Range CHUNK_BYTES = new Range("chunkBytes", "models.chunk-bytes", 1024, 16 << 20);
  private static final Range MAX_BYTES = new Range("maxBytes", "models.max-bytes", 1, 1L << 40);
  private static final Range KEEP_VERSIONS = new Range("keepVersions", "models.keep-versions", 1, 100);
  private static final Range PER_PEER_IN_FLIGHT = new Range("perPeerInFlight", "models.peer-in-flight", 1, 64);
  private static final Range TOTAL_IN_FLIGHT = new Range("totalInFlight", "models.total-in-flight", 1, 1024);
  private static final Range UPLOAD_BYTES_PER_SECOND =
    new Range("uploadBytesPerSecond", "node.upload-bytes-per-second", 1024, MAX_BYTES_PER_SECOND);
  private static final Range DOWNLOAD_BYTES_PER_SECOND =
    new Range("downloadBytesPerSecond", "node.download-bytes-per-second", 1024, MAX_BYTES_PER_SECOND);
  private static final Range MIN_BYTES_PER_SECOND =
    new Range("minBytesPerSecond", "models.min-bytes-per-second", 1024, MAX_BYTES_PER_SECOND);
  private static final Range CRITICAL_LATENCY_TARGET_MICROS =
    new Range("criticalLatencyTargetMicros", "models.critical-latency-target-micros", 10, 60_000_000);
  private static final Strings TRUSTED_KEYS = new Strings("trustedKeys", "models.trusted-keys",
    "[A-Za-z0-9._-]{1,64}=[A-Za-z0-9+/]{20,200}={0,2}", "must be a list of keyId=base64 Ed25519 public keys");

  private int chunkBytes = DEFAULT_CHUNK_BYTES;
  private long maxBytes = DEFAULT_MAX_BYTES;
  private int keepVersions = DEFAULT_KEEP_VERSIONS;
  private int perPeerInFlight = DEFAULT_PER_PEER_IN_FLIGHT;
  private int totalInFlight = DEFAULT_TOTAL_IN_FLIGHT;
  private long uploadBytesPerSecond = DEFAULT_UPLOAD_BYTES_PER_SECOND;
  private long downloadBytesPerSecond = DEFAULT_DOWNLOAD_BYTES_PER_SECOND;
  private long minBytesPerSecond = DEFAULT_MIN_BYTES_PER_SECOND;
  private long criticalLatencyTargetMicros = DEFAULT_CRITICAL_LATENCY_TARGET_MICROS;
  private List<String> trustedKeys = DEFAULT_TRUSTED_KEYS;

  /** Options with every default. */
  public ModelOptions() {
  }

  /** A copy of {@code other}. */
  public ModelOptions(ModelOptions other) {
    this.chunkBytes = other.chunkBytes;
    this.maxBytes = other.maxBytes;
    this.keepVersions = other.keepVersions;
    this.perPeerInFlight = other.perPeerInFlight;
    this.totalInFlight = other.totalInFlight;
    this.uploadBytesPerSecond = other.uploadBytesPerSecond;
    this.downloadBytesPerSecond = other.downloadBytesPerSecond;
    this.minBytesPerSecond = other.minBytesPerSecond;
    this.criticalLatencyTargetMicros = other.criticalLatencyTargetMicros;
    this.trustedKeys = other.trustedKeys;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is not allowed
   */
  public ModelOptions(JsonObject json) {
    setChunkBytes((int) CHUNK_BYTES.read(json, chunkBytes));
    setMaxBytes(MAX_BYTES.read(json, maxBytes));
    setKeepVersions((int) KEEP_VERSIONS.read(json, keepVersions));
    setPerPeerInFlight((int) PER_PEER_IN_FLIGHT.read(json, perPeerInFlight));
    setTotalInFlight((int) TOTAL_IN_FLIGHT.read(json, totalInFlight));
    setUploadBytesPerSecond(UPLOAD_BYTES_PER_SECOND.read(json, uploadBytesPerSecond));
    setDownloadBytesPerSecond(DOWNLOAD_BYTES_PER_SECOND.read(json, downloadBytesPerSecond));
    setMinBytesPerSecond(MIN_BYTES_PER_SECOND.read(json, minBytesPerSecond));
    setCriticalLatencyTargetMicros(CRITICAL_LATENCY_TARGET_MICROS.read(json, criticalLatencyTargetMicros));
    setTrustedKeys(TRUSTED_KEYS.read(json, trustedKeys));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(CHUNK_BYTES.field(), chunkBytes)
      .put(MAX_BYTES.field(), maxBytes)
      .put(KEEP_VERSIONS.field(), keepVersions)
      .put(PER_PEER_IN_FLIGHT.field(), perPeerInFlight)
      .put(TOTAL_IN_FLIGHT.field(), totalInFlight)
      .put(UPLOAD_BYTES_PER_SECOND.field(), uploadBytesPerSecond)
      .put(DOWNLOAD_BYTES_PER_SECOND.field(), downloadBytesPerSecond)
      .put(MIN_BYTES_PER_SECOND.field(), minBytesPerSecond)
      .put(CRITICAL_LATENCY_TARGET_MICROS.field(), criticalLatencyTargetMicros)
      .put(TRUSTED_KEYS.field(), new JsonArray(new ArrayList<>(trustedKeys)));
  }

  public int getChunkBytes() {
    return chunkBytes;
  }

  /** Chunk size of versions published on this node, in [1 KiB, 16 MiB]. */
  public ModelOptions setChunkBytes(int chunkBytes) {
    this.chunkBytes = CHUNK_BYTES.check(chunkBytes);
    return this;
  }

  public long getMaxBytes() {
    return maxBytes;
  }

  /** The largest model accepted for publishing, in [1, 1 TiB]. */
  public ModelOptions setMaxBytes(long maxBytes) {
    this.maxBytes = MAX_BYTES.check(maxBytes);
    return this;
  }

  public int getKeepVersions() {
    return keepVersions;
  }

  /** Versions of each model kept on disk (the active one and those before it, for rollback), in [1, 100]. */
  public ModelOptions setKeepVersions(int keepVersions) {
    this.keepVersions = KEEP_VERSIONS.check(keepVersions);
    return this;
  }

  public int getPerPeerInFlight() {
    return perPeerInFlight;
  }

  /** Chunk requests in flight to one peer at most, in [1, 64]. */
  public ModelOptions setPerPeerInFlight(int n) {
    this.perPeerInFlight = PER_PEER_IN_FLIGHT.check(n);
    return this;
  }

  public int getTotalInFlight() {
    return totalInFlight;
  }

  /** Chunk requests in flight per version at most, in [1, 1024]. */
  public ModelOptions setTotalInFlight(int n) {
    this.totalInFlight = TOTAL_IN_FLIGHT.check(n);
    return this;
  }

  public long getUploadBytesPerSecond() {
    return uploadBytesPerSecond;
  }

  /** The node's upload budget, in [1 KiB, 100 GiB] per second: chunks it serves never exceed it. */
  public ModelOptions setUploadBytesPerSecond(long v) {
    this.uploadBytesPerSecond = UPLOAD_BYTES_PER_SECOND.check(v);
    return this;
  }

  public long getDownloadBytesPerSecond() {
    return downloadBytesPerSecond;
  }

  /**
   * The node's download budget, in [1 KiB, 100 GiB] per second: the most its fetches may take, when
   * gameplay leaves room.
   */
  public ModelOptions setDownloadBytesPerSecond(long v) {
    this.downloadBytesPerSecond = DOWNLOAD_BYTES_PER_SECOND.check(v);
    return this;
  }

  public long getMinBytesPerSecond() {
    return minBytesPerSecond;
  }

  /** The least a rollout is slowed to when CRITICAL traffic needs the link, in [1 KiB, 100 GiB] per second. */
  public ModelOptions setMinBytesPerSecond(long v) {
    this.minBytesPerSecond = MIN_BYTES_PER_SECOND.check(v);
    return this;
  }

  public long getCriticalLatencyTargetMicros() {
    return criticalLatencyTargetMicros;
  }

  /** CRITICAL latency above which model transfers back off (AIMD), in [10, 60000000] µs. */
  public ModelOptions setCriticalLatencyTargetMicros(long v) {
    this.criticalLatencyTargetMicros = CRITICAL_LATENCY_TARGET_MICROS.check(v);
    return this;
  }

  public List<String> getTrustedKeys() {
    return trustedKeys;
  }

  /** Publisher keys the node trusts, {@code keyId=base64 X.509 Ed25519}. */
  public ModelOptions setTrustedKeys(List<String> trustedKeys) {
    this.trustedKeys = TRUSTED_KEYS.check(trustedKeys);
    return this;
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

  /** A list setting: its JSON field, its config key, the pattern each item must match and its wording. */
  private record Strings(String field, String key, Pattern item, String allowed) {

    Strings(String field, String key, String itemRegex, String allowed) {
      this(field, key, Pattern.compile(itemRegex), allowed);
    }

    /** An unmodifiable copy of {@code v}, every item checked. */
    List<String> check(List<String> v) {
      if (v == null) {
        throw refused(null);
      }
      for (String s : v) {
        if (s == null || !item.matcher(s).matches()) {
          throw refused(shown(s));
        }
      }
      return List.copyOf(v);
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    List<String> read(JsonObject json, List<String> absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      if (!(json.getValue(field) instanceof JsonArray array)) {
        throw refused(shown(json.getValue(field)));
      }
      List<String> out = new ArrayList<>();
      for (Object i : array) {
        if (!(i instanceof String s)) {
          throw refused(shown(i));
        }
        out.add(s);
      }
      return check(out);
    }

    private IllegalArgumentException refused(Object shown) {
      return new IllegalArgumentException(key + " " + allowed + ", got " + shown);
    }
  }
}
