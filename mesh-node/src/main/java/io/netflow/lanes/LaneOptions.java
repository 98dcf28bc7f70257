package io.netflow.lanes;

import io.netflow.gateway.protocol.Priority;
import java.util.EnumMap;
import java.util.Map;

/**
 * How a node shares each link among the lanes. CRITICAL is always sent first and ignores the
 * window; the others share what is left by weighted deficit round robin, each up to its ceiling.
 */
public class LaneOptions {

  public static final int DEFAULT_LINK_WINDOW_BYTES = 64 * 1024;
  public static final int DEFAULT_CHUNK_BYTES = 64 * 1024;

  /** One lane's share: DRR weight, queue bound per link, and node-wide ceiling (0: none). */
  public record Lane(int weight, long maxQueuedBytes, long ceilingBytesPerSecond) {
    public Lane {
      if (weight < 1 || weight > 1000) {
        throw new IllegalArgumentException("lane weight must be in [1, 1000], got " + weight);
      }
      if (maxQueuedBytes < 1024) {
        throw new IllegalArgumentException("lane max-queued-bytes must be at least 1024, got " + maxQueuedBytes);
      }
      if (ceilingBytesPerSecond < 0) {
        throw new IllegalArgumentException("lane ceiling must be >= 0, got " + ceilingBytesPerSecond);
      }
    }
  }

  private int linkWindowBytes = DEFAULT_LINK_WINDOW_BYTES;
  private int chunkBytes = DEFAULT_CHUNK_BYTES;
  private final Map<Priority, Lane> lanes = new EnumMap<>(Priority.class);

  public LaneOptions() {
    lanes.put(Priority.CRITICAL, new Lane(1, 4L << 20, 0));
    lanes.put(Priority.HIGH, new Lane(16, 8L << 20, 0));
    lanes.put(Priority.NORMAL, new Lane(8, 8L << 20, 0));
    lanes.put(Priority.MODEL, new Lane(2, 32L << 20, 0));
    lanes.put(Priority.BULK, new Lane(1, 8L << 20, 0));
  }

  public int getLinkWindowBytes() {
    return linkWindowBytes;
  }

  /**
   * Bytes of non-CRITICAL envelopes a link may have sent and not yet had answered. Small keeps
   * the TCP connection short, so a CRITICAL envelope waits behind little; large raises throughput.
   */
  public LaneOptions setLinkWindowBytes(int bytes) {
    if (bytes < 1024 || bytes > (64 << 20)) {
      throw new IllegalArgumentException("lanes.link-window-bytes must be in [1024, 67108864], got " + bytes);
    }
    this.linkWindowBytes = bytes;
    return this;
  }

  public int getChunkBytes() {
    return chunkBytes;
  }

  /** Payloads larger than this travel in chunks of this size, so other lanes can pass between them. */
  public LaneOptions setChunkBytes(int bytes) {
    if (bytes < 1024 || bytes > (16 << 20)) {
      throw new IllegalArgumentException("lanes.chunk-bytes must be in [1024, 16777216], got " + bytes);
    }
    this.chunkBytes = bytes;
    return this;
  }

  public Lane lane(Priority p) {
    return lanes.get(p);
  }

  public LaneOptions setLane(Priority p, Lane lane) {
    lanes.put(p, lane);
    return this;
  }
}
