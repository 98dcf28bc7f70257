package io.netflow.mesh;

/** Limits of the data plane: sizes, timeouts, de-duplication and admission. */
public class MeshOptions {

  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
  public static final long DEFAULT_ATTEMPT_TIMEOUT_MS = 1_000;
  public static final int DEFAULT_DEDUPE_ENTRIES = 100_000;
  public static final long DEFAULT_DEDUPE_TTL_MS = 60_000;
  public static final int DEFAULT_ADMISSION_INITIAL_LIMIT = 64;
  public static final int DEFAULT_ADMISSION_MAX_LIMIT = 2_000;
  public static final long DEFAULT_MAX_REASSEMBLY_BYTES = 64L << 20;
  public static final long DEFAULT_DEDUPE_MAX_BYTES = 64L << 20;
  public static final int DEFAULT_MAX_TOPICS = 100_000;

  private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
  private long attemptTimeoutMs = DEFAULT_ATTEMPT_TIMEOUT_MS;
  private int dedupeEntries = DEFAULT_DEDUPE_ENTRIES;
  private long dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS;
  private int admissionInitialLimit = DEFAULT_ADMISSION_INITIAL_LIMIT;
  private int admissionMaxLimit = DEFAULT_ADMISSION_MAX_LIMIT;
  private long maxReassemblyBytes = DEFAULT_MAX_REASSEMBLY_BYTES;
  private long dedupeMaxBytes = DEFAULT_DEDUPE_MAX_BYTES;
  private int maxTopics = DEFAULT_MAX_TOPICS;

  public int getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** The largest payload accepted; larger envelopes fail with TOO_LARGE. */
  public MeshOptions setMaxPayloadBytes(int bytes) {
    this.maxPayloadBytes = check("mesh.max-payload-bytes", bytes, 1, 256 << 20);
    return this;
  }

  public long getAttemptTimeoutMs() {
    return attemptTimeoutMs;
  }

  /** The longest one node is given to answer before the request is rerouted (within its deadline). */
  public MeshOptions setAttemptTimeoutMs(long ms) {
    this.attemptTimeoutMs = check("mesh.attempt-timeout-ms", ms, 1, 600_000);
    return this;
  }

  public int getDedupeEntries() {
    return dedupeEntries;
  }

  /** How many CRITICAL and HIGH envelope ids a node remembers to drop duplicates. */
  public MeshOptions setDedupeEntries(int entries) {
    this.dedupeEntries = check("mesh.dedupe-entries", entries, 1, 10_000_000);
    return this;
  }

  public long getDedupeTtlMs() {
    return dedupeTtlMs;
  }

  /** How long an envelope id is remembered. */
  public MeshOptions setDedupeTtlMs(long ms) {
    this.dedupeTtlMs = check("mesh.dedupe-ttl-ms", ms, 1, 86_400_000);
    return this;
  }

  public int getAdmissionInitialLimit() {
    return admissionInitialLimit;
  }

  /** Concurrent requests admitted at start; the limit then adapts to measured service time. */
  public MeshOptions setAdmissionInitialLimit(int limit) {
    this.admissionInitialLimit = check("admission.initial-limit", limit, 1, 1_000_000);
    return this;
  }

  public int getAdmissionMaxLimit() {
    return admissionMaxLimit;
  }

  /** The most concurrent requests ever admitted. */
  public MeshOptions setAdmissionMaxLimit(int limit) {
    this.admissionMaxLimit = check("admission.max-limit", limit, 1, 1_000_000);
    return this;
  }

  public long getMaxReassemblyBytes() {
    return maxReassemblyBytes;
  }

  /** Bytes of chunked envelopes a node holds while their chunks arrive. */
  public MeshOptions setMaxReassemblyBytes(long bytes) {
    this.maxReassemblyBytes = check("mesh.max-reassembly-bytes", bytes, 1024, 1L << 34);
    return this;
  }

  public long getDedupeMaxBytes() {
    return dedupeMaxBytes;
  }

  /**
   * Bytes the remembered answers to CRITICAL and HIGH envelopes may take (ids, answers and
   * bookkeeping); past it the oldest are forgotten first, and counted.
   */
  public MeshOptions setDedupeMaxBytes(long bytes) {
    this.dedupeMaxBytes = check("mesh.dedupe-max-bytes", bytes, 1024, 1L << 40);
    return this;
  }

  public int getMaxTopics() {
    return maxTopics;
  }

  /** Distinct topics this node subscribes to at most; one more is refused LIMIT_REACHED. */
  public MeshOptions setMaxTopics(int topics) {
    this.maxTopics = check("mesh.max-topics", topics, 1, 100_000_000);
    return this;
  }

  private static int check(String key, int v, int min, int max) {
    return (int) check(key, (long) v, min, max);
  }

  private static long check(String key, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }
}
