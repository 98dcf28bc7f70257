package io.netflow.routing;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Picks the node that serves a request best right now, from this node's {@link MeshView} and
 * what it has observed of each node (latency, in-flight work, failures). No cluster-map round
 * trip: everything it reads is local.
 *
 * <ul>
 *   <li>No key: power of two choices. The cheaper of two random candidates wins, where cost is
 *       peak-EWMA latency x (in-flight + 1) / (capacity x slow-start ramp), raised by the node's
 *       reported utilisation.</li>
 *   <li>A key: weighted rendezvous hashing with bounded loads, weighted by capacity x slow-start
 *       ramp. The key's highest-ranked node takes it unless that node already has more than
 *       (1 + epsilon) x its fair share of this router's in-flight requests; then the next in the
 *       key's ranking does. Few keys move when nodes come and go, and a node that just joined
 *       takes its keys over the slow-start window.</li>
 *   <li>DRAINING and stale nodes are skipped unless every host is one; OVERLOADED nodes are
 *       skipped while UP nodes hold at least half the capacity (else all are used, as in Envoy's
 *       panic mode, rather than flooding the few UP nodes).</li>
 *   <li>Regions (Envoy's zone-aware routing, driven by load rather than host counts): of those
 *       hosts, the ones in this node's region take the request while they have room. A share of
 *       requests spills to the other regions' hosts in proportion to how far the region's hosts
 *       are past {@code routing.region-spill-from} utilisation (weighted by capacity), and to the
 *       shortfall when fewer than {@code routing.region-min-hosts} serve; a region with none
 *       serving (dead, draining, overloaded) spills all at once. A keyed request spills by its
 *       key's hash, so the same keys leave first and come back first, and within either side it
 *       keeps its rendezvous node.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by one routing shard's event loop (each shard of the data plane has its
 * own, and balances by the requests it has in flight itself).
 */
public final class Router {

  /** Share of capacity that must be UP before OVERLOADED nodes are skipped. */
  static final double PANIC_THRESHOLD = 0.5;

  private final MeshView view;
  private final RoutingOptions options;
  /** This node's region. */
  private final String region;
  private final boolean regionAware;
  private final LongSupplier nanoClock;
  private final SplittableRandom random;
  private final Map<String, NodeStats> stats = new HashMap<>();
  /** Per service: the share of its requests spilling now, smoothed, and when it was last brought up to date. */
  private final Map<String, Spill> spills = new HashMap<>();
  private long inRegion;
  private long outOfRegion;

  /** A router for a node in {@code region} (ignored unless the options make routing region-aware). */
  public Router(MeshView view, RoutingOptions options, String region) {
    this(view, options, region, System::nanoTime, new SplittableRandom());
  }

  Router(MeshView view, RoutingOptions options, String region, LongSupplier nanoClock, SplittableRandom random) {
    this.view = view;
    this.options = options;
    this.region = region;
    this.regionAware = options.isRegionAware();
    this.nanoClock = nanoClock;
    this.random = random;
  }

  /** The node to send {@code envelope} to, never one in {@code exclude}; null when none hosts it. */
  public String pick(Envelope envelope, Set<String> exclude) {
    List<LoadReport> candidates = candidates(envelope.service(), exclude);
    if (candidates.isEmpty()) {
      return null;
    }
    if (!regionAware) {
      String picked = choose(envelope, candidates);
      boolean here = candidates.stream().anyMatch(r -> r.nodeId().equals(picked) && region.equals(r.node().region()));
      inRegion += here ? 1 : 0;
      outOfRegion += here ? 0 : 1;
      return picked;
    }
    List<LoadReport> local = new ArrayList<>();
    List<LoadReport> remote = new ArrayList<>();
    for (LoadReport r : candidates) {
      (region.equals(r.node().region()) ? local : remote).add(r);
    }
    boolean spills = !remote.isEmpty() && (local.isEmpty() || spillDraw(envelope) < spill(envelope.service(), local));
    if (spills) {
      outOfRegion++;
      return choose(envelope, remote);
    }
    inRegion++;
    return choose(envelope, local);
  }

  private String choose(Envelope envelope, List<LoadReport> candidates) {
    return envelope.key() == null ? powerOfTwo(candidates) : rendezvous(envelope.key(), candidates);
  }

  /**
   * The share of the service's requests that spills now: {@link #spill(List)}, followed over
   * {@code routing.region-spill-smoothing-ms} (a first look takes it as it is).
   */
  double spill(String service, List<LoadReport> local) {
    double target = spill(local);
    long now = nanoClock.getAsLong();
    Spill s = spills.get(service);
    if (s == null || options.getRegionSpillSmoothingMs() == 0) {
      spills.put(service, new Spill(target, now));
      return target;
    }
    double dt = (now - s.atNanos) / (double) TimeUnit.MILLISECONDS.toNanos(options.getRegionSpillSmoothingMs());
    s.share += (target - s.share) * (1 - Math.exp(-Math.max(0, dt)));
    s.atNanos = now;
    return s.share;
  }

  /** The share of a service's requests spilling to other regions, as of {@code atNanos}. */
  private static final class Spill {
    double share;
    long atNanos;

    Spill(double share, long atNanos) {
      this.share = share;
      this.atNanos = atNanos;
    }
  }

  /**
   * The share of requests the region's hosts should pass on to other regions: how far past
   * {@code region-spill-from} their reported utilisation is (0 there, 1 at full), weighted by
   * capacity, and at least the shortfall of hosts below {@code region-min-hosts}.
   */
  double spill(List<LoadReport> local) {
    double from = options.getRegionSpillFrom();
    double capacity = 0;
    double past = 0;
    for (LoadReport r : local) {
      double u = r.traffic().utilisation();
      double over = from >= 1 ? (u >= 1 ? 1 : 0) : Math.max(0, Math.min(1, (u - from) / (1 - from)));
      capacity += r.node().capacity();
      past += r.node().capacity() * over;
    }
    double share = capacity > 0 ? past / capacity : 1;
    int needed = options.getRegionMinHosts();
    return local.size() >= needed ? share : Math.max(share, 1 - local.size() / (double) needed);
  }

  /** Uniform in [0, 1): random for an unkeyed request, fixed by the key for a keyed one. */
  private double spillDraw(Envelope envelope) {
    if (envelope.key() == null) {
      return random.nextDouble();
    }
    long h = hash(envelope.key().getBytes(StandardCharsets.UTF_8), 0x5851F42D4C957F2DL);
    return (h >>> 11) / (double) (1L << 53);
  }

  /** Requests (attempts) this router sent to a host in its own region. */
  public long inRegion() {
    return inRegion;
  }

  /** Requests (attempts) this router sent to a host in another region. */
  public long outOfRegion() {
    return outOfRegion;
  }

  /** Every node that hosts {@code service} as this node knows, draining and stale ones too. */
  public List<String> hostsOf(String service) {
    return view.hostsOf(service);
  }

  /** Whether {@code node} is in the view and not found refusing connections (a process gone). */
  public boolean reachable(String node) {
    return view.get(node) != null && !view.isUnreachable(node);
  }

  /** Whether any node (tried or not) hosts {@code service}. */
  public boolean anyHosts(String service) {
    return !view.hostsOf(service).isEmpty();
  }

  /**
   * The hosts of the service worth sending to. DRAINING and stale nodes are left out unless no
   * other node hosts it. OVERLOADED nodes are left out while the UP ones hold at least
   * {@link #PANIC_THRESHOLD} of the capacity; below that, sending only to the few UP nodes would
   * flood them, so every non-draining host is used (Envoy's panic mode).
   */
  List<LoadReport> candidates(String service, Set<String> exclude) {
    List<LoadReport> up = new ArrayList<>();
    List<LoadReport> serving = new ArrayList<>();
    List<LoadReport> all = new ArrayList<>();
    double upCapacity = 0;
    double servingCapacity = 0;
    // The service's hosts from the view's index: a request walks them, not every node of the mesh.
    for (String node : view.hostsOf(service)) {
      MeshView.Entry e = view.get(node);
      if (e == null || exclude.contains(node)) {
        continue;
      }
      LoadReport r = e.report();
      all.add(r);
      if (view.isStale(e) || r.state() == NodeState.DRAINING) {
        continue;
      }
      serving.add(r);
      servingCapacity += r.node().capacity();
      if (r.state() == NodeState.UP) {
        up.add(r);
        upCapacity += r.node().capacity();
      }
    }
    if (!up.isEmpty() && upCapacity >= PANIC_THRESHOLD * servingCapacity) {
      return up;
    }
    return serving.isEmpty() ? all : serving;
  }

  private String powerOfTwo(List<LoadReport> candidates) {
    int n = candidates.size();
    if (n == 1) {
      return candidates.get(0).nodeId();
    }
    int i = random.nextInt(n);
    int j = random.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    long now = nanoClock.getAsLong();
    LoadReport a = candidates.get(i);
    LoadReport b = candidates.get(j);
    return cost(a, now) <= cost(b, now) ? a.nodeId() : b.nodeId();
  }

  double cost(LoadReport r, long now) {
    NodeStats s = stats(r.nodeId());
    double utilisation = r.traffic().utilisation();
    double reported = 1 + 4 * utilisation * utilisation;
    return s.latency(now) * (s.inFlight() + 1) * reported / (r.node().capacity() * ramp(r.nodeId(), now));
  }

  /**
   * Slow start: a node's weight ramps from 10% to 100% over the slow-start window, from when this
   * node's view first held its report (the same for every router of this node, so its shards agree;
   * the members a node finds when it starts ramp together, which changes nothing between them).
   */
  private double ramp(String nodeId, long now) {
    long window = TimeUnit.MILLISECONDS.toNanos(options.getSlowStartMs());
    if (window == 0) {
      return 1;
    }
    double age = (now - view.addedAtNanos(nodeId)) / (double) window;
    return Math.max(0.1, Math.min(1, age));
  }

  /**
   * Weighted rendezvous with bounded loads, a node's weight being its capacity x its slow-start
   * ramp: a node that just joined (a JVM still compiling, a store still loading) starts at a tenth
   * of its weight and takes its keys over the window. While it is the only one ramping, raising its
   * weight only moves keys onto it, so the keys it takes on the way stay with it.
   */
  private String rendezvous(String key, List<LoadReport> candidates) {
    long keyHash = hash(key.getBytes(StandardCharsets.UTF_8), 0x9E3779B97F4A7C15L);
    long now = nanoClock.getAsLong();
    List<Ranked> ranked = new ArrayList<>(candidates.size());
    double totalWeight = 0;
    long totalInFlight = 0;
    for (LoadReport r : candidates) {
      NodeStats s = stats(r.nodeId());
      double weight = r.node().capacity() * ramp(r.nodeId(), now);
      ranked.add(new Ranked(r.nodeId(), s, weight, rendezvousScore(keyHash, r.nodeId(), weight)));
      totalWeight += weight;
      totalInFlight += s.inFlight();
    }
    ranked.sort(Comparator.comparingDouble((Ranked r) -> -r.score()));
    for (Ranked r : ranked) {
      double bound = Math.ceil((1 + options.getBalanceEpsilon()) * (totalInFlight + 1) * r.weight() / totalWeight);
      if (r.stats().inFlight() < bound) {
        return r.nodeId();
      }
    }
    return ranked.get(0).nodeId();
  }

  private record Ranked(String nodeId, NodeStats stats, double weight, double score) {
  }

  /** Weighted rendezvous score: -weight / ln(h), h uniform in (0, 1) from hash(key, node). */
  static double rendezvousScore(long keyHash, String nodeId, double weight) {
    long h = mix(keyHash ^ hash(nodeId.getBytes(StandardCharsets.UTF_8), 0xC2B2AE3D27D4EB4FL));
    double unit = ((h >>> 11) + 0.5) / (double) (1L << 53);
    return -weight / Math.log(unit);
  }

  private static long hash(byte[] bytes, long seed) {
    long h = seed;
    for (byte b : bytes) {
      h = (h ^ b) * 0x100000001B3L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  /** What this router has observed of a node. */
  public NodeStats stats(String nodeId) {
    return stats.computeIfAbsent(nodeId, id -> new NodeStats(
      new PeakEwma(options.latencyDecayNanos(), TimeUnit.MICROSECONDS.toNanos(options.getInitialLatencyMicros()),
        nanoClock.getAsLong())));
  }

  /** Forgets a node that left. */
  public void forget(String nodeId) {
    stats.remove(nodeId);
  }

  /** What the router knows of one node: latency estimate and requests in flight to it. */
  public static final class NodeStats {
    private final PeakEwma latency;
    private int inFlight;

    NodeStats(PeakEwma latency) {
      this.latency = latency;
    }

    public void begin() {
      inFlight++;
    }

    /** Records a finished request: its latency, or for a failure, a penalty of at least {@code failurePenaltyNanos}. */
    public void end(long rttNanos, boolean ok, long failurePenaltyNanos, long nowNanos) {
      inFlight = Math.max(0, inFlight - 1);
      latency.observe(ok ? rttNanos : Math.max(rttNanos, failurePenaltyNanos), nowNanos);
    }

    public int inFlight() {
      return inFlight;
    }

    double latency(long nowNanos) {
      return latency.estimate(nowNanos);
    }
  }
}
