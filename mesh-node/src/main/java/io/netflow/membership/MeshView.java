package io.netflow.membership;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * This node's view of the mesh: the latest load report of every member, with when it arrived.
 *
 * <p>The membership verticle writes it; routing reads it from any thread, with no cluster-map
 * round trip on the hot path. Ages are measured on this node's monotonic clock, so a peer's clock
 * skew cannot make its reports look fresh.
 */
public final class MeshView {

  /**
   * A peer's latest report and when this node received it ({@link System#nanoTime()} time).
   *
   * @param fullSeq the number of the full report its content came in (a heartbeat renumbers it)
   */
  public record Entry(LoadReport report, long receivedAtNanos, long fullSeq) {

    public Entry(LoadReport report, long receivedAtNanos) {
      this(report, receivedAtNanos, report.seq());
    }
  }

  private final String selfId;
  private final long staleAfterNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  /**
   * Per service, the nodes whose held report lists it, so that routing finds a service's hosts
   * without walking every report: an immutable list in the order the nodes came (routing sees the
   * same order on every run), replaced on change. Changed only inside the update of a node's entry,
   * and only when its service list changes (heartbeats never do). Bounded by the members and the
   * services a report lists ({@link io.netflow.load.TrafficLoad#MAX_NAMES} each); a service no node
   * hosts any more is dropped.
   */
  private final ConcurrentHashMap<String, List<String>> hosts = new ConcurrentHashMap<>();
  /** Members found refusing connections before the cluster removed them (see {@link #markUnreachable}). */
  private final java.util.Set<String> unreachable = ConcurrentHashMap.newKeySet();
  /** When this view first held each member's report (on its clock): one time per node for every shard's router. */
  private final ConcurrentHashMap<String, Long> addedAt = new ConcurrentHashMap<>();
  private final List<Consumer<String>> additionListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> removalListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> mergeListeners = new CopyOnWriteArrayList<>();

  public MeshView(String selfId, long staleAfterMillis) {
    this(selfId, staleAfterMillis, System::nanoTime);
  }

  /** A view on the given clock (in nanoseconds): what it reads as stale, and when it first saw a node. */
  public MeshView(String selfId, long staleAfterMillis, LongSupplier nanoClock) {
    this.selfId = selfId;
    this.staleAfterNanos = TimeUnit.MILLISECONDS.toNanos(staleAfterMillis);
    this.nanoClock = nanoClock;
  }

  /** This node's id. */
  public String selfId() {
    return selfId;
  }

  /** Records a report received now, unless a newer one from the same node is already held. */
  public boolean accept(LoadReport report) {
    return accept(report, nanoClock.getAsLong());
  }

  /** Records a report received at {@code receivedAtNanos}, unless a newer one is already held. */
  public boolean accept(LoadReport report, long receivedAtNanos) {
    Entry fresh = new Entry(report, receivedAtNanos);
    boolean[] added = {false};
    Entry kept = entries.compute(report.nodeId(), (id, old) -> {
      added[0] = old == null;
      if (old == null) {
        addedAt.put(id, nanoClock.getAsLong());
      }
      if (old != null && fresh.report().seq() <= old.report().seq()) {
        return old;
      }
      index(id, old == null ? List.of() : old.report().traffic().services(), report.traffic().services());
      return fresh;
    });
    if (kept == fresh) {
      unreachable.remove(report.nodeId());
    }
    if (added[0]) {
      additionListeners.forEach(l -> l.accept(report.nodeId()));
    }
    return kept == fresh;
  }

  /**
   * A heartbeat from {@code nodeId}: its full report {@code fullSeq} still holds, now as {@code seq},
   * received now. Nothing happens for a node not in the view, for a heartbeat older than what is
   * held, or when the held report is not that full report (this node missed the latest: the caller
   * fetches it).
   *
   * @return whether the entry was refreshed
   */
  public boolean refresh(String nodeId, long seq, long sentAtMillis, long fullSeq) {
    long now = nanoClock.getAsLong();
    boolean[] refreshed = {false};
    entries.computeIfPresent(nodeId, (id, old) -> {
      if (seq <= old.report().seq() || old.fullSeq() != fullSeq) {
        return old;
      }
      refreshed[0] = true;
      return new Entry(old.report().again(seq, sentAtMillis), now, fullSeq);
    });
    if (refreshed[0]) {
      unreachable.remove(nodeId);
    }
    return refreshed[0];
  }

  /**
   * A member whose event bus refuses connections (its process is gone; the cluster has not yet
   * removed it): its report no longer says anything, so it counts as stale until it reports again
   * or leaves. Returns true when this call marked it.
   */
  public boolean markUnreachable(String nodeId) {
    // Marked while its entry is held, so that a removal cannot slip in between and leave a mark behind.
    boolean[] marked = {false};
    entries.computeIfPresent(nodeId, (id, e) -> {
      marked[0] = unreachable.add(id);
      return e;
    });
    return marked[0];
  }

  /**
   * When this view first held {@code nodeId}'s report, on the view's clock (now for a node it does
   * not hold): the start of the node's slow start, the same for every router of this node.
   */
  public long addedAtNanos(String nodeId) {
    Long at = addedAt.get(nodeId);
    return at != null ? at : nanoClock.getAsLong();
  }

  /** Whether {@code nodeId} was found refusing connections and has not reported since. */
  public boolean isUnreachable(String nodeId) {
    return unreachable.contains(nodeId);
  }

  /** Drops a node that left the cluster and tells the removal listeners; returns what was held of it. */
  public Entry remove(String nodeId) {
    Entry[] removed = {null};
    entries.computeIfPresent(nodeId, (id, e) -> {
      index(id, e.report().traffic().services(), List.of());
      removed[0] = e;
      return null;
    });
    Entry gone = removed[0];
    unreachable.remove(nodeId);
    addedAt.remove(nodeId);
    if (gone != null) {
      removalListeners.forEach(l -> l.accept(nodeId));
    }
    return gone;
  }

  /**
   * Calls {@code listener} with the id of every node that enters the view from now on (its first
   * report, this node's own included), on the accepting thread.
   */
  public void onAdded(Consumer<String> listener) {
    additionListeners.add(listener);
  }

  /** Calls {@code listener} with the id of every node dropped from now on, on the dropping thread. */
  public void onRemoved(Consumer<String> listener) {
    removalListeners.add(listener);
  }

  /**
   * Calls {@code listener} each time this node's side of a split cluster merges into the other
   * side, on the membership verticle's thread. What the cluster's maps held on this side was handed
   * over at best effort: whoever keeps a durable copy of something puts back what is missing.
   */
  public void onMerged(Runnable listener) {
    mergeListeners.add(listener);
  }

  /** Tells the merge listeners (called by the membership verticle). */
  void merged() {
    mergeListeners.forEach(Runnable::run);
  }

  public Entry get(String nodeId) {
    return entries.get(nodeId);
  }

  /**
   * The nodes whose held report lists {@code service}, draining and stale ones too: a lookup, not a
   * walk over the view. Safe from any thread; a report being taken in may show in it a moment before
   * its entry does.
   */
  public List<String> hostsOf(String service) {
    return hosts.getOrDefault(service, List.of());
  }

  /** How many services some held report lists (the index's size). */
  int indexedServices() {
    return hosts.size();
  }

  /** Moves {@code nodeId} in the service index from the services it had to those it has now. */
  private void index(String nodeId, List<String> before, List<String> after) {
    if (before.equals(after)) {
      return;
    }
    for (String service : before) {
      if (!after.contains(service)) {
        hosts.computeIfPresent(service, (k, nodes) -> {
          List<String> left = new ArrayList<>(nodes);
          left.remove(nodeId);
          return left.isEmpty() ? null : List.copyOf(left);
        });
      }
    }
    for (String service : after) {
      if (!before.contains(service)) {
        hosts.compute(service, (k, nodes) -> {
          List<String> more = nodes == null ? new ArrayList<>() : new ArrayList<>(nodes);
          if (!more.contains(nodeId)) {
            more.add(nodeId);
          }
          return List.copyOf(more);
        });
      }
    }
  }

  public Collection<Entry> entries() {
    return entries.values();
  }

  public int size() {
    return entries.size();
  }

  /** How old an entry's report is, in milliseconds. */
  public long ageMillis(Entry e) {
    return TimeUnit.NANOSECONDS.toMillis(Math.max(0, nanoClock.getAsLong() - e.receivedAtNanos()));
  }

  /** True when no report has come from the node for longer than the stale limit, or it was found unreachable since. */
  public boolean isStale(Entry e) {
    return nanoClock.getAsLong() - e.receivedAtNanos() > staleAfterNanos || unreachable.contains(e.report().nodeId());
  }

  /**
   * The scale-out signal: how full the mesh is, in [0, 1]. Each node that reports (and is not
   * draining) counts the larger of its CPU and its admission use (in-flight over its adaptive
   * limit), weighted by its capacity. Sustained above about 0.7, add nodes; below about 0.3 with
   * more than a few nodes, some could go.
   */
  public double utilisation() {
    double used = 0;
    double capacity = 0;
    for (Entry e : entries.values()) {
      LoadReport r = e.report();
      if (isStale(e) || r.state() == io.netflow.gateway.protocol.NodeState.DRAINING) {
        continue;
      }
      double c = r.node().capacity();
      used += c * Math.max(r.load().cpu(), r.traffic().utilisation());
      capacity += c;
    }
    return capacity == 0 ? 0 : used / capacity;
  }

  /** The view as served at {@code GET /v1/mesh/nodes}. */
  public JsonObject toJson(int clusterSize) {
    List<Entry> sorted = entries.values().stream()
      .sorted(Comparator.comparing((Entry e) -> e.report().node().name()).thenComparing(e -> e.report().nodeId()))
      .toList();
    JsonArray nodes = new JsonArray();
    for (Entry e : sorted) {
      LoadReport r = e.report();
      nodes.add(r.node().toJson()
        .put("self", r.nodeId().equals(selfId))
        .put("state", r.state().name())
        .put("stale", isStale(e))
        .put("unreachable", unreachable.contains(r.nodeId()))
        .put("ageMs", ageMillis(e))
        .put("seq", r.seq())
        .put("sentAtMillis", r.sentAtMillis())
        .put("load", r.load().toJson())
        .put("traffic", r.traffic().toJson()));
    }
    return new JsonObject().put("self", selfId).put("clusterSize", clusterSize)
      .put("utilisation", Math.round(utilisation() * 1000) / 1000.0).put("nodes", nodes);
  }
}
