package io.netflow.models.impl;

import io.netflow.models.ModelManifest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One version's transfer to this node: the chunks held and in flight, which peers hold what, and
 * which peers served a bad chunk. Picks what to fetch next: the rarest chunk among peers, from
 * its least busy holder. Not thread-safe: owned by the model verticle.
 */
public final class Rollout {

  /** Where a version stands on this node. */
  public enum State { FETCHING, VERIFIED, ACTIVE, FAILED }

  /** A chunk to fetch and the peer to fetch it from. */
  public record Pick(int chunk, String peer) {
  }

  public final ModelManifest manifest;
  public final BitSet have;
  public State state = State.FETCHING;
  private final BitSet inFlight = new BitSet();
  private final Map<String, BitSet> peers = new HashMap<>();
  private final Map<String, Integer> perPeer = new HashMap<>();
  private final Set<String> avoided = new HashSet<>();
  private final SplittableRandom random = new SplittableRandom();
  private long bytesFetched;
  private long rateWindowStart = System.nanoTime();
  private long rateWindowBytes;
  private double bytesPerSecond;

  public Rollout(ModelManifest manifest, BitSet have) {
    this.manifest = manifest;
    this.have = have;
  }

  public boolean complete() {
    return have.cardinality() == manifest.chunkCount();
  }

  public int inFlight() {
    return inFlight.cardinality();
  }

  public void peerHolds(String peer, BitSet chunks) {
    peers.put(peer, chunks);
  }

  public void peerLeft(String peer) {
    peers.remove(peer);
  }

  /** A peer served a chunk that did not match its hash: fetch nothing more from it. */
  public void avoid(String peer) {
    avoided.add(peer);
  }

  public boolean avoided(String peer) {
    return avoided.contains(peer);
  }

  /** The next chunk to fetch, rarest first (ties at random), from its least busy usable holder; null if none. */
  public Pick next(int perPeerLimit) {
    int missing = manifest.chunkCount();
    int bestCount = Integer.MAX_VALUE;
    List<Integer> best = new ArrayList<>();
    for (int c = have.nextClearBit(0); c < missing; c = have.nextClearBit(c + 1)) {
      if (inFlight.get(c)) {
        continue;
      }
      int holders = 0;
      for (Map.Entry<String, BitSet> p : peers.entrySet()) {
        if (p.getValue().get(c) && !avoided.contains(p.getKey())) {
          holders++;
        }
      }
      if (holders == 0 || holders > bestCount) {
        continue;
      }
      if (holders < bestCount) {
        bestCount = holders;
        best.clear();
      }
      best.add(c);
    }
    // Among the rarest, take a random one whose holders have room.
    while (!best.isEmpty()) {
      int chunk = best.remove(random.nextInt(best.size()));
      String peer = holderWithRoom(chunk, perPeerLimit);
      if (peer != null) {
        return new Pick(chunk, peer);
      }
    }
    return null;
  }

  private String holderWithRoom(int chunk, int perPeerLimit) {
    String pick = null;
    int least = Integer.MAX_VALUE;
    for (Map.Entry<String, BitSet> p : peers.entrySet()) {
      int busy = perPeer.getOrDefault(p.getKey(), 0);
      if (p.getValue().get(chunk) && !avoided.contains(p.getKey()) && busy < perPeerLimit
        && (busy < least || (busy == least && random.nextBoolean()))) {
        pick = p.getKey();
        least = busy;
      }
    }
    return pick;
  }

  public void started(Pick p) {
    inFlight.set(p.chunk());
    perPeer.merge(p.peer(), 1, Integer::sum);
  }

  public void finished(Pick p) {
    inFlight.clear(p.chunk());
    perPeer.merge(p.peer(), -1, Integer::sum);
  }

  public void fetched(int chunk, int bytes) {
    have.set(chunk);
    bytesFetched += bytes;
    rateWindowBytes += bytes;
    long now = System.nanoTime();
    if (now - rateWindowStart > 500_000_000L) {
      bytesPerSecond = rateWindowBytes * 1e9 / (now - rateWindowStart);
      rateWindowBytes = 0;
      rateWindowStart = now;
    }
  }

  /** Recent fetch rate; decays to 0 when nothing arrives. */
  public double bytesPerSecond() {
    return System.nanoTime() - rateWindowStart > 2_000_000_000L ? 0 : bytesPerSecond;
  }

  public long bytesFetched() {
    return bytesFetched;
  }
}
