package io.netflow.models.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.models.ModelAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who holds what of each model version. This node's side: a version whose chunks or state changed
 * is marked, and announced when the model verticle next ticks: published on
 * {@link ModelAddresses#MODEL_HOLDINGS} for the fetchers, and stored in the holdings map for the
 * status pages and for nodes that start later. An idle node announces nothing: every version is
 * marked again only when a peer enters the mesh (so it hears everything, whatever it missed while
 * starting) and every {@link #REFRESH_MS}, which keeps the map's entries (kept with a TTL of three
 * refreshes) alive and mends an announcement lost on the way. A peer that leaves has its entries
 * taken out of the map at once. The peers' side: what each peer announced, kept even before this
 * node knows the version, so a rollout that starts later begins knowing every holder; a peer that
 * leaves is forgotten.
 *
 * <p>Owned by the model verticle's event loop.
 */
public final class Holdings {

  private static final Logger LOG = LoggerFactory.getLogger(Holdings.class);
  /** How often every version is announced again though nothing changed. */
  public static final long REFRESH_MS = 30_000;
  /** How long a node's holdings stay in the cluster map unless announced again (or the node leaves). */
  private static final long TTL_MS = 3 * REFRESH_MS;

  private final Vertx vertx;
  private final String selfId;
  private final String selfName;
  private final Map<String, Rollout> rollouts;
  private final Counter failures;
  private final Set<String> changed = new HashSet<>();
  /**
   * Versions with a write to the map in flight, each with the newest announcement waiting for it
   * (null: none). One write per version at a time: two in flight may land out of order (Hazelcast
   * retries one that meets a migrating partition), and the map would then keep the older state
   * until the next refresh.
   */
  private final Map<String, JsonObject> storing = new HashMap<>();
  private final Map<String, Map<String, BitSet>> peers = new HashMap<>();
  private AsyncMap<String, JsonObject> stored;

  /** @param rollouts the verticle's versions by id (shared: {@link #track} adds to it) */
  public Holdings(Vertx vertx, String selfId, String selfName, Map<String, Rollout> rollouts, MeterRegistry registry) {
    this.vertx = vertx;
    this.selfId = selfId;
    this.selfName = selfName;
    this.rollouts = rollouts;
    this.failures = Counter.builder("netflow.writes.failed").tag("what", "model-holdings")
      .description("Writes that failed (logged at WARN), by what was written").register(registry);
  }

  /** The cluster map announcements are stored in, once the verticle has it. */
  public void storeIn(AsyncMap<String, JsonObject> holdings) {
    this.stored = holdings;
  }

  /** Starts following a version on this node; it begins knowing every holder heard of so far. */
  public Rollout track(Rollout r) {
    rollouts.put(r.manifest.id(), r);
    peers.getOrDefault(r.manifest.id(), Map.of()).forEach(r::peerHolds);
    return r;
  }

  /**
   * What a peer holds of a version ({@code {"nodeId", "model", "bitmap"}}, as {@link #announce}
   * sends it). Returns the version's rollout when this node follows it, so it can fetch from that
   * peer at once; null otherwise, or when the announcement is this node's own or unreadable.
   */
  public Rollout heard(JsonObject h) {
    String node = h.getString("nodeId");
    String model = h.getString("model");
    // Not checked against the view: a node may be heard of before its first load report, and a
    // holder that is gone fails its first request with NO_HANDLERS and is dropped then.
    if (model == null || node == null || node.equals(selfId)) {
      return null;
    }
    BitSet held;
    try {
      held = BitSet.valueOf(Base64.getDecoder().decode(h.getString("bitmap", "")));
    } catch (IllegalArgumentException | ClassCastException e) {
      return null;
    }
    peers.computeIfAbsent(model, k -> new HashMap<>()).put(node, held);
    Rollout r = rollouts.get(model);
    if (r != null) {
      r.peerHolds(node, held);
    }
    return r;
  }

  /**
   * A peer left the mesh: no version fetches from it any more, and its entries leave the map (every
   * node that sees it go removes them; removing twice is harmless).
   */
  public void peerLeft(String node) {
    rollouts.values().forEach(r -> r.peerLeft(node));
    Set<String> models = new HashSet<>(rollouts.keySet());
    peers.forEach((model, holders) -> {
      if (holders.remove(node) != null) {
        models.add(model);
      }
    });
    if (stored != null) {
      models.forEach(model -> stored.remove(key(model, node)).onFailure(err ->
        LOG.debug("Could not remove {}'s holdings of {} (they lapse with their TTL): {}", node, model, err.toString())));
    }
  }

  /** Marks a version for announcement on the next tick. */
  public void changed(String id) {
    changed.add(id);
  }

  /** Marks every version: a peer arrived, or the periodic refresh. */
  public void changedAll() {
    rollouts.values().forEach(r -> changed(r.manifest.id()));
  }

  /** Announces {@code r} if it was marked since its last announcement. */
  public void announceIfChanged(Rollout r) {
    if (changed.remove(r.manifest.id())) {
      announce(r);
    }
  }

  /** Tells the mesh what this node holds of {@code r} and how its rollout stands, now. */
  public void announce(Rollout r) {
    JsonObject h = new JsonObject().put("model", r.manifest.id()).put("nodeId", selfId).put("nodeName", selfName)
      .put("state", r.state.name()).put("held", r.have.cardinality()).put("total", r.manifest.chunkCount())
      .put("bytesPerSecond", Math.round(r.bytesPerSecond()))
      .put("bitmap", Base64.getEncoder().encodeToString(r.have.toByteArray()));
    vertx.eventBus().publish(ModelAddresses.MODEL_HOLDINGS, h);
    String id = r.manifest.id();
    if (storing.containsKey(id)) {
      storing.put(id, h);
    } else {
      store(id, h);
    }
  }

  /** Writes {@code h} to the map, then the newest announcement that came in meanwhile, if any. */
  private void store(String id, JsonObject h) {
    storing.put(id, null);
    stored.put(key(id, selfId), h, TTL_MS).onComplete(ar -> {
      if (ar.failed()) {
        failures.increment();
        LOG.warn("Could not store this node's holdings of {}: {}", id, ar.cause().toString());
      }
      JsonObject next = storing.remove(id);
      if (next != null) {
        store(id, next);
      }
    });
  }

  /** A node's entry in the holdings map: {@code name/version@node}. */
  private static String key(String model, String node) {
    return model + "@" + node;
  }
}
