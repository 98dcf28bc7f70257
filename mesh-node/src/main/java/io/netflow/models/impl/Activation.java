package io.netflow.models.impl;

import io.netflow.models.ModelAddresses;
import io.netflow.models.ModelStore;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which version of each model runs on this node. The mesh says which version every node should
 * run (the desired one, after a publish or a mesh-wide rollback); an operator may pin one node to
 * another version until the next mesh-wide change. A version is switched to only when held and
 * verified, atomically on disk, one switch at a time per model; older versions beyond the kept
 * number are deleted; applications are told on {@link Addresses#MODEL_ACTIVATED}.
 * Owned by the model verticle's event loop.
 */
public final class Activation {

  private static final Logger LOG = LoggerFactory.getLogger(Activation.class);

  private final Vertx vertx;
  private final ModelStore store;
  private final int keepVersions;
  private final Map<String, Rollout> rollouts;
  private final Consumer<String> changed;
  private final Map<String, JsonObject> desired = new HashMap<>();
  private final Map<String, String> active = new ConcurrentHashMap<>();
  private final Map<String, String> pinned = new HashMap<>();
  private final Set<String> switching = new HashSet<>();

  /**
   * @param rollouts the verticle's versions by id (shared: pruned versions are removed from it)
   * @param changed  told the id of every version whose state changed
   */
  public Activation(Vertx vertx, ModelStore store, int keepVersions, Map<String, Rollout> rollouts, Consumer<String> changed) {
    this.vertx = vertx;
    this.store = store;
    this.keepVersions = keepVersions;
    this.rollouts = rollouts;
    this.changed = changed;
  }

  /** The version found active on disk at start (any thread). */
  public void restoreActive(String name, String version) {
    active.put(name, version);
  }

  public String active(String name) {
    return active.get(name);
  }

  /** The mesh's wish for a model ({@code {"name", "version", "previous"}}), or null. */
  public JsonObject desired(String name) {
    return desired.get(name);
  }

  /** Every model's wish this node knows. */
  public java.util.Collection<JsonObject> desiredAll() {
    return java.util.List.copyOf(desired.values());
  }

  public void remember(JsonObject want) {
    desired.put(want.getString("name"), want);
  }

  /** A mesh-wide change: it replaces any pin, and the node switches when it can. */
  public void onDesired(JsonObject want) {
    remember(want);
    pinned.remove(want.getString("name"));
    activateWanted(want.getString("name"));
  }

  /** An operator rolled this node alone to {@code version}; it holds until the next mesh-wide change. */
  public void pin(String name, String version) {
    LOG.info("Rolling model {} back to {} on this node", name, version);
    pinned.put(name, version);
    activate(name, version);
  }

  /** Switches to the version {@code name} should run here (pinned, else desired) if held verified. */
  public void activateWanted(String name) {
    String version = wanted(name);
    if (version != null) {
      activate(name, version);
    }
  }

  private String wanted(String name) {
    JsonObject want = desired.get(name);
    return pinned.getOrDefault(name, want == null ? null : want.getString("version"));
  }

  private void activate(String name, String version) {
    Rollout r = rollouts.get(name + "/" + version);
    if (r == null || (r.state != Rollout.State.VERIFIED && r.state != Rollout.State.ACTIVE)
      || version.equals(active.get(name)) && r.state == Rollout.State.ACTIVE) {
      return;
    }
    if (!switching.add(name)) {
      // One switch at a time per model; the one under way checks the wanted version when done.
      return;
    }
    String before = active.get(name);
    vertx.executeBlocking(() -> {
      store.activate(name, version);
      List<String> protect = new ArrayList<>(List.of(version));
      if (before != null) {
        protect.add(before);
      }
      return store.prune(name, keepVersions, protect);
    }, false).onSuccess(pruned -> {
      Rollout old = before == null ? null : rollouts.get(name + "/" + before);
      if (old != null && old != r) {
        old.state = Rollout.State.VERIFIED;
        changed.accept(old.manifest.id());
      }
      pruned.forEach(v -> rollouts.remove(name + "/" + v));
      active.put(name, version);
      r.state = Rollout.State.ACTIVE;
      changed.accept(r.manifest.id());
      LOG.info("Model {} {} is active (was {})", name, version, before == null ? "none" : before);
      vertx.eventBus().publish(ModelAddresses.MODEL_ACTIVATED, new JsonObject().put("name", name).put("version", version)
        .put("path", store.file(r.manifest).toString()), new DeliveryOptions().setLocalOnly(true));
    }).onFailure(err -> LOG.warn("Could not activate model {} {}: {}", name, version, err.toString()))
      .onComplete(ar -> {
        switching.remove(name);
        String want = wanted(name);
        if (want != null && !want.equals(active.get(name))) {
          activateWanted(name);
        }
      });
  }
}
