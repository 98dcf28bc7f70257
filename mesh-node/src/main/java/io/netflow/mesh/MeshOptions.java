package io.netflow.mesh;

import io.vertx.core.json.JsonObject;

/**
 * Limits of the data plane: sizes, timeouts, de-duplication and admission.
 *
 * <p>Each setting has a config key ({@code mesh.*}, {@code admission.*}) and takes the range that key
 * allows: a setter, or the JSON constructor, given anything else throws {@link IllegalArgumentException}
 * naming the key, the value and the range. JSON fields are the settings' names ({@code maxPayloadBytes},
 * ...); unknown fields are ignored.
 */
public class MeshOptions {

  /** Default largest payload: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
  /** Default time one node is given to answer: 1 s. */
  public static final long DEFAULT_ATTEMPT_TIMEOUT_MS = 1_000;
  /** Default silence on a link, with envelopes on the wire, before the destination is checked: 250 ms. */
  public static final long DEFAULT_SUSPECT_AFTER_MS = 250;
  /** Default number of envelope ids remembered: 100,000. */
  public static final int DEFAULT_DEDUPE_ENTRIES = 100_000;
  /** Default time an envelope id is remembered: 60 s. */
  public static final long DEFAULT_DEDUPE_TTL_MS = 60_000;
  /** Default concurrent requests admitted at start: 64. */
  public static final int DEFAULT_ADMISSION_INITIAL_LIMIT = 64;
  /** Default most concurrent requests ever admitted: 2,000. */
  public static final int DEFAULT_ADMISSION_MAX_LIMIT = 2_000;
  /** Default bytes of chunked envelopes held while their chunks arrive: 64 MiB. */
  public static final long DEFAULT_MAX_REASSEMBLY_BYTES = 64L << 20;
  /** Default bytes the remembered answers may take: 64 MiB. */
  public static final long DEFAULT_DEDUPE_MAX_BYTES = 64L << 20;
  /** Default distinct topics subscribed to at most: 100,000. */
  public static final int DEFAULT_MAX_TOPICS = 100_000;
  /** Default event loops of the data plane: 0, one per core. */
  public static final int DEFAULT_SHARDS = 0;

  private static final Range MAX_PAYLOAD_BYTES = new Range("maxPayloadBytes", "mesh.max-payload-bytes", 1, 256 << 20);
  private static final Range ATTEMPT_TIMEOUT_MS = new Range("attemptTimeoutMs", "mesh.attempt-timeout-ms", 1, 600_000);
  private static final Range SUSPECT_AFTER_MS = new Range("suspectAfterMs", "mesh.suspect-after-ms", 0, 600_000);
  private static final Range DEDUPE_ENTRIES = new Range("dedupeEntries", "mesh.dedupe-entries", 1, 10_000_000);
  private static final Range DEDUPE_TTL_MS = new Range("dedupeTtlMs", "mesh.dedupe-ttl-ms", 1, 86_400_000);
  private static final Range ADMISSION_INITIAL_LIMIT =
    new Range("admissionInitialLimit", "admission.initial-limit", 1, 1_000_000);
  private static final Range ADMISSION_MAX_LIMIT = new Range("admissionMaxLimit", "admission.max-limit", 1, 1_000_000);
  private static final Range MAX_REASSEMBLY_BYTES =
    new Range("maxReassemblyBytes", "mesh.max-reassembly-bytes", 1024, 1L << 34);
  private static final Range DEDUPE_MAX_BYTES = new Range("dedupeMaxBytes", "mesh.dedupe-max-bytes", 1024, 1L << 40);
  private static final Range MAX_TOPICS = new Range("maxTopics", "mesh.max-topics", 1, 100_000_000);
  private static final Range SHARDS = new Range("shards", "mesh.shards", 0, 1024);

  private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
  private long attemptTimeoutMs = DEFAULT_ATTEMPT_TIMEOUT_MS;
  private long suspectAfterMs = DEFAULT_SUSPECT_AFTER_MS;
  private int dedupeEntries = DEFAULT_DEDUPE_ENTRIES;
  private long dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS;
  private int admissionInitialLimit = DEFAULT_ADMISSION_INITIAL_LIMIT;
  private int admissionMaxLimit = DEFAULT_ADMISSION_MAX_LIMIT;
  private long maxReassemblyBytes = DEFAULT_MAX_REASSEMBLY_BYTES;
  private long dedupeMaxBytes = DEFAULT_DEDUPE_MAX_BYTES;
  private int maxTopics = DEFAULT_MAX_TOPICS;
  private int shards = DEFAULT_SHARDS;

  /** Options with every default. */
  public MeshOptions() {
  }

  /** A copy of {@code other}. */
  public MeshOptions(MeshOptions other) {
    this.maxPayloadBytes = other.maxPayloadBytes;
    this.attemptTimeoutMs = other.attemptTimeoutMs;
    this.suspectAfterMs = other.suspectAfterMs;
    this.dedupeEntries = other.dedupeEntries;
    this.dedupeTtlMs = other.dedupeTtlMs;
    this.admissionInitialLimit = other.admissionInitialLimit;
    this.admissionMaxLimit = other.admissionMaxLimit;
    this.maxReassemblyBytes = other.maxReassemblyBytes;
    this.dedupeMaxBytes = other.dedupeMaxBytes;
    this.maxTopics = other.maxTopics;
    this.shards = other.shards;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is out of range
   */
  public MeshOptions(JsonObject json) {
    setMaxPayloadBytes((int) MAX_PAYLOAD_BYTES.read(json, maxPayloadBytes));
    setAttemptTimeoutMs(ATTEMPT_TIMEOUT_MS.read(json, attemptTimeoutMs));
    setSuspectAfterMs(SUSPECT_AFTER_MS.read(json, suspectAfterMs));
    setDedupeEntries((int) DEDUPE_ENTRIES.read(json, dedupeEntries));
    setDedupeTtlMs(DEDUPE_TTL_MS.read(json, dedupeTtlMs));
    setAdmissionInitialLimit((int) ADMISSION_INITIAL_LIMIT.read(json, admissionInitialLimit));
    setAdmissionMaxLimit((int) ADMISSION_MAX_LIMIT.read(json, admissionMaxLimit));
    setMaxReassemblyBytes(MAX_REASSEMBLY_BYTES.read(json, maxReassemblyBytes));
    setDedupeMaxBytes(DEDUPE_MAX_BYTES.read(json, dedupeMaxBytes));
    setMaxTopics((int) MAX_TOPICS.read(json, maxTopics));
    setShards((int) SHARDS.read(json, shards));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(MAX_PAYLOAD_BYTES.field(), maxPayloadBytes)
      .put(ATTEMPT_TIMEOUT_MS.field(), attemptTimeoutMs)
      .put(SUSPECT_AFTER_MS.field(), suspectAfterMs)
      .put(DEDUPE_ENTRIES.field(), dedupeEntries)
      .put(DEDUPE_TTL_MS.field(), dedupeTtlMs)
      .put(ADMISSION_INITIAL_LIMIT.field(), admissionInitialLimit)
      .put(ADMISSION_MAX_LIMIT.field(), admissionMaxLimit)
      .put(MAX_REASSEMBLY_BYTES.field(), maxReassemblyBytes)
      .put(DEDUPE_MAX_BYTES.field(), dedupeMaxBytes)
      .put(MAX_TOPICS.field(), maxTopics)
      .put(SHARDS.field(), shards);
  }

  public int getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** The largest payload accepted, in [1, 256 MiB]; larger envelopes fail with TOO_LARGE. */
  public MeshOptions setMaxPayloadBytes(int bytes) {
    this.maxPayloadBytes = MAX_PAYLOAD_BYTES.check(bytes);
    return this;
  }

  public long getAttemptTimeoutMs() {
    return attemptTimeoutMs;
  }

  /** The longest one node is given to answer before the request is rerouted (within its deadline), in [1, 600000]. */
  public MeshOptions setAttemptTimeoutMs(long ms) {
    this.attemptTimeoutMs = ATTEMPT_TIMEOUT_MS.check(ms);
    return this;
  }

  public long getSuspectAfterMs() {
    return suspectAfterMs;
  }

  /**
   * How long a link to a peer may hear nothing while envelopes are on the wire before the peer is
   * checked (a refused connection to its event bus: it is gone, and the link fails what it holds at
   * once so callers reroute), in [0, 600000]; 0 checks never.
   */
  public MeshOptions setSuspectAfterMs(long ms) {
    this.suspectAfterMs = SUSPECT_AFTER_MS.check(ms);
    return this;
  }

  public int getDedupeEntries() {
    return dedupeEntries;
  }

  /** How many CRITICAL and HIGH envelope ids a node remembers to drop duplicates, in [1, 10000000]. */
  public MeshOptions setDedupeEntries(int entries) {
    this.dedupeEntries = DEDUPE_ENTRIES.check(entries);
    return this;
  }

  public long getDedupeTtlMs() {
    return dedupeTtlMs;
  }

  /** How long an envelope id is remembered, in [1, 86400000]. */
  public MeshOptions setDedupeTtlMs(long ms) {
    this.dedupeTtlMs = DEDUPE_TTL_MS.check(ms);
    return this;
  }

  public int getAdmissionInitialLimit() {
    return admissionInitialLimit;
  }

  /** Concurrent requests admitted at start, in [1, 1000000]; the limit then adapts to measured service time. */
  public MeshOptions setAdmissionInitialLimit(int limit) {
    this.admissionInitialLimit = ADMISSION_INITIAL_LIMIT.check(limit);
    return this;
  }

  public int getAdmissionMaxLimit() {
    return admissionMaxLimit;
  }

  /** The most concurrent requests ever admitted, in [1, 1000000]. */
  public MeshOptions setAdmissionMaxLimit(int limit) {
    this.admissionMaxLimit = ADMISSION_MAX_LIMIT.check(limit);
    return this;
  }

  public long getMaxReassemblyBytes() {
    return maxReassemblyBytes;
  }

  /** Bytes of chunked envelopes a node holds while their chunks arrive, in [1 KiB, 16 GiB]. */
  public MeshOptions setMaxReassemblyBytes(long bytes) {
    this.maxReassemblyBytes = MAX_REASSEMBLY_BYTES.check(bytes);
    return this;
  }

  public long getDedupeMaxBytes() {
    return dedupeMaxBytes;
  }

  /**
   * Bytes the remembered answers to CRITICAL and HIGH envelopes may take (ids, answers and
   * bookkeeping), in [1 KiB, 1 TiB]; past it the oldest are forgotten first, and counted.
   */
  public MeshOptions setDedupeMaxBytes(long bytes) {
    this.dedupeMaxBytes = DEDUPE_MAX_BYTES.check(bytes);
    return this;
  }

  public int getMaxTopics() {
    return maxTopics;
  }

  /** Distinct topics this node subscribes to at most, in [1, 100000000]; one more is refused LIMIT_REACHED. */
  public MeshOptions setMaxTopics(int topics) {
    this.maxTopics = MAX_TOPICS.check(topics);
    return this;
  }

  public int getShards() {
    return shards;
  }

  /**
   * Event loops the data plane runs on, in [0, 1024]; 0 is one per core. Each routes the requests
   * that reach it and owns the links to some destinations (each link owned by one); admission, the
   * inbox and publications stay on the first.
   */
  public MeshOptions setShards(int shards) {
    this.shards = SHARDS.check(shards);
    return this;
  }

  /** The shard count on a machine with {@code cores} cores: the setting, or {@code cores} for 0. */
  public int shardsOn(int cores) {
    return shards == 0 ? Math.max(1, cores) : shards;
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
