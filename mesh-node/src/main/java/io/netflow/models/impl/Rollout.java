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
 * its least busy holder, in this node's region first. Not thread-safe: owned by the model verticle.
 */
public final class Rollout {

  /** What the mesh view says of a peer. */
  public interface Peers {
    /** Whether the peer is in the mesh now (a node that left, or a previous run, is not waited for). */
    boolean alive(String peer);

    /** Whether the peer is in this node's region. */
    boolean near(String peer);

    /** Every live member of this node's region but itself, whether or not it has announced yet. */
    default java.util.Collection<String> region() {
      return List.of();
    }

    /** Peers all in one region, those {@code alive} says are in the mesh. */
    static Peers oneRegion(java.util.function.Predicate<String> alive) {
      return new Peers() {
        @Override
        public boolean alive(String peer) {
          return alive.test(peer);
        }

        @Override
        public boolean near(String peer) {
          return true;
        }
      };
    }
  }

  /** Where a version stands on this node. */
  public enum State { PREPARING, FETCHING, VERIFIED, ACTIVE, FAILED }

  /** A chunk to fetch and the peer to fetch it from. */
  public record Pick(int chunk, String peer) {
  }

  public final ModelManifest manifest;
  public final BitSet have;
  public State state = State.PREPARING;
  private final BitSet inFlight = new BitSet();
  private final Map<String, BitSet> peers = new HashMap<>();
  private final Map<String, Integer> perPeer = new HashMap<>();
  private final Map<String, Integer> fetchedFrom = new HashMap<>();
  private final Set<String> avoided = new HashSet<>();
  private final SplittableRandom random = new SplittableRandom();
  private long bytesFetched;
  private long rateWindowStart = System.nanoTime();
  private long rateWindowBytes;
  private double bytesPerSecond;

  private final String self;
  /** With nothing designated to fetch for this long, a node takes any chunk (its designee may be stuck). */
  private static final long STALL_NANOS = 3_000_000_000L;
  private long lastProgressNanos = System.nanoTime();

  public Rollout(ModelManifest manifest, BitSet have, String self) {
    this.manifest = manifest;
    this.have = have;
    this.self = self;
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

  /**
   * The next chunk to fetch and the peer to fetch it from; null if none. Every peer with room is
   * offered work, so all links are busy at once: each gets the rarest chunk it can provide (ties
   * at random). Complete nodes (seeds; the origin above all) have the scarcest upload: a seed is
   * asked only for chunks no peer still fetching holds, and a chunk that only seeds hold is fetched
   * by its designated fetcher alone (rendezvous hashing over the nodes still fetching), so the
   * origin uploads it about once and the others take it from that node. A node that has had
   * nothing to do for a few seconds takes any chunk, so a stuck designee cannot stall it.
   */
  public Pick next(int perPeerLimit) {
    return next(perPeerLimit, Peers.oneRegion(peer -> true));
  }

  /**
   * As {@link #next(int)}, designating seed-only chunks only among members {@code alive} says are
   * in the mesh: a node that left (or a node's previous run) must not be waited for.
   */
  public Pick next(int perPeerLimit, java.util.function.Predicate<String> alive) {
    return next(perPeerLimit, Peers.oneRegion(alive));
  }

  /**
   * As {@link #next(int)}, region by region: peers in this node's region are asked first, and the
   * designated fetchers are this region's. A chunk no peer in the region holds is fetched from
   * another region by its designated fetcher alone (from a peer there still fetching, rather than
   * a seed), so it crosses into the region about once and spreads inside it from that node.
   */
  public Pick next(int perPeerLimit, Peers view) {
    boolean stalled = inFlight() == 0 && System.nanoTime() - lastProgressNanos > STALL_NANOS;
    List<String> fetchers = fetchers(view);
    List<String> crossers = crossers(view, fetchers);
    List<String> order = new ArrayList<>(peers.keySet());
    // This region's peers still fetching first, in random order; its seeds; then other regions' alike.
    java.util.Collections.shuffle(order, new java.util.Random(random.nextLong()));
    order.sort(java.util.Comparator.comparing((String p) -> !view.near(p)).thenComparing(this::isSeed));
    for (String peer : order) {
      if (avoided.contains(peer) || perPeer.getOrDefault(peer, 0) >= perPeerLimit) {
        continue;
      }
      int chunk = rarestFrom(peer, isSeed(peer), view, fetchers, crossers, stalled);
      if (chunk >= 0) {
        return new Pick(chunk, peer);
      }
    }
    return null;
  }

  private int rarestFrom(String peer, boolean seed, Peers view, List<String> fetchers, List<String> crossers,
                         boolean stalled) {
    BitSet offers = peers.get(peer);
    boolean near = view.near(peer);
    int best = -1;
    int bestHolders = Integer.MAX_VALUE;
    int ties = 0;
    for (int c = have.nextClearBit(0); c < manifest.chunkCount(); c = have.nextClearBit(c + 1)) {
      if (inFlight.get(c) || !offers.get(c)) {
        continue;
      }
      int holders = 0;
      boolean nearHolds = false;
      boolean nearLeecherHolds = false;
      boolean farLeecherHolds = false;
      for (Map.Entry<String, BitSet> p : peers.entrySet()) {
        if (p.getValue().get(c) && !avoided.contains(p.getKey())) {
          holders++;
          boolean holderNear = view.near(p.getKey());
          boolean leecher = !isSeed(p.getKey());
          nearHolds |= holderNear;
          nearLeecherHolds |= holderNear && leecher;
          farLeecherHolds |= !holderNear && leecher;
        }
      }
      boolean leecherHolds = near ? nearLeecherHolds : farLeecherHolds;
      if ((seed && leecherHolds) || (!near && nearHolds)
        || (!stalled && (near ? seed && !designated(c, fetchers) : !designated(c, crossers)))) {
        continue;
      }
      if (holders < bestHolders) {
        bestHolders = holders;
        best = c;
        ties = 1;
      } else if (holders == bestHolders && random.nextInt(++ties) == 0) {
        best = c;
      }
    }
    return best;
  }

  private boolean isSeed(String peer) {
    BitSet held = peers.get(peer);
    return held != null && held.cardinality() == manifest.chunkCount();
  }

  /** This node and every live peer in its region that has announced it is fetching this version and lacks chunks. */
  private List<String> fetchers(Peers view) {
    List<String> fetchers = new ArrayList<>();
    fetchers.add(self);
    peers.forEach((peer, held) -> {
      if (held.cardinality() < manifest.chunkCount() && view.alive(peer) && view.near(peer)) {
        fetchers.add(peer);
      }
    });
    return fetchers;
  }

  /**
   * Who may fetch a chunk across into this region: the fetchers, and every live member of the
   * region that has not announced yet (at the start of a rollout none has, and each node taking
   * itself for the region's only fetcher would bring every chunk across once per node).
   */
  private List<String> crossers(Peers view, List<String> fetchers) {
    List<String> crossers = new ArrayList<>(fetchers);
    for (String member : view.region()) {
      if (!peers.containsKey(member) && !crossers.contains(member)) {
        crossers.add(member);
      }
    }
    return crossers;
  }

  private boolean designated(int chunk, List<String> fetchers) {
    String best = null;
    long bestScore = Long.MAX_VALUE;
    for (String f : fetchers) {
      long score = mix(f.hashCode() * 0x9E3779B97F4A7C15L + chunk);
      if (score < bestScore) {
        bestScore = score;
        best = f;
      }
    }
    return self.equals(best);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  public void started(Pick p) {
    inFlight.set(p.chunk());
    perPeer.merge(p.peer(), 1, Integer::sum);
  }

  public void finished(Pick p) {
    inFlight.clear(p.chunk());
    perPeer.merge(p.peer(), -1, Integer::sum);
  }

  /** How many chunks came from each peer. */
  public Map<String, Integer> fetchedFrom() {
    return fetchedFrom;
  }

  public void fetched(String peer, int chunk, int bytes) {
    fetchedFrom.merge(peer, 1, Integer::sum);
    have.set(chunk);
    lastProgressNanos = System.nanoTime();
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
