package io.netflow.models;

import java.util.List;

/** How a node fetches, serves and keeps model versions. */
public class ModelOptions {

  private int chunkBytes = 64 * 1024;
  private long maxBytes = 4L << 30;
  private int keepVersions = 3;
  private int perPeerInFlight = 2;
  private int totalInFlight = 8;
  private long uploadBytesPerSecond = 64L << 20;
  private long downloadBytesPerSecond = 64L << 20;
  private long minBytesPerSecond = 256 * 1024;
  private long criticalLatencyTargetMicros = 5_000;
  private List<String> trustedKeys = List.of();

  public int getChunkBytes() {
    return chunkBytes;
  }

  /** Chunk size of versions published on this node. */
  public ModelOptions setChunkBytes(int chunkBytes) {
    this.chunkBytes = chunkBytes;
    return this;
  }

  public long getMaxBytes() {
    return maxBytes;
  }

  /** The largest model accepted for publishing. */
  public ModelOptions setMaxBytes(long maxBytes) {
    this.maxBytes = maxBytes;
    return this;
  }

  public int getKeepVersions() {
    return keepVersions;
  }

  /** Versions of each model kept on disk (the active one and those before it, for rollback). */
  public ModelOptions setKeepVersions(int keepVersions) {
    this.keepVersions = keepVersions;
    return this;
  }

  public int getPerPeerInFlight() {
    return perPeerInFlight;
  }

  /** Chunk requests in flight to one peer at most. */
  public ModelOptions setPerPeerInFlight(int n) {
    this.perPeerInFlight = n;
    return this;
  }

  public int getTotalInFlight() {
    return totalInFlight;
  }

  /** Chunk requests in flight per version at most. */
  public ModelOptions setTotalInFlight(int n) {
    this.totalInFlight = n;
    return this;
  }

  public long getUploadBytesPerSecond() {
    return uploadBytesPerSecond;
  }

  /** The node's upload budget: chunks it serves never exceed it. */
  public ModelOptions setUploadBytesPerSecond(long v) {
    this.uploadBytesPerSecond = v;
    return this;
  }

  public long getDownloadBytesPerSecond() {
    return downloadBytesPerSecond;
  }

  /** The node's download budget: the most its fetches may take, when gameplay leaves room. */
  public ModelOptions setDownloadBytesPerSecond(long v) {
    this.downloadBytesPerSecond = v;
    return this;
  }

  public long getMinBytesPerSecond() {
    return minBytesPerSecond;
  }

  /** The least a rollout is slowed to when CRITICAL traffic needs the link. */
  public ModelOptions setMinBytesPerSecond(long v) {
    this.minBytesPerSecond = v;
    return this;
  }

  public long getCriticalLatencyTargetMicros() {
    return criticalLatencyTargetMicros;
  }

  /** CRITICAL latency above which model transfers back off (AIMD). */
  public ModelOptions setCriticalLatencyTargetMicros(long v) {
    this.criticalLatencyTargetMicros = v;
    return this;
  }

  public List<String> getTrustedKeys() {
    return trustedKeys;
  }

  /** Publisher keys the node trusts, {@code keyId=base64 X.509 Ed25519}. */
  public ModelOptions setTrustedKeys(List<String> trustedKeys) {
    this.trustedKeys = List.copyOf(trustedKeys);
    return this;
  }
}
